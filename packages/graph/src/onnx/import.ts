import { createTensor, type Tensor } from '@actllm/core';
import type { AttributeValue, Dim, Graph } from '../ir.js';
import type { AttributeKind } from '../op-def.js';
import { GraphBuilder } from '../builder.js';
import { GraphError } from '../errors.js';
import { getOp, hasOp } from '../registry.js';
import { onnx, toNumber, type Int64Like, type OnnxTypes } from './proto.js';
import { dtypeFromOnnx, tensorFromProto } from './tensors.js';
import { checkOptions, describeValue } from '../validate.js';
import { LIMITS, withLimits, type Limits } from '../values.js';

/** Default-domain opsets whose semantics match the IR for every supported op. */
export const IMPORT_OPSETS = { min: 13, max: 17 } as const;

type ModelProto = OnnxTypes.IModelProto;
type GraphProto = OnnxTypes.IGraphProto;
type NodeProto = OnnxTypes.INodeProto;
type AttributeProto = OnnxTypes.IAttributeProto;
type ValueInfoProto = OnnxTypes.IValueInfoProto;

export interface FromOnnxResult {
  readonly graph: Graph;
  /** Float initializers, now parameters; integer initializers became Constant nodes. */
  readonly weights: Record<string, Tensor>;
}

/**
 * Reads ONNX ModelProto bytes that use only supported ops (default domain, opset 13-17).
 * Unsupported ops are all named in one GRAPH_UNSUPPORTED_OP error.
 */
export interface FromOnnxOptions {
  /** Limits on the tensors the model holds (default `LIMITS`); exceeding one is GRAPH_LIMIT_EXCEEDED. */
  readonly limits?: Partial<Limits>;
}

export function fromOnnx(bytes: Uint8Array, options: FromOnnxOptions = {}): FromOnnxResult {
  if (!(bytes instanceof Uint8Array)) {
    throw new GraphError(
      'GRAPH_INVALID_ARGUMENT',
      `fromOnnx reads the bytes of a .onnx file as a Uint8Array; got ${describeValue(bytes)}.`,
    );
  }
  checkOptions(options, { limits: 'limits' }, 'fromOnnx');
  return withLimits({ ...LIMITS, ...options.limits }, () => importModel(bytes));
}

function importModel(bytes: Uint8Array): FromOnnxResult {
  const model = decode(bytes);
  checkOpset(model);
  const graph = model.graph as GraphProto;
  const nodes = graph.node ?? [];
  checkOps(nodes);
  const weights: Record<string, Tensor> = {};
  const g = new GraphBuilder(graph.name || 'onnx');
  const inits = graph.initializer ?? [];
  const initNames = new Set(inits.map((t) => t.name ?? ''));
  for (const init of inits) {
    const name = init.name ?? '';
    const t = tensorFromProto(init, `initializer ${name}`);
    if (t.dtype === 'float32') {
      g.parameter(name, t.shape, { kind: 'given', tensor: t });
      weights[name] = t;
    } else {
      // Integer initializers are shapes, axes and indices: constants keep them known at build time.
      g.addNode('Constant', [], { value: t }, [name]);
    }
  }
  for (const vi of graph.input ?? []) if (!initNames.has(vi.name ?? '')) addInput(g, vi);
  for (const node of nodes) addNode(g, node);
  for (const vi of graph.output ?? []) g.output(g.ref(vi.name ?? ''));
  return { graph: g.build(), weights };
}

function decode(bytes: Uint8Array): ModelProto {
  try {
    const model: ModelProto = onnx.ModelProto.decode(bytes);
    if (!model.graph) throw new Error('the model has no graph');
    return model;
  } catch (error) {
    throw new GraphError(
      'ONNX_INVALID',
      `These bytes are not an ONNX ModelProto (${String(error)}); pass the contents of a .onnx file.`,
      { cause: error },
    );
  }
}

function checkOpset(model: ModelProto): void {
  const main = (model.opsetImport ?? []).find((o) => o.domain === '' || o.domain === 'ai.onnx');
  const version = toNumber(main?.version as Int64Like | undefined);
  if (version < IMPORT_OPSETS.min || version > IMPORT_OPSETS.max) {
    throw new GraphError(
      'GRAPH_UNSUPPORTED_OP',
      `The model uses default-domain opset ${version}; fromOnnx reads opsets ${IMPORT_OPSETS.min} to ${IMPORT_OPSETS.max}. Convert it (onnx.version_converter) to opset 17.`,
    );
  }
}

