import { Rng, createTensor, type Tensor, type TensorMap } from '@actllm/core';
import {
  LR_INPUT,
  STEP_INPUT,
  buildTrainingStep,
  createSession,
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
import { PixelCache, collate, type StepSample } from './batch.js';
import { POLICY_NAMES, SEGMENT_TERMS, buildPolicyGraph, hasLanguageModel } from './model.js';
import {
  augmentPixels,
  checkAugmentation as checkEncoderAugmentation,
  type Augmentation,
} from '@actllm/encoder';
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
  /**
   * Train-time photometric augmentation of every image (encoder's `augmentPixels`: colour
   * jitter and noise, never geometry, which would move the labelled coordinates). Drawn
   * from the seed and the step, so a resumed run augments as an uninterrupted one.
   */
  readonly augment?: Augmentation;
  /** Where training runs (graph's front door options: backend, threads, device, logger). */
  readonly session?: GraphSessionOptions;
}

/** What `validate` measures on held-out samples: per active segment, loss and accuracy. */
export interface ValidationReport {
  readonly samples: number;
  /** Mean next-token loss on each segment's tokens (`scene`, `next`, `act`). */
  readonly loss: Readonly<Record<string, number>>;
  /** Fraction of each segment's tokens whose most likely next token is the target. */
  readonly tokenAccuracy: Readonly<Record<string, number>>;
}

/** What a step reports. */
export interface TrainProgress {
  readonly step: number;
  readonly steps: number;
  readonly loss: number;
  /** Each active loss term: `obs`, `cells` (the observation model's per-cell part), `fwd`, `act`, `ac`. */
  readonly terms: Readonly<Record<string, number>>;
  readonly gradNorm: number;
  readonly lr: number;
  /** Sequence tokens of the batch per second of this step. */
  readonly tokensPerSecond: number;
  readonly seconds: number;
  /**
   * The part of `seconds` spent in the backend's training step; the rest is the trainer's
   * own work (batching, preprocessing, augmentation, reading results back).
   */
  readonly stepSeconds: number;
}

/** What `run` reports after each step: the step's figures and the time still to go. */
export interface RunProgress extends TrainProgress {
  /** Seconds since `run` started, and the estimated seconds to its end. */
  readonly elapsed: number;
  readonly eta: number;
}

/** One evaluation during `run`. */
export interface RunEvaluation {
  readonly step: number;
  readonly elapsed: number;
  /** Validation loss and token accuracy per segment, when validation samples were given. */
  readonly validation?: ValidationReport;
  /** What the `evaluate` callback measured (e.g. closed-loop success, parse rate). */
  readonly closedLoop?: Readonly<Record<string, number>>;
}

export interface RunOptions {
  /** Stop after this much wall time as well as at the step budget. */
  readonly minutes?: number;
  /** Held-out samples for `validate` at each evaluation. */
  readonly validation?: readonly StepSample[];
  /** Evaluate every this many steps (and at the end); default: only at the end. */
  readonly evaluateEvery?: number;
  /** Closed-loop evaluation with the current weights, e.g. a few tabletop episodes. */
  readonly evaluate?: (weights: TensorMap, step: number) => Promise<Record<string, number>>;
  /** Write a checkpoint to `checkpointDir` every this many steps and at the end. */
  readonly checkpointEvery?: number;
  readonly checkpointDir?: string;
  readonly onProgress?: (progress: RunProgress) => void;
  readonly onEvaluate?: (evaluation: RunEvaluation) => void;
  /** Stops after the current step (a checkpoint is still written). */
  readonly signal?: AbortSignal;
}

export interface RunResult {
  readonly steps: number;
  readonly seconds: number;
  readonly evaluations: readonly RunEvaluation[];
  readonly last?: TrainProgress;
}

/** Where the data stands, saved in `training_state.json`. */
export interface TrainingPosition {
  readonly step: number;
  readonly epoch: number;
  /** Samples of the epoch already used. */
  readonly offset: number;
  readonly options: Omit<TrainOptions, 'session'>;
}

const TERMS = ['obs', 'cells', 'fwd', 'act', 'ac'] as const;

type CheckedOptions = Required<Omit<TrainOptions, 'session' | 'augment'>> &
  Pick<TrainOptions, 'augment'>;

function checkOptions(o: TrainOptions): CheckedOptions {
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
    ...(o.augment ? { augment: checkAugmentation(o.augment) } : {}),
  };
}

