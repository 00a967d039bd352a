import { validateEncoderConfig, type EncoderConfig } from '@actllm/encoder';
import { binToken } from '@actllm/descriptor';
import type { Tokenizer } from '@actllm/dialogue';
import { PolicyError } from './errors.js';

/** The decoder-only language model over text and visual tokens. */
export interface LanguageModelConfig {
  readonly dModel: number;
  readonly heads: number;
  readonly layers: number;
  /** MLP width (default 4 * dModel). */
  readonly ff?: number;
  /** The longest sequence, text and visual tokens together (the position table's size). */
  readonly maxLength: number;
  /**
   * Rotary position embedding on queries and keys instead of the learned position table
   * `wpe`: attention then sees relative offsets, which is what copying a token from
   * earlier in the context needs.
   */
  readonly rotary?: boolean;
  /**
   * The copy head: an attention over earlier text positions whose values are their tokens,
   * mixed with the output head by a learned gate, so a turn can copy from its context
   * (see `copyHead`).
   */
  readonly copy?: boolean;
}

/**
 * Weights of the four losses (each 0 switches its term off; the model then leaves it out
 * of the graph): `obs` on the `scene` tokens (the observation model), `fwd` on the `next`
 * tokens (the forward model), `act` on the action tokens, `ac` the action-consistency term
 * (an inverse-dynamics head that predicts the binned action from the visual tokens of the
 * observation before and after it).
 */
export interface LossWeights {
  readonly obs: number;
  readonly fwd: number;
  readonly act: number;
  readonly ac: number;
  /**
   * The per-cell part of the observation model (`cellTargets`), when a view is grounded
   * (default: `obs`). With `obs`, `fwd` and `act` at 0 the graph has no language model: a
   * vision stage that trains the encoder and its cell heads alone.
   */
  readonly cells?: number;
}

/** The weight of the per-cell term: `losses.cells`, else `losses.obs`. */
export function cellWeight(config: Pick<PolicyConfig, 'losses'>): number {
  return config.losses.cells ?? config.losses.obs;
}

/** The inverse-dynamics head of the action-consistency loss. */
export interface InverseDynamicsConfig {
  /** Hidden width of its MLP. */
  readonly hidden: number;
  /** Position bins (the dialogue's `bins`, default 100) and rotation bins (`rotationBins`). */
  readonly bins: number;
  readonly rotationBins: number;
  /** Features kept per visual token of the two frames (default 8). */
  readonly cell?: number;
}

/** The inverse-dynamics head's settings with defaults filled in. */
export function inverseDynamicsOf(config: PolicyConfig): Required<InverseDynamicsConfig> {
  return { cell: 8, ...config.inverseDynamics };
}

/**
 * Visual grounding of an orthographic top view, whose image columns and rows are the
 * workspace's x and (flipped) y: each visual token of `view` gets the embeddings of the
 * position-bin tokens at its cell's centre added (`<x_k>` and `<y_k>`, the very tokens the
 * scene descriptor writes), so the language model can copy where a token is instead of
 * learning the grid from scratch.
 */
export interface GroundingConfig {
  readonly view: string;
  /** Token ids of `<x_0>` ... `<x_{bins-1}>` and `<y_0>` ... in the tokenizer. */
  readonly xTokens: readonly number[];
  readonly yTokens: readonly number[];
}

export interface PolicyConfig {
  readonly encoder: EncoderConfig;
  /** Grounding of the top view in the descriptor's position tokens (see GroundingConfig). */
  readonly grounding?: GroundingConfig;
  readonly lm: LanguageModelConfig;
  /** Vocabulary size (the tokenizer's). */
  readonly vocab: number;
  readonly losses: LossWeights;
  readonly inverseDynamics: InverseDynamicsConfig;
}

export type PresetName = 'tiny' | 'default' | 'base';

const VIEWS_SMALL = { top: { height: 32, width: 32 }, front: { height: 16, width: 32 } };

/**
 * Named sizes. `tiny` builds and trains in seconds (tests); `default` is the model trained
 * on 2 CPU cores; `base` is for a CUDA host. Each leaves `vocab` to the tokenizer.
 */
