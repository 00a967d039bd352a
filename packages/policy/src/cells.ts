import type { ObjectState } from '@actllm/core';
import {
  OBJECT_CLOSE,
  OBJECT_OPEN,
  SCENE_CLOSE,
  SCENE_OPEN,
  binToken,
  buildScene,
  canonicalizeScene,
  parseScene,
  toCompact,
  type BinField,
  type SceneDescriptor,
} from '@actllm/descriptor';
import type { Tokenizer } from '@actllm/dialogue';
import { blockPatch } from '@actllm/encoder';
import { cellWeight, type GroundingConfig, type PolicyConfig } from './config.js';
import { PolicyError } from './errors.js';

/**
 * Dense supervision of the grounded view: each visual token (a cell of the top view's grid)
 * is trained to name, through small heads of its own, the object whose centre lies in its
 * cell, in the descriptor's own tokens (shape, colour, `<x_k>`, `<y_k>`, `<t_k>`), or `<pad>`
 * for an empty cell. A scene gives as many labels as the grid has cells instead of the few
 * objects of its `scene` text, and the labels sit where the object is, so the encoder learns
 * to read a table long before the language model has learned where to look. The term is
 * part of the observation model's loss (`losses.obs` weighs it, 0 switches it off).
 */

/** What each cell names, in the order of the descriptor's object tokens. */
export const CELL_FIELDS = ['shape', 'color', 'x', 'y', 'theta'] as const;

/** The grid of the grounded view: one cell per visual token, row by row from the top. */
export function groundingGrid(config: PolicyConfig): { rows: number; cols: number } {
  const grounding = config.grounding as GroundingConfig;
  const size = config.encoder.views[grounding.view] as { height: number; width: number };
  const side = blockPatch(config.encoder) * (config.encoder.merge ?? 1);
  return { rows: size.height / side, cols: size.width / side };
}

/** Whether the training graph has the per-cell term (a grounded view and its weight > 0). */
export function hasCellLoss(config: PolicyConfig): boolean {
  return config.grounding !== undefined && cellWeight(config) > 0;
}

/**
 * The cell targets of one image, `[cells * CELL_FIELDS.length]` token ids (-100 where a
 * field has no label). Where two objects share a cell, the smaller footprint wins: it is the
 * one on top, the one a container holds.
 */
export function cellTargets(
  objects: readonly ObjectState[],
  tokenizer: Tokenizer,
  config: PolicyConfig,
): BigInt64Array {
  const { rows, cols } = groundingGrid(config);
  const fields = CELL_FIELDS.length;
  const out = new BigInt64Array(rows * cols * fields).fill(-100n);
  for (let c = 0; c < rows * cols; c++) out[c * fields] = BigInt(tokenizer.padId);
  const footprint = new Float64Array(rows * cols).fill(Infinity);
  const view = (config.grounding as GroundingConfig).view as keyof ObjectState['bbox'];
  for (const object of objects) {
    const { x, y } = object.pose;
    if (object.bbox[view] === null || x < 0 || x > 1 || y < 0 || y > 1) continue;
    const col = Math.min(cols - 1, Math.floor(x * cols));
    const row = Math.min(rows - 1, Math.floor((1 - y) * rows));
    const cell = row * cols + col;
    const area = object.size.x * object.size.y;
    if (area >= (footprint[cell] as number)) continue;
    footprint[cell] = area;
    objectTokens(object, tokenizer, config).forEach((id, f) => {
      out[cell * fields + f] = BigInt(id);
    });
  }
  return out;
}

/** The object's tokens as the scene descriptor writes them, between `<obj>` and `</obj>`. */
function objectTokens(object: ObjectState, tokenizer: Tokenizer, config: PolicyConfig): number[] {
  const bins = config.inverseDynamics.bins;
  const text = toCompact(buildScene([object], { bins }), { bins });
  const ids = tokenizer.encode(text);
  const open = ids.indexOf(tokenizer.id('<obj>') ?? -1);
  const tokens = ids.slice(open + 1, open + 1 + CELL_FIELDS.length);
  if (
    open < 0 ||
    tokens.length !== CELL_FIELDS.length ||
    ids[open + 1 + tokens.length] !== tokenizer.id('</obj>')
  ) {
    throw new PolicyError(
      'POLICY_INVALID_BATCH',
      `The object ${object.shape} ${object.color} is not written as ${CELL_FIELDS.length} tokens (${text}); build the tokenizer with the scene's shape and colour names.`,
    );
  }
  return tokens;
}

