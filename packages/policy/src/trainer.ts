import { Rng, createTensor, type Tensor, type TensorMap } from '@actllm/core';
import {
  LR_INPUT,
  STEP_INPUT,
  buildTrainingStep,
  createTrainer,
  initParameters,
  initTrainingState,
  momentNames,
  type Graph,
  type GraphSessionOptions,
  type GraphTrainer,
  type TrainingStep,
} from '@actllm/graph';
import type { Tokenizer } from '@actllm/dialogue';
import { validatePolicyConfig, type PolicyConfig } from './config.js';
import { PixelCache, collate, imagesPerView, type StepSample } from './batch.js';
import { POLICY_NAMES, buildPolicyGraph } from './model.js';
import { PolicyError } from './errors.js';
import { loadCheckpoint, saveCheckpoint, type Checkpoint } from './checkpoint.js';

/**
 * Training the policy: batches of step samples, one AdamW graph per step (forward, the
 * four losses, backward, update) on whichever registered backend can train, a warm-up then
 * cosine learning-rate schedule, gradient clipping, progress through a callback, and
 * checkpoints that resume bit for bit (weights, optimizer moments, data position).
 */
export interface TrainOptions {
  /** Optimizer steps in all. */
  readonly steps: number;
  readonly batchSize: number;
  /** Peak learning rate (default 3e-3), reached after `warmup` steps (default 5% of steps). */
  readonly lr?: number;
  readonly warmup?: number;
  /** The cosine decay ends at `lr * minLrRatio` (default 0.1). */
  readonly minLrRatio?: number;
  readonly weightDecay?: number;
  /** Global gradient-norm clip (default 1). */
  readonly clipNorm?: number;
  /** Seeds the initial weights and the data order. */
  readonly seed: number;
  /** Where training runs (graph's front door options: backend, threads, device, logger). */
  readonly session?: GraphSessionOptions;
}

/** What a step reports. */
export interface TrainProgress {
  readonly step: number;
  readonly steps: number;
  readonly loss: number;
  /** Each active loss term: `obs`, `fwd`, `act`, `ac`. */
  readonly terms: Readonly<Record<string, number>>;
  readonly gradNorm: number;
  readonly lr: number;
  /** Sequence tokens of the batch per second of this step. */
  readonly tokensPerSecond: number;
  readonly seconds: number;
}

/** Where the data stands, saved in `training_state.json`. */
export interface TrainingPosition {
  readonly step: number;
  readonly epoch: number;
  /** Samples of the epoch already used. */
  readonly offset: number;
  readonly options: Omit<TrainOptions, 'session'>;
  readonly imagesPerView: number;
}

const TERMS = ['obs', 'fwd', 'act', 'ac'] as const;

function checkOptions(o: TrainOptions): Required<Omit<TrainOptions, 'session'>> {
  const whole = (v: unknown, what: string, min: number): number => {
    if (!Number.isInteger(v) || (v as number) < min) {
      throw new PolicyError(
        'POLICY_INVALID_OPTION',
        `${what} must be a whole number of at least ${min}; got ${String(v)}.`,
      );
    }
    return v as number;
  };
  const positive = (v: unknown, what: string): number => {
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
      throw new PolicyError(
        'POLICY_INVALID_OPTION',
        `${what} must be a number of at least 0; got ${String(v)}.`,
      );
    }
    return v;
  };
  const steps = whole(o.steps, 'steps', 1);
  return {
    steps,
    batchSize: whole(o.batchSize, 'batchSize', 1),
    lr: positive(o.lr ?? 3e-3, 'lr'),
    warmup: whole(o.warmup ?? Math.ceil(steps * 0.05), 'warmup', 0),
    minLrRatio: positive(o.minLrRatio ?? 0.1, 'minLrRatio'),
    weightDecay: positive(o.weightDecay ?? 0.01, 'weightDecay'),
    clipNorm: positive(o.clipNorm ?? 1, 'clipNorm'),
    seed: whole(o.seed, 'seed', 0),
  };
}