/** Refuses an augmentation augmentPixels would refuse, before training starts. */
function checkAugmentation(a: Augmentation): Augmentation {
  try {
    checkEncoderAugmentation(a);
  } catch (error) {
    throw new PolicyError('POLICY_INVALID_OPTION', `augment: ${(error as Error).message}`, {
      cause: error,
    });
  }
  return a;
}

/** The learning rate of step `step` (0-based): linear warm-up, then cosine decay. */
export function learningRate(step: number, o: CheckedOptions): number {
  if (step < o.warmup) return (o.lr * (step + 1)) / o.warmup;
  const progress = Math.min(1, (step - o.warmup) / Math.max(1, o.steps - o.warmup));
  const floor = o.lr * o.minLrRatio;
  return floor + ((o.lr - floor) * (1 + Math.cos(Math.PI * progress))) / 2;
}

/** A seeded Fisher-Yates shuffle in place. */
function shuffle<T>(items: T[], rng: Rng): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = rng.int(0, i + 1);
    [items[i], items[j]] = [items[j] as T, items[i] as T];
  }
  return items;
}

/** Windows of this many batches are sorted by length before they are cut into batches. */
const BUCKET_BATCHES = 16;

/**
 * The sample order of an epoch, the same for the same seed and epoch: a shuffle, then
 * length bucketing (as `group_by_length` in transformers): each window of 16 batches is
 * sorted by image count and length and cut into batches, and the batches are shuffled.
 * Samples of a batch then have similar lengths, so little of a batch is padding.
 */
function epochOrder(
  samples: readonly StepSample[],
  batchSize: number,
  seed: number,
  epoch: number,
): number[] {
  const rng = new Rng((seed * 7919 + epoch * 104729) >>> 0);
  const order = shuffle(
    Array.from({ length: samples.length }, (_, i) => i),
    rng,
  );
  const cost = (i: number) => {
    const r = (samples[i] as StepSample).rendered;
    return r.images.length * 100000 + r.ids.length;
  };
  const batches: number[][] = [];
  const window = batchSize * BUCKET_BATCHES;
  for (let w = 0; w < order.length; w += window) {
    const sorted = order.slice(w, w + window).sort((a, b) => cost(a) - cost(b));
    for (let b = 0; b < sorted.length; b += batchSize) batches.push(sorted.slice(b, b + batchSize));
  }
  return shuffle(batches, rng).flat();
}

export class PolicyTrainer {
  readonly config: PolicyConfig;
  readonly #tokenizer: Tokenizer;
  readonly #samples: readonly StepSample[];
  readonly #options: CheckedOptions;
  readonly #step: TrainingStep;
  readonly #trainer: GraphTrainer;
  readonly #cache: PixelCache;
  readonly #sessionOptions: GraphSessionOptions;
  #order?: { epoch: number; order: number[] };
  #position: TrainingPosition;

  private constructor(
    config: PolicyConfig,
    tokenizer: Tokenizer,
    samples: readonly StepSample[],
    options: CheckedOptions,
    step: TrainingStep,
    trainer: GraphTrainer,
    position: TrainingPosition,
    sessionOptions: GraphSessionOptions,
  ) {
    this.#sessionOptions = sessionOptions;
    this.config = config;
    this.#tokenizer = tokenizer;
    this.#samples = samples;
    this.#options = options;
    this.#step = step;
    this.#trainer = trainer;
    this.#cache = new PixelCache(config);
    this.#position = position;
  }

