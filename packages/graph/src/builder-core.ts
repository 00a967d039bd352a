import type { DType, Tensor } from '@actllm/core';
import { DTYPES, createTensor, isActllmError, tensorProblem } from '@actllm/core';
import type {
  Attributes,
  Dim,
  Graph,
  Initializer,
  Node,
  Parameter,
  Shape,
  TensorRef,
  TensorType,
} from './ir.js';
import { OPSET } from './ir.js';
import type { AttributeKind, InferInput } from './op-def.js';
import { GraphError } from './errors.js';
import { getOp } from './registry.js';
import { concreteSize } from './shape.js';
import type { Value } from './values.js';

/** A number where a tensor is expected becomes a scalar constant of the other operand's dtype. */
export type Operand = TensorRef | number;

/** Build-time values of small results are kept, so shapes computed in-graph stay known. */
const FOLD_LIMIT = 4096;

/**
 * The machinery of the graph builder: names, types, build-time values, nodes. It infers
 * every result's dtype and shape as nodes are added, so a wrong shape fails at build time,
 * naming the op, its inputs and their shapes. The typed op methods are in `builder.ts`.
 */
export class BuilderCore {
  readonly name: string;
  readonly #inputs: TensorRef[] = [];
  readonly #outputs: TensorRef[] = [];
  readonly #parameters: Parameter[] = [];
  readonly #nodes: Node[] = [];
  readonly #types = new Map<string, TensorRef>();
  readonly #values = new Map<string, Value>();
  readonly #dims = new Map<string, Dim[]>();
  readonly #nodeNames = new Set<string>();
  #counter = 0;

  constructor(name = 'graph') {
    if (typeof name !== 'string' || name === '') {
      throw new GraphError('GRAPH_INVALID_ARGUMENT', 'A graph name is a non-empty string.');
    }
    this.name = name;
  }

  /** Adds everything of `graph` (re-inferring every type): used by autodiff and passes. */
  protected replay(graph: Graph, keepOutputs: boolean): void {
    for (const i of graph.inputs) this.input(i.name, i.dtype, i.shape);
    for (const p of graph.parameters) this.parameter(p.name, p.shape, p.initializer, p.dtype);
    for (const n of graph.nodes) this.addNode(n.op, n.inputs, n.attributes, n.outputs, n.name);
    if (keepOutputs) for (const o of graph.outputs) this.output(this.ref(o.name));
  }

  /** A named graph input; symbolic dimensions are strings. */
  input(name: string, dtype: DType, shape: Shape): TensorRef {
    this.#claim(name);
    checkDType(dtype, `Input ${name}`);
    checkInputShape(name, shape);
    const ref: TensorRef = { name, dtype, shape: [...shape] };
    this.#inputs.push(ref);
    this.#types.set(name, ref);
    return ref;
  }

  /** A weight with a concrete shape and an initializer (default: normal with std 0.02). */
  parameter(
    name: string,
    shape: readonly number[],
    initializer: Initializer = { kind: 'normal', std: 0.02 },
    dtype: DType = 'float32',
  ): TensorRef {
    this.#claim(name);
    checkDType(dtype, `Parameter ${name}`);
    const dims: unknown = shape;
    if (!Array.isArray(dims) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
      throw new GraphError(
        'GRAPH_INVALID',
        `Parameter ${name} needs a concrete shape of non-negative integers; got [${shape.join(', ')}].`,
      );
    }
    checkInitializer(name, initializer);
    this.#parameters.push({ name, dtype, shape: [...shape], initializer });
    const ref: TensorRef = { name, dtype, shape: [...shape] };
    this.#types.set(name, ref);
    return ref;
  }

  /** A Constant node holding `values` (a number is a scalar). */
  constant(
    values: number | readonly number[] | Tensor,
    dtype: DType = 'float32',
    shape?: readonly number[],
  ): TensorRef {
    const tensor = toConstTensor(values, dtype, shape);
    const [ref] = this.op('Constant', [], { value: tensor });
    return ref as TensorRef;
  }

  /** Marks `ref` as a graph output, under `name` (an Identity node renames it). */
  output(ref: TensorRef, name?: string): TensorRef {
    this.#checkRef(ref, 'output');
    let out = ref;
    if (name !== undefined && name !== ref.name) {
      out = this.addNode('Identity', [ref.name], {}, [name])[0] as TensorRef;
    }
    if (this.#outputs.some((o) => o.name === out.name)) {
      throw new GraphError('GRAPH_INVALID', `${out.name} is already an output of ${this.name}.`);
    }
    this.#outputs.push(out);
    return out;
  }

