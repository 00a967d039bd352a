import {
  createTensor,
  type EpisodeRecord,
  type Image,
  type Instruction,
  type ObjectState,
  type Observation,
  type Tensor,
  type ViewName,
} from '@actllm/core';
import { buildScene } from '@actllm/descriptor';
import {
  conversation,
  episodeToConversation,
  renderConversation,
  type AssistantFormatOptions,
  type RenderedConversation,
  type SegmentLabel,
  type Tokenizer,
} from '@actllm/dialogue';
import { imagesToTensor, resizeImage, tokensPerView } from '@actllm/encoder';
import type { PolicyConfig } from './config.js';
import { PolicyError } from './errors.js';
import { CELL_FIELDS, cellTargets, hasCellLoss } from './cells.js';
import { describeAssets } from './assets.js';
import { POLICY_NAMES, SEGMENT_TERMS } from './model.js';

/** The dialogue segments a loss falls on. */
export type LossSegment = 'scene' | 'next' | 'act';

/**
 * Training samples that match inference: the sample of step t is the conversation as the
 * agent holds it at step t (every earlier text turn, images of the last `imageTurns` user
 * turns, the instruction's images) and its loss falls on assistant turn t only.
 */
export interface StepSample {
  readonly rendered: RenderedConversation<Image>;
  /** The step whose assistant turn carries the loss. */
  readonly step: number;
  /** The segments of that turn the loss falls on (all three when absent). */
  readonly segments?: readonly LossSegment[];
  /** The views before and after the step's action (the inverse-dynamics inputs), if any. */
  readonly before?: Readonly<Record<ViewName, Image>>;
  readonly after?: Readonly<Record<ViewName, Image>>;
  /**
   * What each image of the sample shows, where that is known (the episode's observations,
   * the instruction's assets): the labels of the grounded view's cells.
   */
  readonly truth?: ReadonlyMap<Image, readonly ObjectState[]>;
}

export interface SampleOptions extends AssistantFormatOptions {
  /** User turns that keep their images (default 1), as the agent's history policy. */
  readonly imageTurns?: number;
  /**
   * Keep earlier turns (default true). `false` is the no-history ablation: the sample of
   * step t holds the system turn, the instruction and step t's turns only.
   */
  readonly history?: boolean;
  /**
   * Write each prompt asset out as the descriptor of the objects it shows instead of its
   * images (default false; see `describeAssets`). The agent must then describe the assets
   * it is shown too (`AgentOptions.describeAssets`).
   */
  readonly describeAssets?: boolean;
}

/** One sample per step of an episode, each rendered as the agent would see it then. */
export function stepSamples(
  record: EpisodeRecord<Image>,
  tokenizer: Tokenizer,
  config: PolicyConfig,
  options: SampleOptions = {},
): StepSample[] {
  const { imageTurns = 1, history = true, describeAssets: described = false, ...format } = options;
  if (described) {
    const bins = config.inverseDynamics.bins;
    const instruction = describeAssets(
      record.instruction,
      (asset) => buildScene(asset.objects, { bins }),
      bins,
    );
    record = { ...record, instruction };
  }
  record = shrinkRecord(record, config);
  const full = episodeToConversation(record, format);
  const perView = tokensPerView(config.encoder);
  const truth = truthOf(record);
  return record.steps.map((step, t) => {
    const turns = history
      ? full.turns.slice(0, 2 + 2 * (t + 1))
      : [...full.turns.slice(0, 2), ...full.turns.slice(2 + 2 * t, 2 + 2 * (t + 1))];
    const rendered = renderConversation(conversation(turns), tokenizer, {
      ...format,
      imageTurns,
      tokensPerImage: perView,
      maxTokens: config.lm.maxLength,
    });
    const next = record.steps[t + 1]?.observation ?? record.final;
    return {
      rendered,
      step: t,
      before: step.observation.views,
      after: next.views,
      truth,
    };
  });
}

/** The placeholder action of a scene-reading sample: it is cut off before any loss sees it. */
const NO_ACTION = {
  kind: 'pick_place',
  from: { x: 0.5, y: 0.5, theta: 0 },
  to: { x: 0.5, y: 0.5, theta: 0 },
} as const;

/**
 * A scene-reading sample (the observation model's auxiliary data, as LLaRA's localisation
 * data): one user turn with the views and the assistant's `scene`, the loss on the scene
 * only and the sequence cut after it. With `instruction` null the instruction turn is
 * empty: the sample is then a few times shorter (no prompt images), so the observation
 * model sees far more scenes per second than episodes alone would show it. Pass the
 * observation's instruction to read scenes in the full first-turn context instead.
 */
