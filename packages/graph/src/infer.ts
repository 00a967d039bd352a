import type { Graph, TensorRef } from './ir.js';
import { GraphBuilder } from './builder.js';

/** The dtype and shape of every tensor of a graph, re-inferred from its nodes. */
export function inferTypes(graph: Graph): Map<string, TensorRef> {
  const g = GraphBuilder.from(graph);
  const out = new Map<string, TensorRef>();
  for (const r of [...graph.inputs, ...graph.parameters]) out.set(r.name, g.ref(r.name));
  for (const n of graph.nodes) for (const o of n.outputs) if (o !== '') out.set(o, g.ref(o));
  return out;
}
