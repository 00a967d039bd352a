import {
  createTensor,
  type EpisodeRecord,
  type Image,
  type Tensor,
  type ViewName,
} from '@actllm/core';
import {
  conversation,
  episodeToConversation,
  renderConversation,
  type AssistantFormatOptions,
  type RenderedConversation,
  type SegmentLabel,
  type Tokenizer,
} from '@actllm/dialogue';
import { imagesToTensor, tokensPerView } from '@actllm/encoder';
import type { PolicyConfig } from './config.js';
import { PolicyError } from './errors.js';
import { POLICY_NAMES, SEGMENT_TERMS, slotLayout } from './model.js';

/**
 * Training samples that match inference: the sample of step t is the conversation as the
 * agent holds it at step t (every earlier text turn, images of the last `imageTurns` user
 * turns, the instruction's images) and its loss falls on assistant turn t only.
 */
export interface StepSample {
  readonly rendered: RenderedConversation<Image>;
  /** The step whose assistant turn carries the loss. */
  readonly step: number;
  /** The views before and after the step's action (the inverse-dynamics inputs). */
  readonly before: Readonly<Record<ViewName, Image>>;
  readonly after: Readonly<Record<ViewName, Image>>;
}

export interface SampleOptions extends AssistantFormatOptions {
  /** User turns that keep their images (default 1), as the agent's history policy. */
  readonly imageTurns?: number;
}

/** One sample per step of an episode, each rendered as the agent would see it then. */
export function stepSamples(
  record: EpisodeRecord<Image>,
  tokenizer: Tokenizer,
  config: PolicyConfig,
  options: SampleOptions = {},
): StepSample[] {
  const { imageTurns = 1, ...format } = options;
  const full = episodeToConversation(record, format);
  const perView = tokensPerView(config.encoder);
  return record.steps.map((step, t) => {
    const turns = full.turns.slice(0, 2 + 2 * (t + 1));
    const rendered = renderConversation(conversation(turns), tokenizer, {
      ...format,
      imageTurns,
      tokensPerImage: perView,
      maxTokens: config.lm.maxLength,
    });
    const next = record.steps[t + 1]?.observation ?? record.final;
    return { rendered, step: t, before: step.observation.views, after: next.views };
  });
}

/** Preprocessed pixels by image and view, so each frame is resized and normalized once. */
export class PixelCache {
  readonly #cache = new WeakMap<Image, Map<string, Float32Array>>();
  readonly #config: PolicyConfig;

  constructor(config: PolicyConfig) {
    this.#config = config;
  }

