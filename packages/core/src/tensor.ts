import { InvalidArgumentError } from './errors.js';

/** Element types that graphs and backends exchange. */
export const DTYPES = ['float32', 'int32', 'int64', 'bool'] as const;
export type DType = (typeof DTYPES)[number];

/** The typed array that holds each dtype (bool: one byte per element, 0 or 1). */
export interface DTypeArray {
  float32: Float32Array;
  int32: Int32Array;
  int64: BigInt64Array;
  bool: Uint8Array;
}

/** A dense host tensor, row-major. The currency of the {@link Backend} contract. */
export interface Tensor<D extends DType = DType> {
  readonly dtype: D;
  readonly shape: readonly number[];
  readonly data: DTypeArray[D];
}

/** Tensors by name: graph inputs, outputs and weights. */
export type TensorMap = Readonly<Record<string, Tensor>>;

const ARRAY_OF: { [D in DType]: new (length: number) => DTypeArray[D] } = {
  float32: Float32Array,
  int32: Int32Array,
  int64: BigInt64Array,
  bool: Uint8Array,
};

/** Number of elements of a shape (1 for a scalar). */
export function shapeSize(shape: readonly number[]): number {
  if (!Array.isArray(shape)) {
    throw new InvalidArgumentError(
      `A tensor shape is an array of dimensions, such as [2, 3]; got ${describe(shape)}.`,
    );
  }
  let n = 1;
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) {
      throw new InvalidArgumentError(
        `Tensor dimensions must be non-negative integers; got [${shape.join(', ')}].`,
      );
    }
    n *= d;
  }
  return n;
}

/** A tensor of zeros, or one that wraps `data` after checking its type and length. */
export function createTensor<D extends DType>(
  dtype: D,
  shape: readonly number[],
  data?: DTypeArray[D],
): Tensor<D> {
  const Ctor = ARRAY_OF[dtype] as (new (length: number) => DTypeArray[D]) | undefined;
  if (!Ctor) {
    throw new InvalidArgumentError(
      `Unknown dtype ${JSON.stringify(dtype)}; use one of ${DTYPES.join(', ')}.`,
    );
  }
  const size = shapeSize(shape);
  if (!Number.isSafeInteger(size)) {
    throw new InvalidArgumentError(`Shape [${shape.join(', ')}] has too many elements.`);
  }
  if (data === undefined) return { dtype, shape: [...shape], data: allocate(Ctor, size, shape) };
  if (!(data instanceof Ctor) || data.length !== size) {
    throw new InvalidArgumentError(
      `A ${dtype} tensor of shape [${shape.join(', ')}] needs a ${Ctor.name} of length ${size}.`,
    );
  }
  return { dtype, shape: [...shape], data };
}

function allocate<A>(Ctor: new (length: number) => A, size: number, shape: readonly number[]): A {
  try {
    return new Ctor(size);
  } catch (error) {
    throw new InvalidArgumentError(
      `Cannot allocate a tensor of shape [${shape.join(', ')}] (${size} elements): ${String(error)}.`,
      { cause: error },
    );
  }
}

/** A short description of a value for error messages: its type, or its class name. */
function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a plain array';
  if (typeof value === 'object') {
    const ctor = (value as { constructor?: { name?: unknown } }).constructor;
    return typeof ctor?.name === 'string' ? ctor.name : 'an object';
  }
  return typeof value;
}

/**
 * Why `value` is not a valid {@link Tensor} (a known dtype, a shape of non-negative
 * integers, data of the dtype's typed array holding exactly as many elements as the shape),
 * or `undefined` when it is one. `float64` also accepts a Float64Array as float32 data.
 */
export function tensorProblem(
  value: unknown,
  options: { float64?: boolean } = {},
): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return `it is ${describe(value)}, not a tensor; build one with createTensor(dtype, shape, data)`;
  }
  const { dtype, shape, data } = value as Partial<Tensor>;
  if (typeof dtype !== 'string' || !(DTYPES as readonly string[]).includes(dtype)) {
    return `its dtype ${JSON.stringify(dtype)} is not one of ${DTYPES.join(', ')}`;
  }
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    return 'its shape must be an array of non-negative integers';
  }
  const Ctor = ARRAY_OF[dtype];
  const wide = options.float64 === true && dtype === 'float32' && data instanceof Float64Array;
  if (!(data instanceof Ctor) && !wide) {
    return `its data is ${describe(data)}; a ${dtype} tensor holds a ${Ctor.name}`;
  }
  const size = (shape as number[]).reduce((a, d) => a * d, 1);
  if ((data as ArrayLike<unknown>).length !== size) {
    return `its data holds ${(data as ArrayLike<unknown>).length} elements but its shape [${shape.join(', ')}] needs ${size}`;
  }
  return undefined;
}

/**
 * A tensor from plain numbers, converted to the dtype's array: int64 values must be
 * integers, bool values become 1 when non-zero and 0 otherwise.
 */
export function tensorFromNumbers<D extends DType>(
  dtype: D,
  shape: readonly number[],
  values: ArrayLike<number>,
): Tensor<D> {
  if (!(DTYPES as readonly string[]).includes(dtype)) {
    throw new InvalidArgumentError(
      `Unknown dtype ${JSON.stringify(dtype)}; use one of ${DTYPES.join(', ')}.`,
    );
  }
  if (typeof values !== 'object' || values === null || typeof values.length !== 'number') {
    throw new InvalidArgumentError(
      `tensorFromNumbers needs an array of numbers; got ${describe(values)}.`,
    );
  }
  for (let i = 0; i < values.length; i++) {
    const v: unknown = values[i];
    const bad =
      typeof v !== 'number' ||
      (dtype === 'int32' && !(Number.isInteger(v) && v >= -(2 ** 31) && v < 2 ** 31));
    if (bad) {
      throw new InvalidArgumentError(
        `tensorFromNumbers: value ${i} is ${String(v)}; a ${dtype} tensor needs ${dtype === 'int32' ? '32-bit integers' : 'numbers'}.`,
      );
    }
  }
  const data: DTypeArray[DType] =
    dtype === 'float32'
      ? Float32Array.from(values)
      : dtype === 'int32'
        ? Int32Array.from(values)
        : dtype === 'int64'
          ? BigInt64Array.from(values, toBigInt)
          : Uint8Array.from(values, (v) => (v !== 0 ? 1 : 0));
  return createTensor(dtype, shape, data as DTypeArray[D]);
}

function toBigInt(v: number): bigint {
  if (!Number.isSafeInteger(v)) {
    throw new InvalidArgumentError(`An int64 tensor needs safe integers; got ${v}.`);
  }
  return BigInt(v);
}
