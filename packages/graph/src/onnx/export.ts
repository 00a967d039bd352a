import type { Tensor } from '@actllm/core';
import type { AttributeValue, Graph, Node, TensorRef } from '../ir.js';
import type { AttributeKind } from '../op-def.js';
import { GraphError } from '../errors.js';
import { getOp } from '../registry.js';
import { inferTypes } from '../infer.js';
import { onnx } from './proto.js';
import { ONNX_DTYPE, tensorToProto } from './tensors.js';
import { checkGraphArgument } from '../validate.js';

/** ONNX IR version 8 (ONNX 1.10+), which onnxruntime reads for opset 17. */
export const ONNX_IR_VERSION = 8;

const ATTRIBUTE_TYPE: Readonly<Record<AttributeKind, number>> = {
  float: 1,
  int: 2,
  string: 3,
  tensor: 4,
  floats: 6,
  ints: 7,
  dtype: 2,
};

/** A symbol that is a plain name becomes dim_param; derived ones ('batch*seq') stay unknown. */
function dimProto(d: number | string): { dimValue?: number; dimParam?: string } {
  if (typeof d === 'number') return { dimValue: d };
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(d) ? { dimParam: d } : {};
}

function valueInfo(ref: TensorRef): InstanceType<typeof onnx.ValueInfoProto> {
  return onnx.ValueInfoProto.create({
    name: ref.name,
    type: {
      tensorType: { elemType: ONNX_DTYPE[ref.dtype], shape: { dim: ref.shape.map(dimProto) } },
    },
  });
}

function attributeProto(
  op: string,
  name: string,
  kind: AttributeKind | undefined,
  value: AttributeValue,
) {
  if (!kind)
    throw new GraphError(
      'GRAPH_INVALID',
      `${op} has no attribute ${name}; see its OpDef.attributes.`,
    );
  const base = { name, type: ATTRIBUTE_TYPE[kind] };
  switch (kind) {
    case 'int':
      return onnx.AttributeProto.create({ ...base, i: value as number });
    case 'float':
      return onnx.AttributeProto.create({ ...base, f: value as number });
    case 'ints':
      return onnx.AttributeProto.create({ ...base, ints: [...(value as number[])] });
    case 'floats':
      return onnx.AttributeProto.create({ ...base, floats: [...(value as number[])] });
    case 'string':
      return onnx.AttributeProto.create({ ...base, s: new TextEncoder().encode(value as string) });
    case 'tensor':
      return onnx.AttributeProto.create({ ...base, t: tensorToProto(value as Tensor) });
    case 'dtype':
      return onnx.AttributeProto.create({ ...base, i: ONNX_DTYPE[value as Tensor['dtype']] });
  }
}

function trimTrailingEmpty(names: readonly string[]): string[] {
  const out = [...names];
  while (out.length > 0 && out[out.length - 1] === '') out.pop();
  return out;
}

function nodeProto(node: Node): InstanceType<typeof onnx.NodeProto> {
  const def = getOp(node.op);
  return onnx.NodeProto.create({
    name: node.name,
    opType: node.op,
    domain: '',
    input: trimTrailingEmpty(node.inputs),
    output: [...node.outputs],
    attribute: Object.entries(node.attributes).map(([k, v]) =>
      attributeProto(node.op, k, def.attributes[k], v),
    ),
  });
}

export interface ToOnnxOptions {
  readonly producerVersion?: string;
  /** Write value_info for every intermediate tensor (default false). */
  readonly valueInfo?: boolean;
}

/**
 * Serializes a graph to ONNX ModelProto bytes (opset 17, IR version 8). Parameters become
 * initializers with the given weights; graph inputs and outputs keep their symbolic dims.
 */
export function toOnnx(
  graph: Graph,
  weights: Readonly<Record<string, Tensor>>,
  options: ToOnnxOptions = {},
): Uint8Array {
  checkGraphArgument(graph, 'toOnnx');
  if (typeof weights !== 'object' || weights === null) {
    throw new GraphError(
      'GRAPH_INVALID_ARGUMENT',
      'toOnnx(graph, weights) needs the weights as an object of tensors by name.',
    );
  }
  const initializer = graph.parameters.map((p) => {
    const w = weights[p.name];
    if (!w)
      throw new GraphError(
        'GRAPH_MISSING_FEED',
        `No weights for parameter ${p.name}; pass initParameters(graph, seed) or a checkpoint.`,
      );
    if (
      w.dtype !== p.dtype ||
      w.shape.length !== p.shape.length ||
      w.shape.some((d, i) => d !== p.shape[i])
    ) {
      throw new GraphError(
        'GRAPH_SHAPE_MISMATCH',
        `Weights for ${p.name} are ${w.dtype}[${w.shape.join(', ')}]; the graph declares ${p.dtype}[${p.shape.join(', ')}].`,
      );
    }
    return tensorToProto(w, p.name);
  });
  const types = options.valueInfo === true ? inferTypes(graph) : undefined;
  const boundary = new Set(
    [...graph.inputs, ...graph.outputs, ...graph.parameters].map((r) => r.name),
  );
  const model = onnx.ModelProto.create({
    irVersion: ONNX_IR_VERSION,
    producerName: '@actllm/graph',
    producerVersion: options.producerVersion ?? '',
    opsetImport: [{ domain: '', version: graph.opset }],
    graph: {
      name: graph.name,
      node: graph.nodes.map(nodeProto),
      initializer,
      input: graph.inputs.map(valueInfo),
      output: graph.outputs.map(valueInfo),
      valueInfo: types
        ? [...types.values()].filter((r) => !boundary.has(r.name)).map(valueInfo)
        : [],
    },
  });
  return onnx.ModelProto.encode(model).finish();
}
