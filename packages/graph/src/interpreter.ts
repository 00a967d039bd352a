import { feedMismatch } from './feeds.js';
import type { Tensor } from '@actllm/core';
import { isActllmError } from '@actllm/core';
import type { Graph, Node, TensorRef } from './ir.js';
import { GraphError } from './errors.js';
import { getOp } from './registry.js';
import { formatShape } from './shape.js';
import {
  fromTensor,
  toTensor,
  toWideTensor,
  type Precision,
  type Value,
  type WideTensor,
} from './values.js';

/**
 * The reference interpreter: slow, exact, plain TypeScript. Every backend is tested against
 * it. Feeds name every graph input and every parameter (see `initParameters`).
 */

export interface RunOptions {
  /** `float64` computes float32 tensors in double precision and returns Float64Arrays. */
  readonly precision?: Precision;
  /** Outputs to compute (default: all graph outputs); any tensor of the graph may be named. */
  readonly outputs?: readonly string[];
}

export function run(
  graph: Graph,
  feeds: Readonly<Record<string, Tensor>>,
  options?: RunOptions & { readonly precision?: 'float32' },
): Record<string, Tensor>;
export function run(
  graph: Graph,
  feeds: Readonly<Record<string, Tensor | WideTensor>>,
  options: RunOptions & { readonly precision: 'float64' },
): Record<string, WideTensor>;
export function run(
  graph: Graph,
  feeds: Readonly<Record<string, Tensor | WideTensor>>,
  options: RunOptions = {},
): Record<string, Tensor | WideTensor> {
  const precision = options.precision ?? 'float32';
  const wanted = options.outputs ?? graph.outputs.map((o) => o.name);
  const values = evaluate(graph, feeds, wanted, precision);
  const out: Record<string, Tensor | WideTensor> = {};
  for (const name of wanted) {
    const v = values.get(name) as Value;
    out[name] = precision === 'float64' ? toWideTensor(v) : toTensor(v);
  }
  return out;
}

/** Runs the nodes needed for `wanted`; returns every value still alive at the end. */
function evaluate(
  graph: Graph,
  feeds: Readonly<Record<string, Tensor | WideTensor>>,
  wanted: readonly string[],
  precision: Precision,
): Map<string, Value> {
  const env = new Map<string, Value>();
  const bindings = new Map<string, number>();
  const sources: TensorRef[] = [...graph.inputs, ...graph.parameters];
  for (const ref of sources) {
    const feed = feeds[ref.name];
    if (!feed) {
      const isParam = graph.parameters.some((p) => p.name === ref.name);
      throw new GraphError(
        'GRAPH_MISSING_FEED',
        isParam
          ? `Parameter ${ref.name} has no value; pass the weights from initParameters(graph, seed) (or a checkpoint) with the feeds.`
          : `Input ${ref.name} (${ref.dtype}${formatShape(ref.shape)}) was not fed.`,
      );
    }
    checkFeed(ref, feed, bindings);
    env.set(ref.name, fromTensor(feed, precision));
  }
  const nodes = neededNodes(graph.nodes, wanted, env);
  const lastUse = lastUses(nodes, wanted);
  nodes.forEach((node, step) => {
    runNode(node, env, precision);
    for (const name of node.inputs) if (lastUse.get(name) === step) env.delete(name);
  });
  for (const name of wanted) {
    if (!env.has(name))
      throw new GraphError('GRAPH_INVALID', `No tensor named ${name} in graph ${graph.name}.`);
  }
  return env;
}

function runNode(node: Node, env: Map<string, Value>, precision: Precision): void {
  const inputs = node.inputs.map((name) => {
    if (name === '') return undefined;
    const v = env.get(name);
    if (!v)
      throw new GraphError(
        'GRAPH_INVALID',
        `${node.op} ${node.name} reads ${name} before it is computed.`,
      );
    return v;
  });
  let outputs: Value[];
  try {
    outputs = getOp(node.op).kernel(inputs, node.attributes, {
      precision,
      outputCount: node.outputs.length,
    });
  } catch (error) {
    if (isActllmError(error)) throw error;
    throw new GraphError('GRAPH_RUNTIME', `${node.op} ${node.name} failed: ${String(error)}`, {
      cause: error,
    });
  }
  node.outputs.forEach((name, i) => {
    const v = outputs[i];
    if (v && name !== '') env.set(name, v);
  });
}

/** The nodes that `wanted` depends on, in graph order. */
function neededNodes(
  nodes: readonly Node[],
  wanted: readonly string[],
  available: ReadonlyMap<string, Value>,
): Node[] {
  const needed = new Set(wanted);
  const keep: boolean[] = new Array<boolean>(nodes.length).fill(false);
  for (let i = nodes.length - 1; i >= 0; i--) {
    const node = nodes[i] as Node;
    if (node.outputs.some((o) => needed.has(o) && !available.has(o))) {
      keep[i] = true;
      for (const name of node.inputs) if (name !== '') needed.add(name);
    }
  }
  return nodes.filter((_, i) => keep[i]);
}

function lastUses(nodes: readonly Node[], wanted: readonly string[]): Map<string, number> {
  const last = new Map<string, number>();
  nodes.forEach((node, i) => node.inputs.forEach((name) => last.set(name, i)));
  for (const name of wanted) last.delete(name);
  return last;
}

/** Checks a feed's dtype and shape, binding symbolic dimensions consistently across feeds. */
function checkFeed(ref: TensorRef, feed: Tensor | WideTensor, bindings: Map<string, number>): void {
  const why = feedMismatch(ref, feed, bindings);
  if (why !== undefined) throw new GraphError('GRAPH_SHAPE_MISMATCH', `Feed ${why}.`);
}