export function sceneSample(
  instruction: Instruction | null,
  observation: Pick<Observation, 'views' | 'objects'>,
  tokenizer: Tokenizer,
  config: PolicyConfig,
  options: AssistantFormatOptions = {},
): StepSample {
  // stepSamples keeps the frames at the encoder's size: thousands of samples stay small.
  const frame = { step: 0, views: observation.views, objects: observation.objects };
  const record = {
    id: 'scene',
    instruction: instruction ?? { text: '' },
    steps: [{ observation: frame, action: NO_ACTION }],
    final: frame,
  } as unknown as EpisodeRecord<Image>;
  const [full] = stepSamples(record, tokenizer, config, options);
  const r = (full as StepSample).rendered;
  const scene = r.spans.find((s) => s.role === 'assistant' && s.label === 'scene');
  if (!scene) throw new PolicyError('POLICY_INVALID_BATCH', 'The rendered turn has no scene.');
  const rendered = {
    ...r,
    ids: r.ids.slice(0, scene.end),
    labels: r.labels.slice(0, scene.end),
    spans: r.spans.filter((s) => s.start < scene.end),
  };
  return { rendered, step: 0, segments: ['scene'], truth: (full as StepSample).truth ?? new Map() };
}

/** Each image of a record with the objects it shows: its frames and its instruction's assets. */
function truthOf(record: EpisodeRecord<Image>): Map<Image, readonly ObjectState[]> {
  const truth = new Map<Image, readonly ObjectState[]>();
  const add = (
    views: Readonly<Partial<Record<ViewName, Image>>>,
    objects?: readonly ObjectState[],
  ) => {
    if (!objects) return;
    for (const image of Object.values(views)) if (image) truth.set(image, objects);
  };
  for (const step of record.steps) add(step.observation.views, step.observation.objects);
  add(record.final.views, record.final.objects);
  for (const asset of Object.values(record.instruction.assets ?? {}))
    add(asset.views, asset.objects);
  return truth;
}

/**
 * Frames resized to the encoder's input size, by image and view: each frame is resized
 * once and kept as uint8 (a quarter of float32), and normalized into each batch that uses
 * it, which costs little next to the training step.
 */
export class PixelCache {
  readonly #cache = new WeakMap<Image, Map<string, Image>>();
  readonly #config: PolicyConfig;

  constructor(config: PolicyConfig) {
    this.#config = config;
  }

  /** The frame at the encoder's size for `view`. */
  resized(image: Image, view: string): Image {
    let byView = this.#cache.get(image);
    if (!byView) {
      byView = new Map();
      this.#cache.set(image, byView);
    }
    let small = byView.get(view);
    if (!small) {
      const size = this.#config.encoder.views[view];
      if (!size) throw new PolicyError('POLICY_INVALID_BATCH', `The encoder has no view ${view}.`);
      small = resizeImage(image, size.width, size.height);
      byView.set(view, small);
    }
    return small;
  }

  /** The frame resized and normalized for `view`, float32 [H * W * 3]. */
  get(image: Image, view: string): Float32Array {
    const small = this.resized(image, view);
    return imagesToTensor([small], { width: small.width, height: small.height }).data;
  }
}

/** An instruction whose asset images are at the encoder's sizes. */
export function shrinkInstruction(instruction: Instruction, config: PolicyConfig): Instruction {
  if (!instruction.assets) return instruction;
  const assets = Object.fromEntries(
    Object.entries(instruction.assets).map(([k, a]) => [
      k,
      { ...a, views: shrinkViews(a.views, config) },
    ]),
  );
  return { ...instruction, assets };
}

/**
 * A record whose frames are at the encoder's sizes: the samples then hold small frames
 * only, shared by every sample of the episode (a decoded full-size frame can be freed).
 */
function shrinkRecord(record: EpisodeRecord<Image>, config: PolicyConfig): EpisodeRecord<Image> {
  const frame = <T extends { views: Readonly<Record<ViewName, Image>> }>(f: T): T => ({
    ...f,
    views: shrinkViews(f.views, config),
  });
  return {
    ...record,
    instruction: shrinkInstruction(record.instruction, config),
    steps: record.steps.map((step) => ({ ...step, observation: frame(step.observation) })),
    final: frame(record.final),
  };
}

