import type { Graph, Node } from '../ir.js';

/**
 * Dead-code elimination: keeps the nodes the outputs depend on, and the parameters they
 * read. Graph inputs are the interface and always stay.
 */
export function eliminateDeadCode(graph: Graph): Graph {
  const needed = new Set(graph.outputs.map((o) => o.name));
  const keep: Node[] = [];
  for (let i = graph.nodes.length - 1; i >= 0; i--) {
    const node = graph.nodes[i] as Node;
    if (!node.outputs.some((o) => needed.has(o))) continue;
    keep.push(node);
    for (const name of node.inputs) if (name !== '') needed.add(name);
  }
  return {
    ...graph,
    nodes: keep.reverse(),
    parameters: graph.parameters.filter((p) => needed.has(p.name)),
  };
}
