import {
  GraphBuilder,
  gelu,
  linear,
  norm,
  sharedParameter,
  tokenNll,
  transformerStack,
  weightedMean,
  type Graph,
  type TensorRef,
} from '@actllm/graph';
import { encodeView, tokensPerView } from '@actllm/encoder';
import { validatePolicyConfig, type PolicyConfig } from './config.js';

/**
 * The ACTLLM model as one graph: a sequence of text tokens with visual tokens spliced in at
 * the template's image slots, a causal decoder over it, and the four losses.
 *
 * Splicing is a product with a placement matrix: `x = embed(ids) + placement @ visual`,
 * where `placement` [batch, seq, slots] is 1 where a sequence position holds a visual token
 * (the position's `<image>` token embedding then acts as a marker that an image is there).
 * Samples differ in where their images sit, so a product with a fed 0/1 matrix keeps one
 * static graph for every batch, and its gradient is two more products.
 */

/** Input and output names of the policy graphs. */
export const POLICY_NAMES = {
  ids: 'ids',
  /** Absolute positions of the sequence, int64 [seq] (0, 1, ...). */
  positions: 'positions',
  targets: 'targets',
  /** Per-token loss masks, 1 where the target belongs to the segment. */
  mask: (segment: 'scene' | 'next' | 'act') => `mask.${segment}`,
  /** Images of one view for every sample: [batch, images, H, W, 3]. */
  pixels: (view: string) => `pixels.${view}`,
  placement: 'placement',
  /** Inverse dynamics: the views before and after the step's action, [batch, H, W, 3]. */
  before: (view: string) => `idm.before.${view}`,
  after: (view: string) => `idm.after.${view}`,
  /** Binned action: from x, y, rotation, to x, y, rotation; int64 [batch, 6]. */
  actionBins: 'idm.targets',
  logits: 'logits',
  loss: 'loss',
  term: (name: 'obs' | 'fwd' | 'act' | 'ac') => `loss.${name}`,
} as const;

/** The cross-entropy terms and the dialogue segment each is computed on. */
export const SEGMENT_TERMS = [
  ['obs', 'scene'],
  ['fwd', 'next'],
  ['act', 'act'],
] as const;

/** Where the visual tokens of a sample sit in `placement`'s slot axis. */
export interface SlotLayout {
  /** Visual tokens per image of each view, in the config's view order. */
  readonly tokensPerView: Readonly<Record<string, number>>;
  /** Images per sample of each view. */
  readonly imagesPerView: number;
  /** Slot offset of image `i` of view `v`: views one after another, images within a view. */
  offset(view: string, image: number): number;
  readonly slots: number;
}

export function slotLayout(config: PolicyConfig, imagesPerView: number): SlotLayout {
  const perView = tokensPerView(config.encoder);
  const views = Object.keys(perView);
  const starts = new Map<string, number>();
  let total = 0;
  for (const v of views) {
    starts.set(v, total);
    total += imagesPerView * (perView[v] as number);
  }
  return {
    tokensPerView: perView,
    imagesPerView,
    slots: total,
    offset: (view, image) => (starts.get(view) as number) + image * (perView[view] as number),
  };
}

/** Visual tokens of every image of the batch, `[batch, slots, dModel]`, views in order. */
function visualTokens(g: GraphBuilder, config: PolicyConfig, images: number): TensorRef {
  const parts: TensorRef[] = [];
  for (const [view, size] of Object.entries(config.encoder.views)) {
    const pixels = g.input(POLICY_NAMES.pixels(view), 'float32', [
      'batch',
      images,
      size.height,
      size.width,
      3,
    ]);
    // Image by image (slices keep the batch dimension symbolic), one shared encoder.
    for (let i = 0; i < images; i++) {
      const image = g.squeeze(g.slice(pixels, [i], [i + 1], [1]), [1]);
      parts.push(encodeView(g, image, view, config.encoder));
    }
  }
  return parts.length === 1 ? (parts[0] as TensorRef) : g.concat(parts, 1);
}

/**
 * Text embeddings plus spliced visual tokens plus learned positions: the decoder's input,
 * shared by the training graph and the KV-cache decoder so their weights are one set.
 */
export function embedSequence(
  g: GraphBuilder,
  config: PolicyConfig,
  inputs: { ids: TensorRef; positions: TensorRef; placement: TensorRef; visual: TensorRef },
): TensorRef {
  const { lm } = config;
  const wte = sharedParameter(g, 'wte', [config.vocab, lm.dModel], { kind: 'normal', std: 0.02 });
  const text = g.gather(wte, inputs.ids, 0);
  const spliced = g.add(text, g.matmul(inputs.placement, inputs.visual));
  const wpe = sharedParameter(g, 'wpe', [lm.maxLength, lm.dModel], { kind: 'normal', std: 0.02 });
  return g.add(spliced, g.gather(wpe, inputs.positions, 0));
}

