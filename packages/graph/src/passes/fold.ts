import type { Tensor } from '@actllm/core';
import type { Graph, Node } from '../ir.js';
import { inferTypes } from '../infer.js';
import type { InferInput } from '../op-def.js';
import { getOp } from '../registry.js';
import { fromTensor, toTensor, type Value } from '../values.js';
import { eliminateDeadCode } from './dce.js';

export interface FoldOptions {
  /** Results larger than this stay computed at run time (default 2^20 elements). */
  readonly maxElements?: number;
}

/**
 * Constant folding: a node whose inputs are all constants is evaluated once with the
 * reference kernels (float32, as a backend would) and replaced by Constant nodes; a Shape
 * of a tensor with a concrete shape becomes a constant too. Dead nodes are then removed.
 */
export function foldConstants(graph: Graph, options: FoldOptions = {}): Graph {
  const limit = options.maxElements ?? 1 << 20;
  const types = inferTypes(graph);
  const known = new Map<string, Value>();
  const nodes = graph.nodes.map((node) => foldNode(node, known, types, limit));
  return eliminateDeadCode({ ...graph, nodes: nodes.flat() });
}

function constantNode(name: string, value: Tensor, from: Node, k: number): Node {
  return {
    op: 'Constant',
    name: `${from.name}_folded${k}`,
    inputs: [],
    outputs: [name],
    attributes: { value },
  };
}

function foldNode(
  node: Node,
  known: Map<string, Value>,
  types: ReadonlyMap<string, InferInput>,
  limit: number,
): Node[] {
  const def = getOp(node.op);
  if (node.op === 'Constant') {
    const out = node.outputs[0] as string;
    known.set(out, fromTensor(node.attributes['value'] as Tensor, 'float32'));
    return [node];
  }
  const fromTypes = def.foldFromTypes?.(
    node.inputs.map((n) => types.get(n)),
    node.attributes,
  );
  const first = node.outputs[0] as string;
  if (fromTypes && fromTypes.every((d) => typeof d === 'number')) {
    const value: Value = {
      dtype: 'int64',
      shape: [fromTypes.length],
      data: Float64Array.from(fromTypes),
    };
    known.set(first, value);
    return [constantNode(first, toTensor(value), node, 0)];
  }
  const inputs = node.inputs.map((n) => (n === '' ? undefined : known.get(n)));
  if (node.inputs.some((n, i) => n !== '' && inputs[i] === undefined)) return [node];
  const outputs = def.kernel(inputs, node.attributes, {
    precision: 'float32',
    outputCount: node.outputs.length,
  });
  if (outputs.some((v) => v.data.length > limit)) return [node];
  return node.outputs.map((name, k) => {
    const v = outputs[k] as Value;
    known.set(name, v);
    return constantNode(name, toTensor(v), node, k);
  });
}