  /** Applies an op by its ONNX type; `undefined` inputs are omitted optional inputs. */
  op(
    type: string,
    inputs: readonly (TensorRef | undefined)[],
    attributes: Attributes = {},
    outputCount = 1,
  ): TensorRef[] {
    inputs.forEach((i) => i === undefined || this.#checkRef(i, `${type} input`));
    const outputs = Array.from({ length: outputCount }, () => this.#fresh(type.toLowerCase()));
    // Trailing omitted inputs are left out, not written as '' (onnxruntime's Squeeze, for
    // one, treats an explicit empty axes input as an error).
    const names = inputs.map((i) => i?.name ?? '');
    while (names.length > 0 && names[names.length - 1] === '') names.pop();
    return this.addNode(type, names, attributes, outputs);
  }

  /** Applies an op to named tensors and names its outputs (used when replaying a graph). */
  addNode(
    type: string,
    inputNames: readonly string[],
    attributes: Attributes,
    outputNames: readonly string[],
    nodeName?: string,
  ): TensorRef[] {
    const def = getOp(type);
    if (inputNames.length < def.inputs.min || inputNames.length > def.inputs.max) {
      throw new GraphError(
        'GRAPH_INVALID',
        `${type} takes ${def.inputs.min} to ${def.inputs.max} inputs; got ${inputNames.length}.`,
      );
    }
    checkAttributes(type, def.attributes, attributes);
    const inputs = inputNames.map((n) => (n === '' ? undefined : this.#inferInput(n)));
    const types = def.infer(inputs, attributes, outputNames.length);
    if (outputNames.length > types.length) {
      throw new GraphError(
        'GRAPH_INVALID',
        `${type} has ${types.length} output${types.length === 1 ? '' : 's'}; node ${nodeName ?? ''} names ${outputNames.length} (${outputNames.join(', ')}).`,
      );
    }
    for (const name of outputNames) this.#claim(name);
    const refs = outputNames.map((name, i) => {
      const t = types[i] as TensorType;
      const ref: TensorRef = { name, dtype: t.dtype, shape: t.shape };
      this.#types.set(name, ref);
      return ref;
    });
    const uniqueName =
      nodeName !== undefined && !this.#nodeNames.has(nodeName)
        ? nodeName
        : this.#freshNodeName(type);
    this.#nodeNames.add(uniqueName);
    this.#nodes.push({
      op: type,
      name: uniqueName,
      inputs: [...inputNames],
      outputs: [...outputNames],
      attributes,
    });
    this.#foldValues(type, inputs, attributes, refs);
    return refs;
  }

  /** The type of a tensor already in the graph. */
  ref(name: string): TensorRef {
    const t = this.#types.get(name);
    if (!t) {
      throw new GraphError('GRAPH_INVALID', `No tensor named ${name} in graph ${this.name}.`);
    }
    return t;
  }

  /** The value of a tensor known at build time (constants and what follows from them). */
  valueOf(ref: TensorRef): readonly number[] | undefined {
    const v = this.#values.get(ref.name);
    return v ? Array.from(v.data) : undefined;
  }

  has(name: string): boolean {
    return this.#types.has(name);
  }

  /** A fresh tensor name with this prefix. */
  freshName(prefix: string): string {
    return this.#fresh(prefix);
  }

  build(): Graph {
    if (this.#outputs.length === 0) {
      throw new GraphError('GRAPH_INVALID', `Graph ${this.name} has no outputs; call output().`);
    }
    return {
      name: this.name,
      opset: OPSET,
      inputs: this.#inputs.map((r) => ({ ...r })),
      outputs: this.#outputs.map((r) => ({ ...r })),
      parameters: this.#parameters.map((p) => ({ ...p })),
      nodes: this.#nodes.map((n) => ({ ...n })),
    };
  }

  /** Inputs, parameters and outputs, for helpers that rewrite a graph. */
  get inputs(): readonly TensorRef[] {
    return this.#inputs;
  }
  get parameters(): readonly Parameter[] {
    return this.#parameters;
  }
  get outputs(): readonly TensorRef[] {
    return this.#outputs;
  }

  /** Drops the outputs declared so far (autodiff declares its own). */
  clearOutputs(): void {
    this.#outputs.length = 0;
  }

  /** Turns a parameter into a graph input of the same type (training graphs feed weights). */
  parameterToInput(name: string): void {
    const i = this.#parameters.findIndex((p) => p.name === name);
    const p = this.#parameters[i];
    if (p === undefined) throw new GraphError('GRAPH_INVALID', `${name} is not a parameter.`);
    this.#parameters.splice(i, 1);
    this.#inputs.push({ name: p.name, dtype: p.dtype, shape: p.shape });
  }

  #inferInput(name: string): InferInput {
    const t = this.ref(name);
    const v = this.#values.get(name);
    if (v) return { ...t, value: Array.from(v.data) };
    const dims = this.#dims.get(name);
    return dims ? { ...t, dims } : t;
  }

  #foldValues(
    type: string,
    inputs: readonly (InferInput | undefined)[],
    attributes: Attributes,
    refs: readonly TensorRef[],
  ): void {
    const def = getOp(type);
    const fromTypes = def.foldFromTypes?.(inputs, attributes);
    const first = refs[0];
    if (fromTypes && first && !fromTypes.every((d) => typeof d === 'number')) {
      this.#dims.set(first.name, fromTypes);
      return;
    }
    if (fromTypes && first) {
      this.#values.set(first.name, {
        dtype: first.dtype,
        shape: first.shape as number[],
        data: Float64Array.from(fromTypes as number[]),
      });
      return;
    }
    const small = refs.every((r) => (concreteSize(r.shape) ?? Infinity) <= FOLD_LIMIT);
    const known = inputs.every((i) => i === undefined || this.#values.has(i.name));
    if (!small || !known) return;
    const values = inputs.map((i) => (i ? this.#values.get(i.name) : undefined));
    let out: Value[];
    try {
      out = def.kernel(values, attributes, { precision: 'float64', outputCount: refs.length });
    } catch (error) {
      // A value the interpreter cannot hold (int64 beyond 2^53, a bad index) is not an
      // error of the graph: it just stays unknown until run time.
      if (isActllmError(error, 'GRAPH_RUNTIME')) return;
      throw error;
    }
    refs.forEach((r, k) => {
      const v = out[k];
      if (v) this.#values.set(r.name, v);
    });
  }

  /** A tensor of this graph, not a number, string or a tensor of another builder. */
  #checkRef(ref: unknown, what: string): void {
    const name = (ref as { name?: unknown } | null)?.name;
    if (typeof ref !== 'object' || ref === null || typeof name !== 'string') {
      throw new GraphError(
        'GRAPH_INVALID_ARGUMENT',
        `${what} must be a tensor of graph ${this.name} (a TensorRef); got ${ref === null ? 'null' : typeof ref}.`,
      );
    }
    this.ref(name);
  }

  #claim(name: string): void {
    if (typeof name !== 'string') {
      throw new GraphError(
        'GRAPH_INVALID_ARGUMENT',
        `Tensor names are strings; got ${typeof name} ${String(name)}.`,
      );
    }
    if (name === '' || this.#types.has(name)) {
      throw new GraphError(
        'GRAPH_INVALID',
        name === ''
          ? 'Tensor names must be non-empty.'
          : `The name ${name} is already used in graph ${this.name}; pick another.`,
      );
    }
  }

  #fresh(prefix: string): string {
    let name: string;
    do name = `${prefix}_${this.#counter++}`;
    while (this.#types.has(name));
    return name;
  }

  #freshNodeName(type: string): string {
    let name: string;
    let k = this.#nodes.length;
    do name = `${type}_n${k++}`;
    while (this.#nodeNames.has(name));
    return name;
  }
}

