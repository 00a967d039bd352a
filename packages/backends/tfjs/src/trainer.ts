import * as tf from '@tensorflow/tfjs-core';
import { type SessionOptions, type Tensor, type TensorMap, type Trainer } from '@actllm/core';
import type { TensorRef, TrainingStep } from '@actllm/graph';
import { TfjsBackendError } from './errors.js';
import { fromTf } from './convert.js';
import { RunContext } from './context.js';
import { disposeAll, loadFeeds } from './feeds.js';
import { readOutputs } from './session.js';
import type { RuntimeName } from './runtime.js';

/**
 * A training step (from `buildTrainingStep`, checked by graph's `createTrainer`) run step
 * after step. Its state inputs (parameters, moments, step count) stay on the backend, and
 * each step replaces them by their next values and frees the old ones, so the number of
 * live tensors does not grow. The other inputs come with each batch.
 */
export class TfjsTrainer implements Trainer {
  readonly #step: TrainingStep;
  readonly #context: RunContext;
  readonly #state: Map<string, tf.Tensor>;
  #queue: Promise<unknown> = Promise.resolve();
  #disposed = false;

  private constructor(step: TrainingStep, context: RunContext, state: Map<string, tf.Tensor>) {
    this.#step = step;
    this.#context = context;
    this.#state = state;
  }

  get runtime(): RuntimeName {
    return this.#context.runtime;
  }

  static async create(
    step: TrainingStep,
    state: TensorMap,
    available: readonly RuntimeName[],
    options: SessionOptions | undefined,
  ): Promise<TfjsTrainer> {
    const context = await RunContext.create(step.graph, available, options);
    // Frozen parameters are state that no step changes.
    const loaded = loadFeeds(stateRefs(step), state, 'State');
    return new TfjsTrainer(step, context, loaded);
  }

  step(batch: TensorMap): Promise<TensorMap> {
    // Steps read the state the previous one wrote: run them one after another.
    const run = this.#queue.then(() => this.#run(batch));
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async #run(batch: TensorMap): Promise<TensorMap> {
    this.#assertLive();
    await this.#context.enter();
    const step = this.#step;
    const plan = this.#context.plan([...step.reported, ...Object.values(step.updates)]);
    const loaded = loadFeeds(batchRefs(step), batch, 'Batch input');
    let result: Record<string, tf.Tensor>;
    try {
      result = plan.execute(new Map([...this.#state, ...loaded]));
    } finally {
      disposeAll(loaded.values());
    }
    for (const [input, output] of Object.entries(step.updates)) {
      this.#state.get(input)?.dispose();
      this.#state.set(input, result[output] as tf.Tensor);
    }
    const reported = Object.fromEntries(step.reported.map((n) => [n, result[n] as tf.Tensor]));
    return readOutputs(this.#context, reported, step.reported);
  }

  async state(): Promise<TensorMap> {
    await this.#queue;
    this.#assertLive();
    const out: Record<string, Tensor> = {};
    for (const ref of stateRefs(this.#step))
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

/** The tensors a trainer keeps: the updated state inputs and the frozen parameters. */
function stateRefs(step: TrainingStep): TensorRef[] {
  const updated = new Set(Object.keys(step.updates));
  return [...step.graph.inputs.filter((i) => updated.has(i.name)), ...step.graph.parameters];
}

function batchRefs(step: TrainingStep): TensorRef[] {
  const batch = new Set(step.batchInputs);
  return step.graph.inputs.filter((i) => batch.has(i.name));
}

/** The number of tensors tfjs holds (for leak checks). */
export function liveTensors(): number {
  return tf.memory().numTensors;
}