/** Views resized to the encoder's sizes (views the encoder does not take are dropped). */
export function shrinkViews<V extends Partial<Record<ViewName, Image>>>(
  views: V,
  config: PolicyConfig,
): V {
  const out: Partial<Record<ViewName, Image>> = {};
  for (const [view, image] of Object.entries(views) as [ViewName, Image | undefined][]) {
    const size = config.encoder.views[view];
    if (image && size) out[view] = resizeImage(image, size.width, size.height);
  }
  return out as V;
}

/** The six bins of the loss turn's action (from x, y, rotation, to x, y, rotation). */
function actionBins(sample: StepSample, tokenizer: Tokenizer): number[] {
  const span = sample.rendered.spans.find(
    (s) => s.role === 'assistant' && s.step === sample.step && s.label === 'act',
  );
  const bins: number[] = [];
  for (let i = span?.start ?? 0; span && i < span.end; i++) {
    const m = /^<[xyr]_(\d+)>$/.exec(tokenizer.token(sample.rendered.ids[i] as number));
    if (m) bins.push(Number(m[1]));
  }
  if (bins.length !== 6) {
    throw new PolicyError(
      'POLICY_INVALID_BATCH',
      `Step ${sample.step} has no complete action in its assistant turn (found ${bins.length} bins).`,
    );
  }
  return bins;
}

/**
 * The tensors of one training batch for `buildPolicyGraph(config)`: ids padded to the
 * longest sample, next-token targets (-100 past the end), the loss masks of the loss turn's
 * segments, the batch's images of each view with the positions they fill, and the inverse-dynamics pairs of the samples that have a transition. Only the
 * inputs `config`'s active losses need are included.
 */
export function collate(
  samples: readonly StepSample[],
  tokenizer: Tokenizer,
  config: PolicyConfig,
  cache: PixelCache = new PixelCache(config),
): Record<string, Tensor> {
  const given: unknown = samples;
  if (!Array.isArray(given) || given.length === 0) {
    throw new PolicyError('POLICY_INVALID_BATCH', 'collate needs at least one sample.');
  }
  const B = samples.length;
  const T = Math.max(...samples.map((s) => s.rendered.ids.length));
  if (T > config.lm.maxLength) {
    throw new PolicyError(
      'POLICY_INVALID_BATCH',
      `A sample has ${T} tokens; the model holds ${config.lm.maxLength}.`,
    );
  }
  const ids = new BigInt64Array(B * T).fill(BigInt(tokenizer.padId));
  const targets = new BigInt64Array(B * T).fill(-100n);
  const masks = {
    scene: new Float32Array(B * T),
    next: new Float32Array(B * T),
    act: new Float32Array(B * T),
  };
  const views = Object.keys(config.encoder.views);
  const perView = tokensPerView(config.encoder);
  const splice = new Map(
    views.map((v) => [
      v,
      { images: [] as Image[], index: new BigInt64Array(B * T), mask: new Float32Array(B * T) },
    ]),
  );
  samples.forEach((sample, b) => {
    const r = sample.rendered;
    const inTurn = new Uint8Array(r.ids.length);
    for (const s of r.spans)
      if (s.role === 'assistant' && s.step === sample.step) inTurn.fill(1, s.start, s.end);
    const segments = new Set<SegmentLabel>(sample.segments ?? ['scene', 'next', 'act']);
    const tokens: readonly number[] = r.ids;
    for (let i = 0; i < tokens.length; i++) {
      ids[b * T + i] = BigInt(tokens[i] as number);
      if (i + 1 >= tokens.length) break;
      targets[b * T + i] = BigInt(tokens[i + 1] as number);
      const label: SegmentLabel | undefined = r.labels[i + 1];
      if (inTurn[i + 1] === 1 && label !== undefined && label !== 'other' && segments.has(label)) {
        masks[label][b * T + i] = 1;
      }
    }
    for (const slot of r.images) {
      const view = splice.get(slot.source.view);
      if (!view)
        throw new PolicyError(
          'POLICY_INVALID_BATCH',
          `The encoder has no view ${slot.source.view}; render with its views only.`,
        );
      const count = perView[slot.source.view] as number;
      if (slot.length !== count) {
        throw new PolicyError(
          'POLICY_INVALID_BATCH',
          `A ${slot.source.view} image slot holds ${slot.length} tokens; the encoder makes ${count} (render with tokensPerImage from tokensPerView).`,
        );
      }
      const first = view.images.length * count;
      view.images.push(slot.image);
      for (let j = 0; j < count; j++) {
        view.index[b * T + slot.position + j] = BigInt(first + j);
        view.mask[b * T + slot.position + j] = 1;
      }
    }
  });
  const out: Record<string, Tensor> = {
    [POLICY_NAMES.ids]: createTensor('int64', [B, T], ids),
    [POLICY_NAMES.positions]: createTensor(
      'int64',
      [T],
      BigInt64Array.from({ length: T }, (_, i) => BigInt(i)),
    ),
    [POLICY_NAMES.targets]: createTensor('int64', [B, T], targets),
  };
  for (const [view, { images, index, mask }] of splice) {
    const size = config.encoder.views[view] as { height: number; width: number };
    const plane = size.height * size.width * 3;
    // A view no sample shows still gets one blank image, so its encoder has input.
    const pixels = new Float32Array(Math.max(1, images.length) * plane);
    images.forEach((image, k) => pixels.set(cache.get(image, view), k * plane));
    out[POLICY_NAMES.pixels(view)] = createTensor(
      'float32',
      [Math.max(1, images.length), size.height, size.width, 3],
      pixels,
    );
    out[POLICY_NAMES.visualIndex(view)] = createTensor('int64', [B, T], index);
    out[POLICY_NAMES.visualMask(view)] = createTensor('float32', [B, T], mask);
  }
  const w = config.losses;
  for (const [term, segment] of SEGMENT_TERMS) {
    if (w[term] > 0)
      out[POLICY_NAMES.mask(segment)] = createTensor('float32', [B, T], masks[segment]);
  }
  if (w.ac > 0) Object.assign(out, inverseDynamicsInputs(samples, tokenizer, config, cache));
  if (hasCellLoss(config)) out[POLICY_NAMES.cellTargets] = cellInputs(samples, tokenizer, config);
  return out;
}

