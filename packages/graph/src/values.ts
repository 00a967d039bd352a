import { createTensor, type DType, type Tensor } from '@actllm/core';
import { GraphError } from './errors.js';
import { stridesOf } from './shape.js';

/**
 * The interpreter's working representation. Every kernel reads and writes plain numbers:
 * int64 is held in a Float64Array (exact up to 2^53, checked at the boundary), and float32
 * is a Float32Array, or a Float64Array when the interpreter runs in float64 precision.
 */
export type NumArray = Float32Array | Float64Array | Int32Array | Uint8Array;

/** `float64` computes float32 tensors in double precision (for gradient checks). */
export type Precision = 'float32' | 'float64';

export interface Value {
  readonly dtype: DType;
  readonly shape: readonly number[];
  readonly data: NumArray;
}

/** A host tensor as `run` takes and returns it in float64 precision. */
export interface WideTensor {
  readonly dtype: DType;
  readonly shape: readonly number[];
  readonly data: Float64Array | Float32Array | Int32Array | BigInt64Array | Uint8Array;
}

/**
 * Resource limits of the reference interpreter and of ONNX import. A graph that would
 * exceed them (a few-hundred-byte model whose ConstantOfShape or Expand asks for a huge
 * tensor, say) fails with `GRAPH_LIMIT_EXCEEDED` instead of exhausting memory.
 */
export interface Limits {
  /** Elements of any one tensor (default 2^28: 1 GiB of float32). */
  readonly maxElements: number;
  /** Bytes of all tensors alive at once during one `run` (default 4 GiB). */
  readonly maxBytes: number;
}

export const LIMITS: Limits = Object.freeze({ maxElements: 2 ** 28, maxBytes: 2 ** 32 });

/** Limits in force for the allocations of the current run (the interpreter sets them). */
let active: Limits = LIMITS;

/** Runs `f` under `limits`, restoring the previous ones after (runs do not interleave). */
export function withLimits<T>(limits: Limits, f: () => T): T {
  const previous = active;
  active = limits;
  try {
    return f();
  } finally {
    active = previous;
  }
}

/** The limits in force now. */
export function activeLimits(): Limits {
  return active;
}

/** Throws GRAPH_LIMIT_EXCEEDED unless `size` is an element count the limits allow. */
export function checkSize(size: number, what = 'A tensor'): void {
  if (!Number.isSafeInteger(size) || size < 0) {
    throw new GraphError(
      'GRAPH_RUNTIME',
      `${what} would have ${size} elements; dimensions must be non-negative integers.`,
    );
  }
  if (size > active.maxElements) {
    throw new GraphError(
      'GRAPH_LIMIT_EXCEEDED',
      `${what} would have ${size} elements, above the limit of ${active.maxElements}; check the shapes the graph computes, or raise limits.maxElements.`,
    );
  }
}

/** Bytes one element of `dtype` takes in the working representation. */
export function bytesPerElement(dtype: DType, precision: Precision): number {
  return dtype === 'bool'
    ? 1
    : dtype === 'int32' || (dtype === 'float32' && precision === 'float32')
      ? 4
      : 8;
}

export function alloc(dtype: DType, size: number, precision: Precision): NumArray {
  checkSize(size);
  switch (dtype) {
    case 'float32':
      return precision === 'float64' ? new Float64Array(size) : new Float32Array(size);
    case 'int32':
      return new Int32Array(size);
    case 'int64':
      return new Float64Array(size);
    case 'bool':
      return new Uint8Array(size);
  }
}

/** Converts a host tensor to the working representation (copying only where needed). */
export function fromTensor(tensor: Tensor | WideTensor, precision: Precision): Value {
  const { dtype, shape, data } = tensor;
  if (data instanceof BigInt64Array) {
    const out = new Float64Array(data.length);
    for (let i = 0; i < data.length; i++) out[i] = toSafeNumber(data[i] ?? 0n);
    return { dtype, shape: [...shape], data: out };
  }
  if (dtype === 'float32' && precision === 'float64' && !(data instanceof Float64Array)) {
    return { dtype, shape: [...shape], data: Float64Array.from(data) };
  }
  if (dtype === 'float32' && precision === 'float32' && data instanceof Float64Array) {
    return { dtype, shape: [...shape], data: Float32Array.from(data) };
  }
  return { dtype, shape: [...shape], data };
}