function checkOps(nodes: readonly NodeProto[]): void {
  const bad = new Set<string>();
  for (const n of nodes) {
    const domain = n.domain === 'ai.onnx' ? '' : (n.domain ?? '');
    const op = n.opType ?? '';
    if (domain !== '' || !hasOp(op)) bad.add(domain ? `${domain}.${op}` : op);
  }
  if (bad.size > 0) {
    throw new GraphError(
      'GRAPH_UNSUPPORTED_OP',
      `The model uses unsupported ops: ${[...bad].sort().join(', ')}. Supported ops are listed by listOps().`,
    );
  }
}

function addInput(g: GraphBuilder, vi: ValueInfoProto): void {
  const name = vi.name ?? '';
  const tt = vi.type?.tensorType;
  if (!tt) throw new GraphError('ONNX_INVALID', `Input ${name} is not a tensor.`);
  const dtype = dtypeFromOnnx(tt.elemType ?? 0, `input ${name}`);
  const shape: Dim[] = (tt.shape?.dim ?? []).map((d, i) =>
    d.dimParam
      ? d.dimParam
      : d.dimValue !== null && d.dimValue !== undefined
        ? toNumber(d.dimValue as Int64Like)
        : `${name}_${i}`,
  );
  g.input(name, dtype, shape);
}

function addNode(g: GraphBuilder, n: NodeProto): void {
  const op = n.opType ?? '';
  const def = getOp(op);
  const attrs: Record<string, AttributeValue> = {};
  for (const a of n.attribute ?? []) {
    const shorthand = op === 'Constant' ? constantShorthand(a) : undefined;
    if (shorthand) attrs['value'] = shorthand;
    else attrs[a.name ?? ''] = attributeValue(op, a, def.attributes[a.name ?? '']);
  }
  // Trailing omitted outputs ('') are dropped; the builder names only real ones.
  const outputs = [...(n.output ?? [])];
  while (outputs.length > 0 && outputs[outputs.length - 1] === '') outputs.pop();
  g.addNode(op, n.input ?? [], attrs, outputs, n.name || undefined);
}

/** Constant's value_float(s) / value_int(s) forms (opset 12+), as a `value` tensor. */
function constantShorthand(a: AttributeProto): Tensor | undefined {
  switch (a.name) {
    case 'value_float':
      return createTensor('float32', [], Float32Array.from([a.f ?? 0]));
    case 'value_floats':
      return createTensor('float32', [a.floats?.length ?? 0], Float32Array.from(a.floats ?? []));
    case 'value_int':
      return createTensor('int64', [], BigInt64Array.from([BigInt(toNumber(a.i as Int64Like))]));
    case 'value_ints': {
      const ints = ((a.ints ?? []) as Int64Like[]).map((v) => BigInt(toNumber(v)));
      return createTensor('int64', [ints.length], BigInt64Array.from(ints));
    }
    default:
      return undefined;
  }
}

function attributeValue(
  op: string,
  a: AttributeProto,
  kind: AttributeKind | undefined,
): AttributeValue {
  if (!kind)
    throw new GraphError(
      'GRAPH_UNSUPPORTED_OP',
      `${op} attribute ${a.name ?? ''} is not supported.`,
    );
  switch (kind) {
    case 'int':
      return toNumber(a.i as Int64Like);
    case 'float':
      return a.f ?? 0;
    case 'ints':
      return ((a.ints ?? []) as Int64Like[]).map(toNumber);
    case 'floats':
      return [...(a.floats ?? [])];
    case 'string':
      return new TextDecoder().decode(a.s ?? new Uint8Array());
    case 'tensor':
      if (!a.t) throw new GraphError('ONNX_INVALID', `${op}.${a.name ?? ''} has no tensor.`);
      return tensorFromProto(a.t, `${op}.${a.name ?? ''}`);
    case 'dtype':
      return dtypeFromOnnx(toNumber(a.i as Int64Like), `${op}.${a.name ?? ''}`);
  }
}