  /**
   * A trainer at step 0 with weights initialized from `options.seed`, except those `from`
   * holds under the same name and shape (an earlier stage's checkpoint, such as a vision
   * stage's encoder and cell heads).
   */
  static async create(
    config: PolicyConfig,
    tokenizer: Tokenizer,
    samples: readonly StepSample[],
    options: TrainOptions,
    from?: TensorMap,
  ): Promise<PolicyTrainer> {
    validatePolicyConfig(config);
    const o = checkOptions(options);
    if (samples.length === 0)
      throw new PolicyError('POLICY_INVALID_BATCH', 'Training needs at least one sample.');
    const forward = buildPolicyGraph(config);
    const step = trainingStep(forward, o);
    const state = initTrainingState(step, startingWeights(initParameters(forward, o.seed), from));
    const trainer = await createTrainer(step, state, options.session ?? {});
    const { session: _s, ...saved } = options;
    const position = { step: 0, epoch: 0, offset: 0, options: saved };
    return new PolicyTrainer(config, tokenizer, samples, o, step, trainer, position, {
      ...options.session,
    });
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
    const step = trainingStep(buildPolicyGraph(ckpt.config), o);
    const state: Record<string, Tensor> = { ...ckpt.training.optimizer };
    for (const name of step.params) state[name] = ckpt.weights[name] as Tensor;
    const trainer = await createTrainer(step, state, session);
    return new PolicyTrainer(
      ckpt.config,
      ckpt.tokenizer,
      samples,
      o,
      step,
      trainer,
      position,
      session,
    );
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
    const orderOf = (e: number) => {
      if (this.#order?.epoch !== e) {
        const order = epochOrder(this.#samples, this.#options.batchSize, this.#options.seed, e);
        this.#order = { epoch: e, order };
      }
      return this.#order.order;
    };
    let order = orderOf(epoch);
    while (batch.length < this.#options.batchSize) {
      if (offset >= order.length) {
        epoch++;
        offset = 0;
        order = orderOf(epoch);
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
    const batch = this.#augment(
      collate(samples, this.#tokenizer, this.config, this.#cache),
      this.#position.step,
    );
    const feeds = Object.fromEntries(
      this.#step.batchInputs.filter((n) => n !== LR_INPUT).map((n) => [n, batch[n] as Tensor]),
    );
    const stepStarted = performance.now();
    const out = await this.#trainer.step({
      ...feeds,
      [LR_INPUT]: createTensor('float32', [], Float32Array.of(lr)),
    });
    const stepSeconds = (performance.now() - stepStarted) / 1000;
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
      stepSeconds,
    };
  }

