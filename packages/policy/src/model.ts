import {
  GraphBuilder,
  gelu,
  linear,
  type KvCache,
  norm,
  sharedParameter,
  tokenNll,
  transformerStack,
  weightedMean,
  type Graph,
  type TensorRef,
} from '@actllm/graph';
import { encodeView, encoderNames, tokensPerView } from '@actllm/encoder';
import { CELL_FIELDS, groundingGrid, hasCellLoss, type CellField } from './cells.js';
import { copyHead } from './copy.js';
import { PolicyError } from './errors.js';
import {
  cellWeight,
  inverseDynamicsOf,
  validatePolicyConfig,
  type PolicyConfig,
} from './config.js';

/**
 * The ACTLLM model as one graph: a sequence of text tokens with visual tokens spliced in at
 * the template's image slots, a causal decoder over it, and the four losses.
 *
 * Splicing is a gather per view: `x = embed(ids) + sum over views of mask_v * rows_v[index_v]`,
 * where `rows_v` [rows, dModel] are the visual tokens of every image of view v in the batch,
 * `index_v` [batch, seq] says which row a sequence position takes and `mask_v` is 1 where it
 * takes one (the position's `<image>` token embedding then marks that an image is there).
 * The row count is symbolic, so one static graph serves batches with few or many images,
 * and only the batch's real images go through the encoder.
 */

/** Input and output names of the policy graphs. */
export const POLICY_NAMES = {
  ids: 'ids',
  /** Absolute positions of the sequence, int64 [seq] (0, 1, ...). */
  positions: 'positions',
  targets: 'targets',
  /** Per-token loss masks, 1 where the target belongs to the segment. */
  mask: (segment: 'scene' | 'next' | 'act') => `mask.${segment}`,
  /** The batch's images of one view, sample after sample: float32 [images, H, W, 3]. */
  pixels: (view: string) => `pixels.${view}`,
  /** The row of the view's visual tokens each position takes: int64 [batch, seq] (0 if none). */
  visualIndex: (view: string) => `visual_index.${view}`,
  /** 1 where a position takes a visual token of the view: float32 [batch, seq]. */
  visualMask: (view: string) => `visual_mask.${view}`,
  /** Inverse dynamics: the views before and after a step's action, [pairs, H, W, 3]. */
  before: (view: string) => `idm.before.${view}`,
  after: (view: string) => `idm.after.${view}`,
  /** Binned action: from x, y, rotation, to x, y, rotation; int64 [pairs, 6]. */
  actionBins: 'idm.targets',
  /** Weight of each before/after pair, float32 [pairs] (0 for a padding pair). */
  idmWeight: 'idm.weight',
  logits: 'logits',
  loss: 'loss',
  /** The grounded view's cell targets: int64 [images, tokens, 5] (see `cellTargets`). */
  cellTargets: 'cells.targets',
  /** The per-cell heads' logits of one field: float32 [images, tokens, vocab] (visual graph). */
  cellLogits: (field: CellField) => `cells.logits.${field}`,
  term: (name: 'obs' | 'cells' | 'fwd' | 'act' | 'ac') => `loss.${name}`,
} as const;

/** The token embedding's initializer (the grounding and the text embedding share `wte`). */
const WTE_INIT = { kind: 'normal', std: 0.02 } as const;

/** The cross-entropy terms and the dialogue segment each is computed on. */
export const SEGMENT_TERMS = [
  ['obs', 'scene'],
  ['fwd', 'next'],
  ['act', 'act'],
] as const;

/**
 * Each view's visual tokens, `[images, tokens, dModel]`, and as rows `[rows, dModel]`: every
 * image of the view, token by token.
 */
function visualRows(
  g: GraphBuilder,
  config: PolicyConfig,
): { rows: Record<string, TensorRef>; encoded: Record<string, TensorRef> } {
  const rows: Record<string, TensorRef> = {};
  const encoded: Record<string, TensorRef> = {};
  for (const [view, size] of Object.entries(config.encoder.views)) {
    const pixels = g.input(POLICY_NAMES.pixels(view), 'float32', [
      `images.${view}`,
      size.height,
      size.width,
      3,
    ]);
    const read = readView(g, config, pixels, view);
    if (read.encoded) encoded[view] = read.encoded;
    rows[view] = g.reshape(read.tokens, [-1, config.lm.dModel]);
  }
  return { rows, encoded };
}

/**
 * Visual tokens of a batch of one view's images, `[images, tokens, dModel]`: the encoder's
 * tokens, plus for the grounded view the embeddings of each token's position-bin tokens.
 */
export function viewTokens(
  g: GraphBuilder,
  config: PolicyConfig,
  pixels: TensorRef,
  view: string,
): TensorRef {
  return readView(g, config, pixels, view).tokens;
}