export const PRESETS: Readonly<Record<PresetName, Omit<PolicyConfig, 'vocab'>>> = {
  tiny: {
    encoder: { views: VIEWS_SMALL, patch: 8, dim: 16, layers: 1, heads: 2, outDim: 32 },
    lm: { dModel: 32, heads: 2, layers: 1, maxLength: 1024, rotary: true, copy: true },
    losses: { obs: 1, fwd: 1, act: 1, ac: 0.5 },
    inverseDynamics: { hidden: 32, bins: 100, rotationBins: 24 },
  },
  default: {
    // The top view only: the scene descriptor is in the workspace frame, which it shows
    // directly, and a second view would add half again as many tokens per image.
    encoder: {
      views: { top: { height: 128, width: 128 } },
      patch: 4,
      stem: [32, 64],
      dim: 128,
      layers: 2,
      heads: 4,
      outDim: 128,
    },
    lm: { dModel: 128, heads: 4, layers: 4, maxLength: 1024, rotary: true, copy: true },
    losses: { obs: 1, fwd: 1, act: 1, ac: 0.5 },
    inverseDynamics: { hidden: 128, bins: 100, rotationBins: 24 },
  },
  base: {
    encoder: {
      views: { top: { height: 128, width: 128 }, front: { height: 64, width: 128 } },
      patch: 16,
      dim: 256,
      layers: 4,
      heads: 8,
      outDim: 512,
    },
    lm: { dModel: 512, heads: 8, layers: 8, maxLength: 2048, rotary: true, copy: true },
    losses: { obs: 1, fwd: 1, act: 1, ac: 0.5 },
    inverseDynamics: { hidden: 512, bins: 100, rotationBins: 24 },
  },
};

function count(value: unknown, what: string, min = 1, max = 1 << 20): number {
  if (!Number.isInteger(value) || (value as number) < min || (value as number) > max) {
    throw new PolicyError(
      'POLICY_INVALID_CONFIG',
      `${what} must be a whole number from ${min} to ${max}; got ${String(value)}.`,
    );
  }
  return value as number;
}

/** The tokens a grounded view needs from a tokenizer: ids of `<x_k>` and `<y_k>`. */
export function groundingFor(
  tokenizer: Pick<Tokenizer, 'id'>,
  view: string,
  bins: number,
): GroundingConfig {
  const ids = (field: 'x' | 'y') =>
    Array.from({ length: bins }, (_, k) => {
      const id = tokenizer.id(binToken(field, k));
      if (id === undefined)
        throw new PolicyError(
          'POLICY_INVALID_CONFIG',
          `The tokenizer has no ${binToken(field, k)}; build it with dialogue's buildTokenizer (bins ${bins}).`,
        );
      return id;
    });
  return { view, xTokens: ids('x'), yTokens: ids('y') };
}

/**
 * A preset for a tokenizer (its vocabulary size, and the position tokens that ground the
 * top view when the preset has one), with optional overrides of loss weights. A number
 * instead of a tokenizer gives the vocabulary size only, without grounding.
 */
export function presetConfig(
  name: PresetName,
  tokenizer: Pick<Tokenizer, 'id' | 'size'> | number,
  losses: Partial<LossWeights> = {},
): PolicyConfig {
  const preset = (PRESETS as Record<string, Omit<PolicyConfig, 'vocab'> | undefined>)[name];
  if (!preset) {
    throw new PolicyError(
      'POLICY_INVALID_CONFIG',
      `Unknown preset ${String(name)}; use ${Object.keys(PRESETS).join(', ')}.`,
    );
  }
  const vocab = typeof tokenizer === 'number' ? tokenizer : tokenizer?.size;
  const grounded =
    typeof tokenizer === 'object' && tokenizer !== null && 'top' in preset.encoder.views;
  return validatePolicyConfig({
    ...preset,
    vocab,
    losses: { ...preset.losses, ...losses },
    ...(grounded ? { grounding: groundingFor(tokenizer, 'top', preset.inverseDynamics.bins) } : {}),
  });
}