/** Logits from the last hidden states: the final norm `lnf` and the output head `head`. */
export function outputHead(g: GraphBuilder, config: PolicyConfig, hidden: TensorRef): TensorRef {
  const normed = norm(g, 'layer', hidden, 'lnf', config.lm.dModel);
  return linear(g, normed, 'head', config.lm.dModel, config.vocab);
}

/** Logits of the whole sequence, `[batch, seq, vocab]`, under a causal mask. */
function decoder(g: GraphBuilder, config: PolicyConfig, images: number): TensorRef {
  const slots = slotLayout(config, images).slots;
  const ids = g.input(POLICY_NAMES.ids, 'int64', ['batch', 'seq']);
  // Positions are fed (0, 1, ... seq - 1): a query attends to keys at positions up to its own.
  const positions = g.input(POLICY_NAMES.positions, 'int64', ['seq']);
  const placement = g.input(POLICY_NAMES.placement, 'float32', ['batch', 'seq', slots]);
  const visual = visualTokens(g, config, images);
  const x = embedSequence(g, config, { ids, positions, placement, visual });
  const mask = g.less(g.unsqueeze(positions, [0]), g.unsqueeze(g.add(positions, 1), [1]));
  return outputHead(g, config, transformerStack(g, x, config.lm, { mask }).hidden);
}

/** The inverse-dynamics loss: the binned action from pooled visual tokens before and after. */
function inverseDynamicsLoss(g: GraphBuilder, config: PolicyConfig): TensorRef {
  const pooled: TensorRef[] = [];
  for (const [view, size] of Object.entries(config.encoder.views)) {
    for (const name of [POLICY_NAMES.before(view), POLICY_NAMES.after(view)]) {
      const pixels = g.input(name, 'float32', ['batch', size.height, size.width, 3]);
      pooled.push(g.reduceMean(encodeView(g, pixels, view, config.encoder), [1], false));
    }
  }
  const { hidden, bins, rotationBins } = config.inverseDynamics;
  const features = g.concat(pooled, 1);
  const h = gelu(g, linear(g, features, 'idm.fc', pooled.length * config.lm.dModel, hidden));
  const targets = g.input(POLICY_NAMES.actionBins, 'int64', ['batch', 6]);
  const columns = g.split(targets, 6, 1);
  const terms = columns.map((column, i) => {
    const classes = i % 3 === 2 ? rotationBins : bins;
    const logits = linear(g, h, `idm.head${i}`, hidden, classes);
    const { nll } = tokenNll(g, logits, g.squeeze(column, [1]));
    return g.reduceMean(nll, undefined, false);
  });
  return g.div(
    terms.reduce((a, b) => g.add(a, b)),
    terms.length,
  );
}

export interface PolicyGraphOptions {
  /** Images of each view per sample (instruction assets, history, current); padded with zeros. */
  readonly imagesPerView: number;
}

/**
 * The training graph: outputs `logits`, each active loss term `loss.obs`, `loss.fwd`,
 * `loss.act`, `loss.ac`, and their weighted sum `loss`. A term whose weight is 0 is left
 * out, with its inputs.
 */
export function buildPolicyGraph(config: PolicyConfig, options: PolicyGraphOptions): Graph {
  validatePolicyConfig(config);
  const g = new GraphBuilder('actllm_policy');
  const logits = decoder(g, config, options.imagesPerView);
  g.output(logits, POLICY_NAMES.logits);
  const targets = g.input(POLICY_NAMES.targets, 'int64', ['batch', 'seq']);
  const { nll } = tokenNll(g, logits, targets);
  const w = config.losses;
  const terms: [number, TensorRef][] = [];
  for (const [term, segment] of SEGMENT_TERMS) {
    if (w[term] === 0) continue;
    const mask = g.input(POLICY_NAMES.mask(segment), 'float32', ['batch', 'seq']);
    terms.push([w[term], g.output(weightedMean(g, nll, mask), POLICY_NAMES.term(term))]);
  }
  if (w.ac > 0)
    terms.push([w.ac, g.output(inverseDynamicsLoss(g, config), POLICY_NAMES.term('ac'))]);
  const total = terms.map(([weight, t]) => g.mul(t, weight)).reduce((a, b) => g.add(a, b));
  g.output(total, POLICY_NAMES.loss);
  return g.build();
}