  /** Every image input of a batch augmented, from a generator seeded by the seed and step. */
  #augment(batch: Record<string, Tensor>, step: number): Record<string, Tensor> {
    const a = this.#options.augment;
    if (!a) return batch;
    const rng = new Rng((this.#options.seed * 2654435761 + step * 40503 + 17) >>> 0);
    const out = { ...batch };
    for (const [name, t] of Object.entries(batch)) {
      if (t.dtype === 'float32' && t.shape.length === 4 && t.shape[3] === 3)
        out[name] = augmentPixels(t as Tensor<'float32'>, rng, a);
    }
    return out;
  }

  /**
   * Loss and next-token accuracy per segment on held-out samples, with the current weights
   * and no update (batches of `batchSize`, in order, no augmentation).
   */
  async validate(samples: readonly StepSample[]): Promise<ValidationReport> {
    if (!Array.isArray(samples) || samples.length === 0)
      throw new PolicyError('POLICY_INVALID_BATCH', 'validate needs at least one sample.');
    // A vision stage has no text to score.
    if (!hasLanguageModel(this.config))
      return { samples: samples.length, loss: {}, tokenAccuracy: {} };
    const graph = buildPolicyGraph(this.config);
    const session = await createSession(graph, await this.weights(), this.#sessionOptions);
    const sums: Record<string, { loss: number; right: number; count: number }> = {};
    try {
      for (let i = 0; i < samples.length; i += this.#options.batchSize) {
        const batch = collate(
          samples.slice(i, i + this.#options.batchSize),
          this.#tokenizer,
          this.config,
          this.#cache,
        );
        const feeds = Object.fromEntries(
          graph.inputs.map((x) => [x.name, batch[x.name] as Tensor]),
        );
        const out = await session.run(feeds, [POLICY_NAMES.logits]);
        tally(sums, out[POLICY_NAMES.logits] as Tensor, batch, this.config);
      }
    } finally {
      await session.dispose();
    }
    const loss: Record<string, number> = {};
    const tokenAccuracy: Record<string, number> = {};
    for (const [segment, s] of Object.entries(sums)) {
      loss[segment] = s.count ? s.loss / s.count : 0;
      tokenAccuracy[segment] = s.count ? s.right / s.count : 0;
    }
    return { samples: samples.length, loss, tokenAccuracy };
  }

  /**
   * Trains until the step budget, `minutes` or `signal` ends it: progress after every step,
   * evaluations every `evaluateEvery` steps and at the end, checkpoints every
   * `checkpointEvery` steps and at the end. It reports through callbacks and never prints.
   */
  async run(options: RunOptions = {}): Promise<RunResult> {
    const every = (v: number | undefined, what: string) => {
      if (v !== undefined && (!Number.isInteger(v) || v < 1))
        throw new PolicyError(
          'POLICY_INVALID_OPTION',
          `${what} must be a whole number of at least 1; got ${String(v)}.`,
        );
      return v;
    };
    const evalEvery = every(options.evaluateEvery, 'evaluateEvery');
    const ckptEvery = every(options.checkpointEvery, 'checkpointEvery');
    if (ckptEvery !== undefined && !options.checkpointDir)
      throw new PolicyError('POLICY_INVALID_OPTION', 'checkpointEvery needs a checkpointDir.');
    const minutes = options.minutes;
    if (minutes !== undefined && !(typeof minutes === 'number' && minutes > 0))
      throw new PolicyError(
        'POLICY_INVALID_OPTION',
        `minutes must be a number above 0; got ${String(minutes)}.`,
      );
    const started = performance.now();
    const elapsed = () => (performance.now() - started) / 1000;
    const firstStep = this.#position.step;
    const evaluations: RunEvaluation[] = [];
    let last: TrainProgress | undefined;
    const evaluate = async () => {
      const step = this.#position.step;
      const validation = options.validation?.length
        ? await this.validate(options.validation)
        : undefined;
      const closedLoop = options.evaluate
        ? await options.evaluate(await this.weights(), step)
        : undefined;
      if (!validation && !closedLoop) return;
      const e: RunEvaluation = {
        step,
        elapsed: elapsed(),
        ...(validation ? { validation } : {}),
        ...(closedLoop ? { closedLoop } : {}),
      };
      evaluations.push(e);
      options.onEvaluate?.(e);
    };
    while (
      !this.done &&
      !options.signal?.aborted &&
      (minutes === undefined || elapsed() < minutes * 60)
    ) {
      last = await this.trainStep();
      const done = last.step - firstStep;
      const perStep = elapsed() / done;
      const bySteps = (this.#options.steps - last.step) * perStep;
      const eta =
        minutes === undefined ? bySteps : Math.min(bySteps, Math.max(0, minutes * 60 - elapsed()));
      options.onProgress?.({ ...last, elapsed: elapsed(), eta });
      if (ckptEvery && last.step % ckptEvery === 0)
        await this.save(options.checkpointDir as string);
      if (evalEvery && last.step % evalEvery === 0 && !this.done) await evaluate();
    }
    await evaluate();
    if (options.checkpointDir) await this.save(options.checkpointDir);
    return {
      steps: this.#position.step - firstStep,
      seconds: elapsed(),
      evaluations,
      ...(last ? { last } : {}),
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

/** Adds a batch's per-segment loss and correct argmax count from its logits. */
function tally(
  sums: Record<string, { loss: number; right: number; count: number }>,
  logits: Tensor,
  batch: Record<string, Tensor>,
  config: PolicyConfig,
): void {
  const data = logits.data as Float32Array;
  const vocab = config.vocab;
  const targets = (batch[POLICY_NAMES.targets] as Tensor).data as BigInt64Array;
  for (const [term, segment] of SEGMENT_TERMS) {
    const mask = batch[POLICY_NAMES.mask(segment)]?.data as Float32Array | undefined;
    if (config.losses[term] === 0 || !mask) continue;
    const s = (sums[segment] ??= { loss: 0, right: 0, count: 0 });
    for (let i = 0; i < mask.length; i++) {
      if (mask[i] !== 1) continue;
      const row = data.subarray(i * vocab, (i + 1) * vocab);
      let best = 0;
      let max = -Infinity;
      for (let v = 0; v < vocab; v++)
        if ((row[v] as number) > max) [max, best] = [row[v] as number, v];
      let z = 0;
      for (let v = 0; v < vocab; v++) z += Math.exp((row[v] as number) - max);
      const target = Number(targets[i]);
      s.loss += max + Math.log(z) - (row[target] as number);
      s.right += best === target ? 1 : 0;
      s.count++;
    }
  }
}

/** The AdamW step of a policy graph, reporting each loss term besides the total. */
function trainingStep(graph: Graph, o: CheckedOptions): TrainingStep {
  const report = TERMS.map((t) => POLICY_NAMES.term(t)).filter((n) =>
    graph.outputs.some((x) => x.name === n),
  );
  return buildTrainingStep(graph, POLICY_NAMES.loss, undefined, {
    weightDecay: o.weightDecay,
    clipNorm: o.clipNorm,
    report,
  });
}

/** The seeded weights, with each one `from` holds under the same name and shape taken from it. */
function startingWeights(seeded: Record<string, Tensor>, from?: TensorMap): Record<string, Tensor> {
  if (!from) return seeded;
  const out: Record<string, Tensor> = { ...seeded };
  for (const [name, tensor] of Object.entries(seeded)) {
    const given = from[name];
    if (given && given.shape.join() === tensor.shape.join()) out[name] = given;
  }
  return out;
}