/** The learning rate of step `step` (0-based): linear warm-up, then cosine decay. */
export function learningRate(step: number, o: Required<Omit<TrainOptions, 'session'>>): number {
  if (step < o.warmup) return (o.lr * (step + 1)) / o.warmup;
  const progress = Math.min(1, (step - o.warmup) / Math.max(1, o.steps - o.warmup));
  const floor = o.lr * o.minLrRatio;
  return floor + ((o.lr - floor) * (1 + Math.cos(Math.PI * progress))) / 2;
}

/** The sample order of an epoch: a seeded shuffle, the same for the same seed and epoch. */
function epochOrder(count: number, seed: number, epoch: number): number[] {
  const rng = new Rng((seed * 7919 + epoch * 104729) >>> 0);
  const order = Array.from({ length: count }, (_, i) => i);
  for (let i = count - 1; i > 0; i--) {
    const j = rng.int(0, i + 1);
    [order[i], order[j]] = [order[j] as number, order[i] as number];
  }
  return order;
}

export class PolicyTrainer {
  readonly config: PolicyConfig;
  readonly #tokenizer: Tokenizer;
  readonly #samples: readonly StepSample[];
  readonly #options: Required<Omit<TrainOptions, 'session'>>;
  readonly #step: TrainingStep;
  readonly #trainer: GraphTrainer;
  readonly #cache: PixelCache;
  readonly #images: number;
  #position: TrainingPosition;

  private constructor(
    config: PolicyConfig,
    tokenizer: Tokenizer,
    samples: readonly StepSample[],
    options: Required<Omit<TrainOptions, 'session'>>,
    step: TrainingStep,
    trainer: GraphTrainer,
    position: TrainingPosition,
  ) {
    this.config = config;
    this.#tokenizer = tokenizer;
    this.#samples = samples;
    this.#options = options;
    this.#step = step;
    this.#trainer = trainer;
    this.#cache = new PixelCache(config);
    this.#images = position.imagesPerView;
    this.#position = position;
  }

  /** A trainer at step 0 with weights initialized from `options.seed`. */
  static async create(
    config: PolicyConfig,
    tokenizer: Tokenizer,
    samples: readonly StepSample[],
    options: TrainOptions,
  ): Promise<PolicyTrainer> {
    validatePolicyConfig(config);
    const o = checkOptions(options);
    if (samples.length === 0)
      throw new PolicyError('POLICY_INVALID_BATCH', 'Training needs at least one sample.');
    const images = imagesPerView(samples);
    const forward = buildPolicyGraph(config, { imagesPerView: images });
    const step = trainingStep(forward, o);
    const state = initTrainingState(step, initParameters(forward, o.seed));
    const trainer = await createTrainer(step, state, options.session ?? {});
    const { session: _s, ...saved } = options;
    const position = { step: 0, epoch: 0, offset: 0, options: saved, imagesPerView: images };
    return new PolicyTrainer(config, tokenizer, samples, o, step, trainer, position);
  }

  /** Continues the training saved in a checkpoint folder, on the same samples. */
  static async resume(
    dir: string,
    samples: readonly StepSample[],
    session: GraphSessionOptions = {},
  ): Promise<PolicyTrainer> {
    const ckpt = await loadCheckpoint<TrainingPosition>(dir);
    if (!ckpt.training)
      throw new PolicyError(
        'POLICY_INVALID_CHECKPOINT',
        `${dir} holds weights only; it cannot resume training.`,
      );
    const position = ckpt.training.state;
    const o = checkOptions(position.options);
    const step = trainingStep(
      buildPolicyGraph(ckpt.config, { imagesPerView: position.imagesPerView }),
      o,
    );
    const state: Record<string, Tensor> = { ...ckpt.training.optimizer };
    for (const name of step.params) state[name] = ckpt.weights[name] as Tensor;
    const trainer = await createTrainer(step, state, session);
    return new PolicyTrainer(ckpt.config, ckpt.tokenizer, samples, o, step, trainer, position);
  }

