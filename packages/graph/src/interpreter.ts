import { feedMismatch } from './feeds.js';
import type { Tensor } from '@actllm/core';
import { isActllmError, tensorProblem } from '@actllm/core';
import type { Graph, Node, TensorRef } from './ir.js';
import { GraphError } from './errors.js';
import { getOp } from './registry.js';
import { formatShape } from './shape.js';
import { checkGraphArgument, checkOptions } from './validate.js';
import {
  LIMITS,
  bytesPerElement,
  fromTensor,
  toTensor,
  toWideTensor,
  activeLimits,
  withLimits,
  type Limits,
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
  /** Resource limits of this run (default `LIMITS`); exceeding one is GRAPH_LIMIT_EXCEEDED. */
  readonly limits?: Partial<Limits>;
}

const RUN_OPTIONS = {
  precision: ['float32', 'float64'],
  outputs: 'strings',
  limits: 'limits',
} as const;

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
  checkGraphArgument(graph, 'run');
  if (typeof feeds !== 'object' || feeds === null || Array.isArray(feeds)) {
    throw new GraphError(
      'GRAPH_INVALID_ARGUMENT',
      'run(graph, feeds) needs feeds as an object of tensors by name.',
    );
  }
  checkOptions(options, RUN_OPTIONS, 'run');
  const precision = options.precision ?? 'float32';
  const wanted = options.outputs ?? graph.outputs.map((o) => o.name);
  checkWanted(graph, wanted);
  const limits: Limits = { ...LIMITS, ...options.limits };
  const values = withLimits(limits, () => evaluate(graph, feeds, wanted, precision));
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
    const feed = Object.hasOwn(feeds, ref.name) ? feeds[ref.name] : undefined;
    if (!feed) {
      const isParam = graph.parameters.some((p) => p.name === ref.name);
      throw new GraphError(
        'GRAPH_MISSING_FEED',
        isParam
          ? `Parameter ${ref.name} has no value; pass the weights from initParameters(graph, seed) (or a checkpoint) with the feeds.`
          : `Input ${ref.name} (${ref.dtype}${formatShape(ref.shape)}) was not fed.`,
      );
    }
    checkFeed(ref, feed, bindings, precision);
    env.set(ref.name, fromTensor(feed, precision));
  }
  const nodes = neededNodes(graph.nodes, wanted, env);
  const lastUse = lastUses(nodes, wanted);
  const memory = new LiveBytes(precision);
  for (const v of env.values()) memory.add(v);
  nodes.forEach((node, step) => {
    for (const name of runNode(node, env, precision)) memory.add(env.get(name) as Value, node);
    for (const name of node.inputs) {
      if (lastUse.get(name) !== step) continue;
      const v = env.get(name);
      if (v) memory.remove(v);
      env.delete(name);
    }
  });
  for (const name of wanted) {
    if (!env.has(name))
      throw new GraphError(
        'GRAPH_INVALID',
        `${name} was not computed: no node of graph ${graph.name} writes it.`,
      );
  }
  return env;
}

/** Refuses outputs that name no tensor of the graph, before anything runs. */
function checkWanted(graph: Graph, wanted: readonly string[]): void {
  const known = new Set<string>([
    ...graph.inputs.map((r) => r.name),
    ...graph.parameters.map((r) => r.name),
    ...graph.nodes.flatMap((n) => n.outputs),
  ]);
  const unknown = wanted.filter((name) => !known.has(name));
  if (unknown.length > 0) {
    throw new GraphError(
      'GRAPH_UNKNOWN_OUTPUT',
      `Graph ${graph.name} has no tensor named ${unknown.slice(0, 5).join(', ')}; ask for one of its outputs (${graph.outputs.map((o) => o.name).join(', ')}) or another tensor it computes.`,
    );
  }
}

/** The bytes of the tensors alive in a run, against `maxBytes` of the active limits. */
class LiveBytes {
  #bytes = 0;
  readonly #precision: Precision;
  readonly #max: number;

  constructor(precision: Precision) {
    this.#precision = precision;
    this.#max = activeLimits().maxBytes;
  }

  add(v: Value, node?: Node): void {
    this.#bytes += v.data.length * bytesPerElement(v.dtype, this.#precision);
    if (this.#bytes > this.#max) {
      const where = node ? `after ${node.op} ${node.name}` : 'for the feeds';
      throw new GraphError(
        'GRAPH_LIMIT_EXCEEDED',
        `The run would hold ${this.#bytes} bytes of tensors ${where}, above the limit of ${this.#max}; feed smaller inputs, or raise limits.maxBytes.`,
      );
    }
  }

  remove(v: Value): void {
    this.#bytes -= v.data.length * bytesPerElement(v.dtype, this.#precision);
  }
}

/** Runs one node; returns the names of the outputs it set. */
function runNode(node: Node, env: Map<string, Value>, precision: Precision): string[] {
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
  const set: string[] = [];
  node.outputs.forEach((name, i) => {
    const v = outputs[i];
    if (v && name !== '') {
      env.set(name, v);
      set.push(name);
    }
  });
  return set;
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
function checkFeed(
  ref: TensorRef,
  feed: Tensor | WideTensor,
  bindings: Map<string, number>,
  precision: Precision,
): void {
  const problem = tensorProblem(feed, { float64: precision === 'float64' });
  if (problem !== undefined) {
    throw new GraphError('GRAPH_INVALID_FEED', `Feed ${ref.name} is not usable: ${problem}.`);
  }
  const why = feedMismatch(ref, feed, bindings);
  if (why !== undefined) throw new GraphError('GRAPH_INVALID_FEED', `Feed ${why}.`);
}