/**
 * A view's visual tokens; the grounded view's get the embeddings of their cell's position
 * tokens, and its encoder tokens before them come back as `encoded` (the per-cell heads
 * read those, in the training graph only).
 */
function readView(
  g: GraphBuilder,
  config: PolicyConfig,
  pixels: TensorRef,
  view: string,
): { tokens: TensorRef; encoded?: TensorRef } {
  const tokens = encodeView(g, pixels, view, config.encoder);
  const grounding = config.grounding;
  if (grounding?.view !== view) return { tokens };
  const { xs, ys } = cellTokens(config, grounding);
  const wte = sharedParameter(g, 'wte', [config.vocab, config.lm.dModel], WTE_INIT);
  const at = (ids: number[]) => g.gather(wte, g.constant(ids, 'int64'), 0);
  return { tokens: g.add(tokens, g.add(at(xs), at(ys))), encoded: tokens };
}

/** The position-bin token ids at the centre of each visual token's cell, row by row. */
function cellTokens(
  config: PolicyConfig,
  grounding: NonNullable<PolicyConfig['grounding']>,
): { xs: number[]; ys: number[] } {
  const { rows, cols } = groundingGrid(config);
  const bins = grounding.xTokens.length;
  const bin = (v: number) => Math.min(bins - 1, Math.floor(v * bins));
  const xs: number[] = [];
  const ys: number[] = [];
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      // Image columns are workspace x; image rows run from y = 1 at the top to y = 0.
      xs.push(grounding.xTokens[bin((j + 0.5) / cols)] as number);
      ys.push(grounding.yTokens[bin(1 - (i + 0.5) / rows)] as number);
    }
  }
  return { xs, ys };
}

/**
 * The visual graph of one view, as the agent runs it and the export writes it: input
 * `pixels.<view>` [batch, H, W, 3] (from `imagesToTensor`), output `tokens.<view>` [batch,
 * tokens, dModel], the same tokens the training graph splices in; for the grounded view with
 * the observation loss on, also the cell heads' logits `cells.logits.<field>` [batch,
 * tokens, vocab] (`sceneFromCells` reads them).
 */
export function buildVisualGraph(config: PolicyConfig, view: string): Graph {
  validatePolicyConfig(config);
  const size = config.encoder.views[view];
  if (!size) {
    throw new PolicyError(
      'POLICY_INVALID_CONFIG',
      `The encoder has no view ${view}; its views are ${Object.keys(config.encoder.views).join(', ')}.`,
    );
  }
  const g = new GraphBuilder(`actllm_visual_${view}`);
  const names = encoderNames(view);
  const pixels = g.input(names.pixels, 'float32', ['batch', size.height, size.width, 3]);
  const read = readView(g, config, pixels, view);
  g.output(read.tokens, names.tokens);
  if (read.encoded && hasCellLoss(config)) {
    cellHeads(g, config, read.encoded).forEach((logits, i) =>
      g.output(logits, POLICY_NAMES.cellLogits(CELL_FIELDS[i] as CellField)),
    );
  }
  return g.build();
}

/** The visual inputs of a view in the decoder: its rows, where they go and the mask. */
export interface VisualInput {
  readonly rows: TensorRef;
  readonly index: TensorRef;
  readonly mask: TensorRef;
}

/**
 * Text embeddings plus spliced visual tokens plus learned positions: the decoder's input,
 * shared by the training graph and the KV-cache decoder so their weights are one set.
 */
export function embedSequence(
  g: GraphBuilder,
  config: PolicyConfig,
  inputs: { ids: TensorRef; positions: TensorRef; visual: Readonly<Record<string, VisualInput>> },
): TensorRef {
  const { lm } = config;
  const wte = sharedParameter(g, 'wte', [config.vocab, lm.dModel], WTE_INIT);
  let spliced = g.gather(wte, inputs.ids, 0);
  for (const { rows, index, mask } of Object.values(inputs.visual)) {
    spliced = g.add(spliced, g.mul(g.gather(rows, index, 0), g.unsqueeze(mask, [-1])));
  }
  if (lm.rotary === true) return spliced;
  const wpe = sharedParameter(g, 'wpe', [lm.maxLength, lm.dModel], { kind: 'normal', std: 0.02 });
  return g.add(spliced, g.gather(wpe, inputs.positions, 0));
}

/** Each view's splicing inputs (`visual_index.<view>`, `visual_mask.<view>`) over `rows`. */
export function visualInputs(
  g: GraphBuilder,
  config: PolicyConfig,
  rows: Readonly<Record<string, TensorRef>>,
  seq: string,
): Record<string, VisualInput> {
  const out: Record<string, VisualInput> = {};
  for (const view of Object.keys(config.encoder.views)) {
    out[view] = {
      rows: rows[view] as TensorRef,
      index: g.input(POLICY_NAMES.visualIndex(view), 'int64', ['batch', seq]),
      mask: g.input(POLICY_NAMES.visualMask(view), 'float32', ['batch', seq]),
    };
  }
  return out;
}