/**
 * The grounded view's cell targets, `[images, tokens, fields]` in the order collate lays
 * out that view's images: each image in its sample's `truth` is labelled, any other is
 * ignored (-100).
 */
function cellInputs(
  samples: readonly StepSample[],
  tokenizer: Tokenizer,
  config: PolicyConfig,
): Tensor {
  const view = (config.grounding as NonNullable<PolicyConfig['grounding']>).view;
  const count = tokensPerView(config.encoder)[view] as number;
  const per = count * CELL_FIELDS.length;
  const labels: (BigInt64Array | null)[] = [];
  for (const sample of samples) {
    for (const slot of sample.rendered.images) {
      if (slot.source.view !== view) continue;
      const objects = sample.truth?.get(slot.image);
      labels.push(objects ? cellTargets(objects, tokenizer, config) : null);
    }
  }
  const images = Math.max(1, labels.length);
  const data = new BigInt64Array(images * per).fill(-100n);
  labels.forEach((l, k) => {
    if (l) data.set(l, k * per);
  });
  return createTensor('int64', [images, count, CELL_FIELDS.length], data);
}

/**
 * The inverse-dynamics pairs: one per sample with a transition (its views before and after
 * the action, and the action's bins), or a single zero pair of weight 0 when none has one.
 */
function inverseDynamicsInputs(
  samples: readonly StepSample[],
  tokenizer: Tokenizer,
  config: PolicyConfig,
  cache: PixelCache,
): Record<string, Tensor> {
  const pairs = samples.filter((s) => s.before && s.after);
  const P = Math.max(1, pairs.length);
  const out: Record<string, Tensor> = {};
  for (const [view, size] of Object.entries(config.encoder.views)) {
    const plane = size.height * size.width * 3;
    for (const [name, which] of [
      [POLICY_NAMES.before(view), 'before'],
      [POLICY_NAMES.after(view), 'after'],
    ] as const) {
      const data = new Float32Array(P * plane);
      pairs.forEach((s, b) => {
        const image = s[which]?.[view as ViewName];
        if (!image)
          throw new PolicyError(
            'POLICY_INVALID_BATCH',
            `Step ${s.step} has no ${view} view ${which} its action.`,
          );
        data.set(cache.get(image, view), b * plane);
      });
      out[name] = createTensor('float32', [P, size.height, size.width, 3], data);
    }
  }
  const bins = pairs.flatMap((s) => actionBins(s, tokenizer));
  if (pairs.length === 0) bins.push(0, 0, 0, 0, 0, 0);
  out[POLICY_NAMES.actionBins] = createTensor('int64', [P, 6], BigInt64Array.from(bins, BigInt));
  out[POLICY_NAMES.idmWeight] = createTensor(
    'float32',
    [P],
    Float32Array.from({ length: P }, (_, i) => (i < pairs.length ? 1 : 0)),
  );
  return out;
}