function toSafeNumber(v: bigint): number {
  if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < BigInt(Number.MIN_SAFE_INTEGER)) {
    throw new GraphError(
      'GRAPH_RUNTIME',
      `The interpreter holds int64 values as doubles and cannot represent ${v}; keep int64 values within +-2^53.`,
    );
  }
  return Number(v);
}

/** Converts back to a core Tensor (float32 as Float32Array, int64 as BigInt64Array). */
export function toTensor(value: Value): Tensor {
  const { dtype, shape, data } = value;
  switch (dtype) {
    case 'float32':
      return createTensor(
        'float32',
        shape,
        data instanceof Float32Array ? data : Float32Array.from(data),
      );
    case 'int64':
      return createTensor('int64', shape, BigInt64Array.from(data, toInt64));
    case 'int32':
      return createTensor('int32', shape, data as Int32Array);
    case 'bool':
      return createTensor('bool', shape, data as Uint8Array);
  }
}

function toInt64(x: number): bigint {
  if (!Number.isInteger(x)) {
    throw new GraphError(
      'GRAPH_RUNTIME',
      `An int64 result is ${x}, which is not an integer (a cast of NaN or infinity?); check the graph's casts.`,
    );
  }
  return BigInt(x);
}

/** Like {@link toTensor}, but float32 keeps its double-precision values. */
export function toWideTensor(value: Value): WideTensor {
  if (value.dtype === 'float32') return value;
  return toTensor(value);
}

/**
 * For each flat index of `outShape`, the flat index of the element of a tensor of shape
 * `inShape` that broadcasts to it; `null` when the shapes are equal (identity).
 */
export function broadcastIndex(
  inShape: readonly number[],
  outShape: readonly number[],
): Int32Array | null {
  if (inShape.length === outShape.length && inShape.every((d, i) => d === outShape[i])) {
    return null;
  }
  const rank = outShape.length;
  const inStrides = stridesOf(inShape);
  // Stride 0 on broadcast axes and on the leading axes the input lacks.
  const strides = new Array<number>(rank).fill(0);
  for (let i = 0; i < inShape.length; i++) {
    const o = rank - inShape.length + i;
    strides[o] = inShape[i] === 1 ? 0 : (inStrides[i] ?? 0);
  }
  return stridedOffsets(outShape, strides, 0);
}

/** Number of elements of a concrete shape. */
export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) {
    // A shape computed in the graph (ConstantOfShape, Expand, Tile) may hold anything.
    if (!Number.isSafeInteger(d) || d < 0) {
      throw new GraphError(
        'GRAPH_RUNTIME',
        `The graph computes the shape [${shape.join(', ')}]; dimensions must be non-negative integers.`,
      );
    }
    n *= d;
  }
  return n;
}

/**
 * The flat offsets of a strided view, in row-major order over `shape`: entry `i` is
 * `offset + sum_k index_k * strides[k]` for the multi-index `index` of `i`.
 */
export function stridedOffsets(
  shape: readonly number[],
  strides: readonly number[],
  offset: number,
): Int32Array {
  const rank = shape.length;
  const size = sizeOf(shape);
  checkSize(size);
  const offsets = new Int32Array(size);
  const counter = new Array<number>(rank).fill(0);
  let at = offset;
  for (let i = 0; i < offsets.length; i++) {
    offsets[i] = at;
    // Odometer: advance the innermost axis; an axis that wraps rewinds and carries over.
    for (let ax = rank - 1; ax >= 0; ax--) {
      const c = (counter[ax] ?? 0) + 1;
      const st = strides[ax] ?? 0;
      if (c < (shape[ax] ?? 1)) {
        counter[ax] = c;
        at += st;
        break;
      }
      counter[ax] = 0;
      at -= st * (c - 1);
    }
  }
  return offsets;
}

/**
 * A copy of a strided view of `x` (see `stridedOffsets`). Transpose (permuted strides) and
 * Slice (a start offset and stepped strides) are both such views.
 */
export function readStrided(
  x: Value,
  shape: readonly number[],
  strides: readonly number[],
  offset: number,
  precision: Precision,
): Value {
  const offsets = stridedOffsets(shape, strides, offset);
  const out = alloc(x.dtype, offsets.length, precision);
  for (let i = 0; i < offsets.length; i++) out[i] = x.data[offsets[i] as number] ?? 0;
  return { dtype: x.dtype, shape: [...shape], data: out };
}