/** Whether an attribute value has the ONNX attribute type its op declares. */
function attributeFits(kind: AttributeKind, v: unknown): boolean {
  const numbers = (x: unknown): boolean =>
    Array.isArray(x) && x.every((e) => typeof e === 'number');
  switch (kind) {
    case 'int':
      return Number.isSafeInteger(v);
    case 'float':
      return typeof v === 'number';
    case 'ints':
      return numbers(v) && (v as number[]).every((e) => Number.isSafeInteger(e));
    case 'floats':
      return numbers(v);
    case 'string':
      return typeof v === 'string';
    case 'tensor':
      return tensorProblem(v) === undefined;
    case 'dtype':
      return (DTYPES as readonly unknown[]).includes(v);
  }
}

/** Refuses attributes the op does not take (a typo would be ignored) and values of the wrong type. */
function checkAttributes(
  op: string,
  kinds: Readonly<Record<string, AttributeKind>>,
  attributes: unknown,
): void {
  if (typeof attributes !== 'object' || attributes === null) {
    throw new GraphError('GRAPH_INVALID_ARGUMENT', `${op} attributes must be an object.`);
  }
  for (const [name, value] of Object.entries(attributes)) {
    const kind = Object.hasOwn(kinds, name) ? kinds[name] : undefined;
    if (kind === undefined) {
      const known = Object.keys(kinds);
      throw new GraphError(
        'GRAPH_INVALID',
        `${op} has no attribute ${name}; ${known.length > 0 ? `its attributes are ${known.join(', ')}` : 'it takes none'}.`,
      );
    }
    if (value !== undefined && !attributeFits(kind, value)) {
      throw new GraphError('GRAPH_INVALID', `${op} attribute ${name} must be of type ${kind}.`);
    }
  }
}

