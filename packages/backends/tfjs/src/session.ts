import type * as tf from '@tensorflow/tfjs-core';
import type { DType, InferenceSession, SessionOptions, Tensor, TensorMap } from '@actllm/core';
import type { Graph } from '@actllm/graph';
import { TfjsBackendError } from './errors.js';
import { fromTf } from './convert.js';
import { RunContext } from './context.js';
import { disposeAll, loadFeeds } from './feeds.js';
import type { RuntimeName } from './runtime.js';

function hostDtype(t: tf.Tensor): DType {
  return t.dtype === 'bool' ? 'bool' : t.dtype === 'int32' ? 'int32' : 'float32';
}

/** Reads a plan's results back to the host, freeing them. */
export function readOutputs(
  context: RunContext,
  result: Record<string, tf.Tensor>,
  names: readonly string[],
): Record<string, Tensor> {
  const out: Record<string, Tensor> = {};
  try {
    for (const name of names) {
      const t = result[name] as tf.Tensor;
      out[name] = fromTf(t, context.typeOf(name)?.dtype ?? hostDtype(t));
    }
  } finally {
    disposeAll(Object.values(result));
  }
  return out;
}

export class TfjsSession implements InferenceSession {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  readonly #graph: Graph;
  readonly #context: RunContext;
  readonly #weights: Map<string, tf.Tensor>;
  #disposed = false;

  private constructor(graph: Graph, context: RunContext, weights: Map<string, tf.Tensor>) {
    this.#graph = graph;
    this.#context = context;
    this.#weights = weights;
    this.inputNames = graph.inputs.map((i) => i.name);
    this.outputNames = graph.outputs.map((o) => o.name);
  }

  /** The runtime this session computes on. */
  get runtime(): RuntimeName {
    return this.#context.runtime;
  }

  static async create(
    graph: Graph,
    weights: TensorMap,
    available: readonly RuntimeName[],
    options: SessionOptions | undefined,
  ): Promise<TfjsSession> {
    const context = await RunContext.create(graph, available, options);
    // Weights live on the backend for the session's lifetime; only feeds move per run.
    const loaded = loadFeeds(graph.parameters, weights, 'Weight');
    const session = new TfjsSession(graph, context, loaded);
    // Compiling the default plan now surfaces unsupported ops at load time, not on first run.
    try {
      context.plan(session.outputNames);
    } catch (error) {
      session.dispose();
      throw error;
    }
    return session;
  }

  async run(feeds: TensorMap, outputs?: readonly string[]): Promise<TensorMap> {
    if (this.#disposed) {
      throw new TfjsBackendError('TFJS_DISPOSED', 'This session was disposed; create a new one.');
    }
    // Graph's front door has checked feeds and output names.
    const wanted = [...new Set(outputs ?? this.outputNames)];
    await this.#context.enter();
    const plan = this.#context.plan(wanted);
    const loaded = loadFeeds(this.#graph.inputs, feeds, 'Input');
    try {
      const result = plan.execute(new Map([...this.#weights, ...loaded]));
      return readOutputs(this.#context, result, wanted);
    } finally {
      disposeAll(loaded.values());
    }
  }

  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    disposeAll(this.#weights.values());
    this.#weights.clear();
    this.#context.dispose();
  }
}