/** What `outputHead` needs besides the last hidden states when the copy head is on. */
export interface CopyContext {
  readonly ids: TensorRef;
  /** The token before each position, int64 [batch, seq]. */
  readonly previous: TensorRef;
  readonly visual: Readonly<Record<string, VisualInput>>;
  /** Bool, broadcastable to [batch, 1, seq, past + seq]. */
  readonly mask: TensorRef;
  readonly cache?: KvCache;
}

/**
 * The next-token scores from the last hidden states: the final norm `lnf` and the output
 * head `head`, and with `lm.copy` the copy head's mixture (as log-probabilities, which are
 * logits of the same distribution) and its extended cache.
 */
export function outputHead(
  g: GraphBuilder,
  config: PolicyConfig,
  hidden: TensorRef,
  context?: CopyContext,
): { logits: TensorRef; copy?: KvCache } {
  const normed = norm(g, 'layer', hidden, 'lnf', config.lm.dModel);
  const logits = linear(g, normed, 'head', config.lm.dModel, config.vocab);
  if (config.lm.copy !== true || context === undefined) return { logits };
  const wte = sharedParameter(g, 'wte', [config.vocab, config.lm.dModel], WTE_INIT);
  const { logProbs, present } = copyHead(g, config, {
    normed,
    logits,
    ids: context.ids,
    // Visual tokens offer nothing to copy.
    text: g.sub(
      1,
      Object.values(context.visual)
        .map((v) => v.mask)
        .reduce((a, b) => g.add(a, b)),
    ),
    previous: g.gather(wte, context.previous, 0),
    mask: context.mask,
    ...(context.cache ? { cache: context.cache } : {}),
  });
  return { logits: logProbs, copy: present };
}

/** The token before each position of `ids` [batch, seq] (at position 0, its own). */
function previousTokens(g: GraphBuilder, ids: TensorRef, positions: TensorRef): TensorRef {
  const before = g.sub(positions, 1);
  return g.gather(ids, g.where(g.less(before, 0), 0, before), 1);
}

/**
 * Logits of the whole sequence, `[batch, seq, vocab]`, under a causal mask, and each view's
 * visual tokens `[images, tokens, dModel]`.
 */
function decoder(
  g: GraphBuilder,
  config: PolicyConfig,
): { logits: TensorRef; encoded: Record<string, TensorRef> } {
  const ids = g.input(POLICY_NAMES.ids, 'int64', ['batch', 'seq']);
  // Positions are fed (0, 1, ... seq - 1): a query attends to keys at positions up to its own.
  const positions = g.input(POLICY_NAMES.positions, 'int64', ['seq']);
  const { rows, encoded } = visualRows(g, config);
  const visual = visualInputs(g, config, rows, 'seq');
  const x = embedSequence(g, config, { ids, positions, visual });
  const mask = g.less(g.unsqueeze(positions, [0]), g.unsqueeze(g.add(positions, 1), [1]));
  const hidden = transformerStack(g, x, config.lm, { mask, positions }).hidden;
  const copy =
    config.lm.copy === true
      ? { ids, previous: previousTokens(g, ids, positions), visual, mask }
      : undefined;
  return { logits: outputHead(g, config, hidden, copy).logits, encoded };
}

/** The per-cell heads: one linear head per field over each encoder token of the grounded view. */
function cellHeads(g: GraphBuilder, config: PolicyConfig, encoded: TensorRef): TensorRef[] {
  return CELL_FIELDS.map((field) =>
    linear(g, encoded, `cells.${field}`, config.lm.dModel, config.vocab),
  );
}

/**
 * The per-cell term of the observation model (see `cellTargets`): the cell heads read each
 * visual token of the grounded view; the mean over fields of each field's cross-entropy
 * over the cells it labels.
 */
function cellLoss(g: GraphBuilder, config: PolicyConfig, encoded: TensorRef): TensorRef {
  const view = (config.grounding as NonNullable<PolicyConfig['grounding']>).view;
  const count = tokensPerView(config.encoder)[view] as number;
  const targets = g.input(POLICY_NAMES.cellTargets, 'int64', [
    `images.${view}`,
    count,
    CELL_FIELDS.length,
  ]);
  const columns = g.split(targets, CELL_FIELDS.length, 2);
  const perField = cellHeads(g, config, encoded).map((logits, i) => {
    const { nll, ignored } = tokenNll(g, logits, g.squeeze(columns[i] as TensorRef, [2]));
    return weightedMean(g, nll, g.sub(1, g.cast(ignored, 'float32')));
  });
  return g.div(
    perField.reduce((a, b) => g.add(a, b)),
    CELL_FIELDS.length,
  );
}