const INITIALIZER_KINDS = ['zeros', 'ones', 'normal', 'uniform', 'given'];

function checkDType(dtype: unknown, what: string): void {
  if (!(DTYPES as readonly unknown[]).includes(dtype)) {
    throw new GraphError(
      'GRAPH_DTYPE_MISMATCH',
      `${what} has dtype ${JSON.stringify(dtype)}; graphs support ${DTYPES.join(', ')} (cast float16 data to float32).`,
    );
  }
}

/** Dimensions are non-negative integers or non-empty symbol names. */
function checkInputShape(name: string, shape: unknown): void {
  const ok =
    Array.isArray(shape) &&
    shape.every(
      (d) => (Number.isSafeInteger(d) && (d as number) >= 0) || (typeof d === 'string' && d !== ''),
    );
  if (!ok) {
    throw new GraphError(
      'GRAPH_INVALID',
      `Input ${name} needs a shape of non-negative integers and symbol names (such as ['batch', 16]); got ${JSON.stringify(shape)}.`,
    );
  }
}

/** Refuses initializers that would silently give zeros or NaN (a typo in `kind`, a bad std). */
function checkInitializer(name: string, init: unknown): void {
  const i = (typeof init === 'object' && init !== null ? init : {}) as Record<string, unknown>;
  const kind = i['kind'];
  const finite = (k: string): boolean => Number.isFinite(i[k]);
  const problem = !INITIALIZER_KINDS.includes(kind as string)
    ? `kind ${JSON.stringify(kind)} is not one of ${INITIALIZER_KINDS.join(', ')}`
    : kind === 'normal' && !(finite('std') && (i['std'] as number) >= 0)
      ? 'normal needs a finite, non-negative std'
      : kind === 'normal' && i['mean'] !== undefined && !finite('mean')
        ? 'normal needs a finite mean'
        : kind === 'uniform' &&
            !(finite('low') && finite('high') && (i['low'] as number) <= (i['high'] as number))
          ? 'uniform needs finite low <= high'
          : kind === 'given' && (typeof i['tensor'] !== 'object' || i['tensor'] === null)
            ? 'given needs a tensor'
            : undefined;
  if (problem !== undefined) {
    throw new GraphError('GRAPH_INVALID', `Parameter ${name}: its initializer ${problem}.`);
  }
}

/** A host tensor from numbers (a number alone is a scalar). */
export function toConstTensor(
  values: number | readonly number[] | Tensor,
  dtype: DType,
  shape?: readonly number[],
): Tensor {
  if (typeof values === 'object' && values !== null && 'dtype' in values) {
    const problem = tensorProblem(values);
    if (problem !== undefined)
      throw new GraphError('GRAPH_INVALID', `A constant tensor: ${problem}.`);
    return values;
  }
  checkDType(dtype, 'A constant');
  const ok =
    typeof values === 'number' ||
    (Array.isArray(values) && values.every((v) => typeof v === 'number'));
  const list0 = typeof values === 'number' ? [values] : (values as readonly unknown[]);
  if (
    ok &&
    (dtype === 'int32' || dtype === 'int64') &&
    !list0.every((v) => Number.isSafeInteger(v))
  ) {
    throw new GraphError('GRAPH_INVALID_ARGUMENT', `An ${dtype} constant holds integers.`);
  }
  if (!ok) {
    throw new GraphError(
      'GRAPH_INVALID_ARGUMENT',
      'A constant is a number, an array of numbers or a tensor.',
    );
  }
  const list = typeof values === 'number' ? [values] : values;
  const dims = shape ?? (typeof values === 'number' ? [] : [list.length]);
  switch (dtype) {
    case 'float32':
      return createTensor('float32', dims, Float32Array.from(list));
    case 'int32':
      return createTensor('int32', dims, Int32Array.from(list));
    case 'int64':
      return createTensor(
        'int64',
        dims,
        BigInt64Array.from(list, (x) => BigInt(x)),
      );
    case 'bool':
      return createTensor('bool', dims, Uint8Array.from(list));
  }
}