  get position(): TrainingPosition {
    return this.#position;
  }

  get done(): boolean {
    return this.#position.step >= this.#options.steps;
  }

  /** The next batch of samples in the seeded order, advancing the data position. */
  #nextBatch(): StepSample[] {
    const batch: StepSample[] = [];
    let { epoch, offset } = this.#position;
    let order = epochOrder(this.#samples.length, this.#options.seed, epoch);
    while (batch.length < this.#options.batchSize) {
      if (offset >= order.length) {
        epoch++;
        offset = 0;
        order = epochOrder(this.#samples.length, this.#options.seed, epoch);
      }
      batch.push(this.#samples[order[offset++] as number] as StepSample);
    }
    this.#position = { ...this.#position, epoch, offset };
    return batch;
  }

  /** Runs one optimizer step and reports it. */
  async trainStep(): Promise<TrainProgress> {
    if (this.done)
      throw new PolicyError(
        'POLICY_INVALID_OPTION',
        `Training is done (${this.#options.steps} steps).`,
      );
    const started = performance.now();
    const samples = this.#nextBatch();
    const lr = learningRate(this.#position.step, this.#options);
    const batch = collate(samples, this.#tokenizer, this.config, this.#images, this.#cache);
    const feeds = Object.fromEntries(
      this.#step.batchInputs.filter((n) => n !== LR_INPUT).map((n) => [n, batch[n] as Tensor]),
    );
    const out = await this.#trainer.step({
      ...feeds,
      [LR_INPUT]: createTensor('float32', [], Float32Array.of(lr)),
    });
    const value = (name: string) => Number((out[name] as Tensor).data[0]);
    const terms: Record<string, number> = {};
    for (const t of TERMS) if (out[POLICY_NAMES.term(t)]) terms[t] = value(POLICY_NAMES.term(t));
    this.#position = { ...this.#position, step: this.#position.step + 1 };
    const seconds = (performance.now() - started) / 1000;
    const tokens = (batch[POLICY_NAMES.ids] as Tensor).data.length;
    return {
      step: this.#position.step,
      steps: this.#options.steps,
      loss: value(this.#step.loss),
      terms,
      gradNorm: value(this.#step.gradNorm),
      lr,
      tokensPerSecond: tokens / seconds,
      seconds,
    };
  }

  /** The current weights (trained parameters) by name. */
  async weights(): Promise<TensorMap> {
    const state = await this.#trainer.state();
    return Object.fromEntries(this.#step.params.map((n) => [n, state[n] as Tensor]));
  }

  /** Writes a checkpoint folder that `resume` continues from (and inference loads). */
  async save(dir: string): Promise<void> {
    const state = await this.#trainer.state();
    const optimizer: Record<string, Tensor> = { [STEP_INPUT]: state[STEP_INPUT] as Tensor };
    for (const name of this.#step.params) {
      const { m, v } = momentNames(name);
      optimizer[m] = state[m] as Tensor;
      optimizer[v] = state[v] as Tensor;
    }
    const checkpoint: Checkpoint<TrainingPosition> = {
      config: this.config,
      tokenizer: this.#tokenizer,
      weights: Object.fromEntries(this.#step.params.map((n) => [n, state[n] as Tensor])),
      training: { state: this.#position, optimizer },
    };
    saveCheckpoint(dir, checkpoint);
  }

  async dispose(): Promise<void> {
    await this.#trainer.dispose();
  }
}

/** The AdamW step of a policy graph, reporting each loss term besides the total. */
function trainingStep(graph: Graph, o: Required<Omit<TrainOptions, 'session'>>): TrainingStep {
  const report = TERMS.map((t) => POLICY_NAMES.term(t)).filter((n) =>
    graph.outputs.some((x) => x.name === n),
  );
  return buildTrainingStep(graph, POLICY_NAMES.loss, undefined, {
    weightDecay: o.weightDecay,
    clipNorm: o.clipNorm,
    report,
  });
}