  get(image: Image, view: string): Float32Array {
    let byView = this.#cache.get(image);
    if (!byView) {
      byView = new Map();
      this.#cache.set(image, byView);
    }
    let pixels = byView.get(view);
    if (!pixels) {
      const size = this.#config.encoder.views[view];
      if (!size) throw new PolicyError('POLICY_INVALID_BATCH', `The encoder has no view ${view}.`);
      pixels = imagesToTensor([image], size).data;
      byView.set(view, pixels);
    }
    return pixels;
  }
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

/** The image slots of each view, in order. */
function slotsByView(sample: StepSample): Map<string, RenderedConversation<Image>['images']> {
  const out = new Map<string, RenderedConversation<Image>['images'][number][]>();
  for (const slot of sample.rendered.images) {
    const list = out.get(slot.source.view) ?? [];
    list.push(slot);
    out.set(slot.source.view, list);
  }
  return out;
}

/** The images per view a batch of these samples needs (the most any sample has). */
export function imagesPerView(samples: readonly StepSample[]): number {
  let most = 1;
  for (const s of samples)
    for (const list of slotsByView(s).values()) most = Math.max(most, list.length);
  return most;
}

/**
 * The tensors of one training batch for `buildPolicyGraph(config, { imagesPerView })`:
 * ids padded to the longest sample, next-token targets (-100 past the end), the loss masks
 * of the loss turn's segments, the images of each view with their placement, and the
 * inverse-dynamics inputs. Only the inputs `config`'s active losses need are included.
 */
export function collate(
  samples: readonly StepSample[],
  tokenizer: Tokenizer,
  config: PolicyConfig,
  images: number,
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
  const layout = slotLayout(config, images);
  const ids = new BigInt64Array(B * T).fill(BigInt(tokenizer.padId));
  const targets = new BigInt64Array(B * T).fill(-100n);
  const masks = {
    scene: new Float32Array(B * T),
    next: new Float32Array(B * T),
    act: new Float32Array(B * T),
  };
  const placement = new Float32Array(B * T * layout.slots);
  const views = Object.entries(config.encoder.views);
  const pixels = new Map(
    views.map(([v, s]) => [v, new Float32Array(B * images * s.height * s.width * 3)]),
  );
  samples.forEach((sample, b) => {
    const r = sample.rendered;
    const inTurn = new Uint8Array(r.ids.length);
    for (const s of r.spans)
      if (s.role === 'assistant' && s.step === sample.step) inTurn.fill(1, s.start, s.end);
    const tokens: readonly number[] = r.ids;
    for (let i = 0; i < tokens.length; i++) {
      ids[b * T + i] = BigInt(tokens[i] as number);
      if (i + 1 >= tokens.length) break;
      targets[b * T + i] = BigInt(tokens[i + 1] as number);
      const label: SegmentLabel | undefined = r.labels[i + 1];
      if (inTurn[i + 1] === 1 && label !== undefined && label !== 'other') {
        masks[label][b * T + i] = 1;
      }
    }
    for (const [view, slots] of slotsByView(sample)) {
      const size = config.encoder.views[view];
      if (!size)
        throw new PolicyError(
          'POLICY_INVALID_BATCH',
          `The encoder has no view ${view}; render with its views only.`,
        );
      if (slots.length > images) {
        throw new PolicyError(
          'POLICY_INVALID_BATCH',
          `A sample has ${slots.length} ${view} images; the graph takes ${images}.`,
        );
      }
      const plane = size.height * size.width * 3;
      slots.forEach((slot, k) => {
        if (slot.length !== layout.tokensPerView[view]) {
          throw new PolicyError(
            'POLICY_INVALID_BATCH',
            `A ${view} image slot holds ${slot.length} tokens; the encoder makes ${layout.tokensPerView[view]} (render with tokensPerImage from tokensPerView).`,
          );
        }
        pixels.get(view)!.set(cache.get(slot.image, view), (b * images + k) * plane);
        const offset = layout.offset(view, k);
        for (let j = 0; j < slot.length; j++)
          placement[(b * T + slot.position + j) * layout.slots + offset + j] = 1;
      });
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
    [POLICY_NAMES.placement]: createTensor('float32', [B, T, layout.slots], placement),
  };
  for (const [view, size] of views) {
    out[POLICY_NAMES.pixels(view)] = createTensor(
      'float32',
      [B, images, size.height, size.width, 3],
      pixels.get(view),
    );
  }
  const w = config.losses;
  for (const [term, segment] of SEGMENT_TERMS) {
    if (w[term] > 0)
      out[POLICY_NAMES.mask(segment)] = createTensor('float32', [B, T], masks[segment]);
  }
  if (w.ac > 0) Object.assign(out, inverseDynamicsInputs(samples, tokenizer, config, cache));
  return out;
}

function inverseDynamicsInputs(
  samples: readonly StepSample[],
  tokenizer: Tokenizer,
  config: PolicyConfig,
  cache: PixelCache,
): Record<string, Tensor> {
  const B = samples.length;
  const out: Record<string, Tensor> = {};
  for (const [view, size] of Object.entries(config.encoder.views)) {
    const plane = size.height * size.width * 3;
    for (const [name, which] of [
      [POLICY_NAMES.before(view), 'before'],
      [POLICY_NAMES.after(view), 'after'],
    ] as const) {
      const data = new Float32Array(B * plane);
      samples.forEach((s, b) => {
        const image = s[which][view as ViewName];
        if (!image)
          throw new PolicyError(
            'POLICY_INVALID_BATCH',
            `Step ${s.step} has no ${view} view ${which} its action.`,
          );
        data.set(cache.get(image, view), b * plane);
      });
      out[name] = createTensor('float32', [B, size.height, size.width, 3], data);
    }
  }
  const bins = samples.flatMap((s) => actionBins(s, tokenizer));
  out[POLICY_NAMES.actionBins] = createTensor('int64', [B, 6], BigInt64Array.from(bins, BigInt));
  return out;
}