/**
 * The inverse-dynamics loss: the binned action from the visual tokens before and after it.
 * Each visual token of both frames is reduced to a few features that keep where it sits
 * (a mean over tokens would lose the positions the action's bins are about), flattened,
 * and read by an MLP with one head per bin. `idm.weight` [pairs] weighs each pair (0 for
 * padding), so a batch may hold samples without a transition.
 */
function inverseDynamicsLoss(g: GraphBuilder, config: PolicyConfig): TensorRef {
  const { hidden, bins, rotationBins, cell } = inverseDynamicsOf(config);
  const perToken: TensorRef[] = [];
  let width = 0;
  for (const [view, size] of Object.entries(config.encoder.views)) {
    const frames = [POLICY_NAMES.before(view), POLICY_NAMES.after(view)].map((name) =>
      encodeView(
        g,
        g.input(name, 'float32', ['pairs', size.height, size.width, 3]),
        view,
        config.encoder,
      ),
    );
    const tokens = tokensPerView(config.encoder)[view] as number;
    const both = g.concat(frames, 2);
    const cells = linear(g, both, `idm.${view}.cell`, 2 * config.lm.dModel, cell);
    perToken.push(g.reshape(gelu(g, cells), [0, tokens * cell]));
    width += tokens * cell;
  }
  const features = perToken.length === 1 ? (perToken[0] as TensorRef) : g.concat(perToken, 1);
  const h = gelu(g, linear(g, features, 'idm.fc', width, hidden));
  const targets = g.input(POLICY_NAMES.actionBins, 'int64', ['pairs', 6]);
  const weight = g.input(POLICY_NAMES.idmWeight, 'float32', ['pairs']);
  const columns = g.split(targets, 6, 1);
  const nll = columns
    .map((column, i) => {
      const classes = i % 3 === 2 ? rotationBins : bins;
      const logits = linear(g, h, `idm.head${i}`, hidden, classes);
      return tokenNll(g, logits, g.squeeze(column, [1])).nll;
    })
    .reduce((a, b) => g.add(a, b));
  return weightedMean(g, g.div(nll, columns.length), weight);
}

/**
 * The training graph: outputs `logits`, each active loss term `loss.obs`, `loss.cells` (the
 * observation model's per-cell part, when a view is grounded), `loss.fwd`, `loss.act`,
 * `loss.ac`, and their weighted sum `loss`. A term whose weight is 0 is left out, with its
 * inputs, and the language model with the last text term.
 */
export function buildPolicyGraph(config: PolicyConfig): Graph {
  validatePolicyConfig(config);
  const g = new GraphBuilder('actllm_policy');
  const w = config.losses;
  const terms: [number, TensorRef][] = [];
  let encoded: Record<string, TensorRef>;
  if (hasLanguageModel(config)) {
    const lm = decoder(g, config);
    encoded = lm.encoded;
    g.output(lm.logits, POLICY_NAMES.logits);
    const targets = g.input(POLICY_NAMES.targets, 'int64', ['batch', 'seq']);
    const { nll } = tokenNll(g, lm.logits, targets);
    for (const [term, segment] of SEGMENT_TERMS) {
      if (w[term] === 0) continue;
      const mask = g.input(POLICY_NAMES.mask(segment), 'float32', ['batch', 'seq']);
      terms.push([w[term], g.output(weightedMean(g, nll, mask), POLICY_NAMES.term(term))]);
    }
  } else {
    encoded = visualRows(g, config).encoded;
  }
  if (hasCellLoss(config)) {
    const view = (config.grounding as NonNullable<PolicyConfig['grounding']>).view;
    const cells = cellLoss(g, config, encoded[view] as TensorRef);
    terms.push([cellWeight(config), g.output(cells, POLICY_NAMES.term('cells'))]);
  }
  if (w.ac > 0)
    terms.push([w.ac, g.output(inverseDynamicsLoss(g, config), POLICY_NAMES.term('ac'))]);
  const total = terms.map(([weight, t]) => g.mul(t, weight)).reduce((a, b) => g.add(a, b));
  g.output(total, POLICY_NAMES.loss);
  return g.build();
}

/**
 * Whether the training graph runs the language model: some text term (obs, fwd, act) is on.
 * Without one it is a vision stage (the encoder, its cell heads and the inverse dynamics).
 */
export function hasLanguageModel(config: PolicyConfig): boolean {
  return SEGMENT_TERMS.some(([term]) => config.losses[term] > 0);
}
