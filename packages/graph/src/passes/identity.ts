import type { Graph, Node } from '../ir.js';

/**
 * Identity elimination: readers of an Identity node read its input instead. An Identity
 * that names a graph output (the builder's `output(ref, name)` makes one) is removed by
 * giving its name to the node that produced the value, so no runtime copies the tensor.
 * It stays when its input is a graph input, a parameter or another output: there is no
 * node to rename, or two outputs would share one name.
 */
export function eliminateIdentities(graph: Graph): Graph {
  const outputs = new Set(graph.outputs.map((o) => o.name));
  const produced = new Set(graph.nodes.flatMap((n) => n.outputs));
  const alias = new Map<string, string>(); // Identity output -> the value it copies
  const rename = new Map<string, string>(); // producer output -> the graph output's name
  for (const node of graph.nodes) {
    if (node.op !== 'Identity') continue;
    const input = resolve(alias, node.inputs[0] as string);
    const output = node.outputs[0] as string;
    if (!outputs.has(output)) alias.set(output, input);
    else if (produced.has(input) && !outputs.has(input) && !rename.has(input)) {
      rename.set(input, output);
    }
  }
  const name = (n: string): string => {
    const value = resolve(alias, n);
    return rename.get(value) ?? value;
  };
  const nodes: Node[] = [];
  for (const node of graph.nodes) {
    const inputs = node.inputs.map((n) => (n === '' ? n : name(n)));
    if (node.op === 'Identity' && removable(node, inputs, outputs)) continue;
    nodes.push({ ...node, inputs, outputs: node.outputs.map((o) => rename.get(o) ?? o) });
  }
  return { ...graph, nodes };
}

/** An Identity goes when it is not an output, or when its input was renamed to its output. */
function removable(node: Node, inputs: readonly string[], outputs: ReadonlySet<string>): boolean {
  const output = node.outputs[0] as string;
  return !outputs.has(output) || inputs[0] === output;
}

function resolve(alias: ReadonlyMap<string, string>, name: string): string {
  return alias.get(name) ?? name;
}
