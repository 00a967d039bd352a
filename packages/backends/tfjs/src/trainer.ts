import * as tf from '@tensorflow/tfjs';
import {
  createTensor,
  type SessionOptions,
  type Tensor,
  type TensorMap,
  type Trainer,
} from '@actllm/core';
import { LR_INPUT, nextName, type Graph, type TensorRef } from '@actllm/graph';
import { TfjsBackendError } from './errors.js';
import { fromTf } from './convert.js';
import { RunContext, readExtra } from './context.js';
import { disposeAll, loadFeeds } from './feeds.js';
import { readOutputs } from './session.js';
import type { RuntimeName } from './runtime.js';

/**
 * A training-step graph (from `buildTrainingStep`) run step after step. Every graph input X
 * with an output `X.next` is state (parameters, moments, step count): it stays on the
 * backend, and each step replaces it by its next value and frees the old one, so the
 * number of live tensors does not grow. The other inputs come with each batch.
 */

interface Wiring {
  /** State input -> the output that replaces it. */
  readonly updates: ReadonlyMap<string, string>;
  readonly stateRefs: readonly TensorRef[];
  readonly batchRefs: readonly TensorRef[];
  /** Outputs a step reports (loss, gradient norm, ...). */
  readonly reported: readonly string[];
}

export function wiringOf(graph: Graph): Wiring {
  const outputs = new Set(graph.outputs.map((o) => o.name));
  const updates = new Map<string, string>();
  for (const input of graph.inputs) {
    if (outputs.has(nextName(input.name))) updates.set(input.name, nextName(input.name));
  }
  if (updates.size === 0) {
    throw new TfjsBackendError(
      'TFJS_NOT_A_TRAINING_GRAPH',
      `Graph ${graph.name} has no state outputs (an output "X.next" for an input X); build it with buildTrainingStep(), or use createSession for inference.`,
    );
  }
  const updated = new Set(updates.values());
  return {
    updates,
    stateRefs: graph.inputs.filter((i) => updates.has(i.name)),
    batchRefs: graph.inputs.filter((i) => !updates.has(i.name)),
    reported: graph.outputs.map((o) => o.name).filter((n) => !updated.has(n)),
  };
}

export class TfjsTrainer implements Trainer {
  readonly #graph: Graph;
  readonly #context: RunContext;
  readonly #wiring: Wiring;
  readonly #state: Map<string, tf.Tensor>;
  readonly #learningRate: number | undefined;
  #queue: Promise<unknown> = Promise.resolve();
  #disposed = false;

  private constructor(
    graph: Graph,
    context: RunContext,
    wiring: Wiring,
    state: Map<string, tf.Tensor>,
    lr: number | undefined,
  ) {
    this.#graph = graph;
    this.#context = context;
    this.#wiring = wiring;
    this.#state = state;
    this.#learningRate = lr;
  }

  get runtime(): RuntimeName {
    return this.#context.runtime;
  }

  static async create(
    graph: Graph,
    state: TensorMap,
    available: readonly RuntimeName[],
    options: SessionOptions | undefined,
  ): Promise<TfjsTrainer> {
    const wiring = wiringOf(graph);
    const context = await RunContext.create(graph, available, options);
    // Frozen parameters are state that no step changes.
    const refs = [...wiring.stateRefs, ...graph.parameters];
    const loaded = loadFeeds(refs, state, new Map(), 'State');
    return new TfjsTrainer(graph, context, wiring, loaded, readExtra(options).learningRate);
  }

  step(batch: TensorMap): Promise<TensorMap> {
    // Steps read the state the previous one wrote: run them one after another.
    const run = this.#queue.then(() => this.#step(batch));
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async #step(batch: TensorMap): Promise<TensorMap> {
    this.#assertLive();
    await this.#context.enter();
    const plan = this.#context.plan(this.#graph.outputs.map((o) => o.name));
    const loaded = loadFeeds(
      this.#wiring.batchRefs,
      this.#withLearningRate(batch),
      new Map(),
      'Batch input',
    );
    let result: Record<string, tf.Tensor>;
    try {
      result = plan.execute(new Map([...this.#state, ...loaded]));
    } finally {
      disposeAll(loaded.values());
    }
    for (const [input, output] of this.#wiring.updates) {
      this.#state.get(input)?.dispose();
      this.#state.set(input, result[output] as tf.Tensor);
    }
    const reported = Object.fromEntries(
      this.#wiring.reported.map((n) => [n, result[n] as tf.Tensor]),
    );
    return readOutputs(this.#context, reported, this.#wiring.reported);
  }

  #withLearningRate(batch: TensorMap): TensorMap {
    const needsLr = this.#wiring.batchRefs.some((r) => r.name === LR_INPUT);
    if (!needsLr || batch[LR_INPUT] || this.#learningRate === undefined) return batch;
    return {
      ...batch,
      [LR_INPUT]: createTensor('float32', [], Float32Array.of(this.#learningRate)),
    };
  }

  async state(): Promise<TensorMap> {
    await this.#queue;
    this.#assertLive();
    const refs = [...this.#wiring.stateRefs, ...this.#graph.parameters];
    const out: Record<string, Tensor> = {};
    for (const ref of refs)
      out[ref.name] = fromTf(this.#state.get(ref.name) as tf.Tensor, ref.dtype);
    return out;
  }

  #assertLive(): void {
    if (this.#disposed) {
      throw new TfjsBackendError('TFJS_DISPOSED', 'This trainer was disposed; create a new one.');
    }
  }

  async dispose(): Promise<void> {
    await this.#queue;
    if (this.#disposed) return;
    this.#disposed = true;
    disposeAll(this.#state.values());
    this.#state.clear();
    this.#context.dispose();
  }
}

/** The number of tensors tfjs holds (for leak checks). */
export function liveTensors(): number {
  return tf.memory().numTensors;
}