export type CellField = (typeof CELL_FIELDS)[number];

/** Each field's head logits over one image's cells, `[cells * vocab]`, cell by cell. */
export type CellLogits = Readonly<Record<CellField, ArrayLike<number>>>;

export interface CellReadingOptions {
  /** The shape and colour names a scene may use (the agent's grammar). */
  readonly shapes: Iterable<string>;
  readonly colors: Iterable<string>;
  /** At most this many objects, the most certain first. */
  readonly maxObjects: number;
}

/**
 * The observation model's reading of one image from the per-cell heads: every cell whose
 * shape head gives `<pad>` (empty) less than even odds holds an object, named by each
 * field's most likely token among those the field may take, and the objects come back as
 * a scene descriptor in the documented order. It is a detector's reading, one object per
 * cell, so two objects whose centres share a cell are read as one.
 */
export function sceneFromCells(
  logits: CellLogits,
  tokenizer: Tokenizer,
  config: PolicyConfig,
  options: CellReadingOptions,
): SceneDescriptor {
  const { rows, cols } = groundingGrid(config);
  const vocab = config.vocab;
  const bins = config.inverseDynamics.bins;
  const idsOf = (tokens: Iterable<string>) =>
    [...tokens].flatMap((t) => {
      const id = tokenizer.id(t);
      return id === undefined ? [] : [id];
    });
  const bin = (field: BinField) =>
    idsOf(Array.from({ length: bins }, (_, k) => binToken(field, k)));
  const choices: Record<CellField, number[]> = {
    shape: idsOf(options.shapes),
    color: idsOf(options.colors),
    x: bin('x'),
    y: bin('y'),
    theta: bin('t'),
  };
  for (const field of CELL_FIELDS)
    if (choices[field].length === 0)
      throw new PolicyError(
        'POLICY_INVALID_OPTION',
        `sceneFromCells: no ${field} token of the options is in the tokenizer; pass the shape and colour names the model was trained with.`,
      );
  const found: { empty: number; text: string }[] = [];
  for (let cell = 0; cell < rows * cols; cell++) {
    const empty = padProbability(logits.shape, cell * vocab, vocab, tokenizer.padId);
    if (empty >= 0.5) continue;
    const tokens = CELL_FIELDS.map((f) =>
      tokenizer.token(best(logits[f], cell * vocab, choices[f])),
    );
    found.push({ empty, text: `${OBJECT_OPEN} ${tokens.join(' ')} ${OBJECT_CLOSE}` });
  }
  const kept = found.sort((a, b) => a.empty - b.empty).slice(0, options.maxObjects);
  const text = `${SCENE_OPEN} ${kept.map((o) => o.text).join(' ')} ${SCENE_CLOSE}`;
  const parsed = parseScene(text, { format: 'compact', mode: 'strict', bins });
  if (!parsed.ok)
    throw new PolicyError(
      'POLICY_INVALID_OPTION',
      `The cell reading does not parse (${parsed.problems.map((p) => p.message).join(' ')}); shapes and colours must be names the tokenizer has.`,
    );
  return canonicalizeScene(parsed.scene, { bins });
}

/** Softmax probability of `pad` among the `vocab` logits starting at `offset`. */
function padProbability(logits: ArrayLike<number>, offset: number, vocab: number, pad: number) {
  let max = -Infinity;
  for (let v = 0; v < vocab; v++) max = Math.max(max, logits[offset + v] as number);
  let total = 0;
  for (let v = 0; v < vocab; v++) total += Math.exp((logits[offset + v] as number) - max);
  return Math.exp((logits[offset + pad] as number) - max) / total;
}

/** The id among `ids` with the largest logit (ties to the first). */
function best(logits: ArrayLike<number>, offset: number, ids: readonly number[]): number {
  let chosen = ids[0] as number;
  for (const id of ids)
    if ((logits[offset + id] as number) > (logits[offset + chosen] as number)) chosen = id;
  return chosen;
}