/** Checks a configuration, or throws `POLICY_INVALID_CONFIG` naming what to fix. */
export function validatePolicyConfig(config: PolicyConfig): PolicyConfig {
  if (typeof config !== 'object' || config === null) {
    throw new PolicyError('POLICY_INVALID_CONFIG', 'The policy configuration must be an object.');
  }
  try {
    validateEncoderConfig(config.encoder);
  } catch (error) {
    throw new PolicyError('POLICY_INVALID_CONFIG', `encoder: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const { lm } = config;
  count(lm?.dModel, 'lm.dModel');
  count(lm.heads, 'lm.heads', 1, 256);
  count(lm.layers, 'lm.layers', 1, 256);
  count(lm.maxLength, 'lm.maxLength', 8, 1 << 16);
  if (lm.ff !== undefined) count(lm.ff, 'lm.ff');
  if (lm.rotary !== undefined && typeof lm.rotary !== 'boolean') {
    throw new PolicyError(
      'POLICY_INVALID_CONFIG',
      `lm.rotary must be true or false; got ${String(lm.rotary)}.`,
    );
  }
  if (lm.copy !== undefined && typeof lm.copy !== 'boolean') {
    throw new PolicyError(
      'POLICY_INVALID_CONFIG',
      `lm.copy must be true or false; got ${String(lm.copy)}.`,
    );
  }
  if (lm.dModel % lm.heads !== 0) {
    throw new PolicyError(
      'POLICY_INVALID_CONFIG',
      `lm.dModel ${lm.dModel} must be a multiple of lm.heads ${lm.heads}.`,
    );
  }
  if (config.encoder.outDim !== lm.dModel) {
    throw new PolicyError(
      'POLICY_INVALID_CONFIG',
      `encoder.outDim (${config.encoder.outDim}) must equal lm.dModel (${lm.dModel}): visual tokens are spliced into the text.`,
    );
  }
  count(config.vocab, 'vocab', 8);
  const weights = config.losses ?? {};
  for (const key of ['obs', 'fwd', 'act', 'ac', 'cells'] as const) {
    const w = weights[key];
    if (key === 'cells' && w === undefined) continue;
    if (typeof w !== 'number' || !Number.isFinite(w) || w < 0) {
      throw new PolicyError(
        'POLICY_INVALID_CONFIG',
        `losses.${key} must be a number of at least 0 (0 switches it off); got ${String(w)}.`,
      );
    }
  }
  if (weights.obs + weights.fwd + weights.act + weights.ac + (weights.cells ?? 0) === 0) {
    throw new PolicyError('POLICY_INVALID_CONFIG', 'At least one loss weight must be above 0.');
  }
  const id = config.inverseDynamics;
  count(id?.hidden, 'inverseDynamics.hidden');
  count(id.bins, 'inverseDynamics.bins', 2, 1000);
  count(id.rotationBins, 'inverseDynamics.rotationBins', 1, 360);
  if (id.cell !== undefined) count(id.cell, 'inverseDynamics.cell', 1, 1024);
  if (config.grounding !== undefined) checkGrounding(config);
  return config;
}

function checkGrounding(config: PolicyConfig): void {
  const g = config.grounding as GroundingConfig;
  if (!config.encoder.views[g?.view]) {
    throw new PolicyError(
      'POLICY_INVALID_CONFIG',
      `grounding.view ${String(g?.view)} is not a view of the encoder (${Object.keys(config.encoder.views).join(', ')}).`,
    );
  }
  for (const key of ['xTokens', 'yTokens'] as const) {
    const ids: unknown = g[key];
    if (
      !Array.isArray(ids) ||
      ids.length !== config.inverseDynamics.bins ||
      !ids.every((v) => Number.isInteger(v) && v >= 0 && v < config.vocab)
    ) {
      throw new PolicyError(
        'POLICY_INVALID_CONFIG',
        `grounding.${key} must hold ${config.inverseDynamics.bins} token ids below the vocabulary size ${config.vocab}; build it with groundingFor(tokenizer, view, bins).`,
      );
    }
  }
}
