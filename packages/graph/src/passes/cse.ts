import type { Tensor } from '@actllm/core';
import type { AttributeValue, Graph, Node } from '../ir.js';

/**
 * Common-subexpression elimination: a node with the same op, the same inputs and the same
 * attributes as an earlier one is dropped and its outputs read from the earlier node.
 * Nodes that produce graph outputs keep their names and are never dropped.
 */
export function eliminateCommonSubexpressions(graph: Graph): Graph {
  const outputs = new Set(graph.outputs.map((o) => o.name));
  const rename = new Map<string, string>();
  const seen = new Map<string, Node>();
  const nodes: Node[] = [];
  for (const original of graph.nodes) {
    const node = { ...original, inputs: original.inputs.map((n) => rename.get(n) ?? n) };
    const key = nodeKey(node);
    const earlier = seen.get(key);
    if (earlier && !node.outputs.some((o) => outputs.has(o))) {
      node.outputs.forEach((o, i) => rename.set(o, earlier.outputs[i] as string));
      continue;
    }
    if (!earlier) seen.set(key, node);
    nodes.push(node);
  }
  return { ...graph, nodes };
}

function nodeKey(node: Node): string {
  const attrs = Object.keys(node.attributes)
    .sort()
    .map((k) => [k, attributeKey(node.attributes[k] as AttributeValue)]);
  return JSON.stringify([node.op, node.inputs, node.outputs.length, attrs]);
}

function attributeKey(value: AttributeValue): unknown {
  if (typeof value !== 'object' || Array.isArray(value)) return value;
  const t = value as Tensor;
  return {
    dtype: t.dtype,
    shape: t.shape,
    data: Array.from(t.data as ArrayLike<number | bigint>, String),
  };
}
