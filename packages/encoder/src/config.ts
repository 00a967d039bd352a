import { EncoderError } from './errors.js';

/** The input size of one camera view, in pixels. */
export interface ViewSize {
  readonly height: number;
  readonly width: number;
}

/**
 * A ViT-style encoder: each view is cut into `patch` x `patch` patches, embedded to `dim`,
 * given its own position embedding, run through `layers` bidirectional transformer blocks
 * shared by all views, and projected to `outDim` (the language model's width).
 */
export interface EncoderConfig {
  /** Views by name, each with its input size (both multiples of `patch`). */
  readonly views: Readonly<Record<string, ViewSize>>;
  readonly patch: number;
  readonly dim: number;
  readonly layers: number;
  readonly heads: number;
  /** MLP width (default 4 * dim). */
  readonly ff?: number;
  /** Width of the visual tokens (the language model's width). */
  readonly outDim: number;
  /**
   * After the blocks, each `merge` x `merge` group of neighbouring patch tokens becomes one
   * visual token (default 1: none). The encoder then sees fine patches while the language
   * model reads `merge`^2 times fewer tokens, as in Swin's patch merging.
   */
  readonly merge?: number;
  /**
   * A convolution-like stem before the blocks (default none): the patch embedding gives
   * `stem[0]` features, and each stage then joins 2 x 2 neighbouring tokens into one of the
   * next width (`stem[1]`, ..., then `dim`). Fine patches keep small objects and exact
   * positions, while attention runs on the coarse grid only (`patch * 2^stages` pixels
   * per token), as in ViTs with convolutional stems.
   */
  readonly stem?: readonly number[];
}

const KEYS: ReadonlySet<string> = new Set([
  'views',
  'patch',
  'dim',
  'layers',
  'heads',
  'ff',
  'outDim',
  'merge',
  'stem',
]);

/** The largest number of visual tokens one view may make (a guard against typos in sizes). */
export const MAX_TOKENS_PER_VIEW = 4096;

function positiveInt(value: unknown, what: string, max = 1 << 16): number {
  if (!Number.isInteger(value) || (value as number) <= 0 || (value as number) > max) {
    throw new EncoderError(
      'ENCODER_INVALID_CONFIG',
      `${what} must be a whole number from 1 to ${max}; got ${String(value)}.`,
    );
  }
  return value as number;
}

/** Checks a configuration; returns it unchanged, or throws `ENCODER_INVALID_CONFIG`. */
export function validateEncoderConfig(config: EncoderConfig): EncoderConfig {
  if (typeof config !== 'object' || config === null) {
    throw new EncoderError(
      'ENCODER_INVALID_CONFIG',
      'The encoder configuration must be an object.',
    );
  }
  const unknown = Object.keys(config).filter((k) => !KEYS.has(k));
  if (unknown.length > 0) {
    throw new EncoderError(
      'ENCODER_INVALID_CONFIG',
      `Unknown encoder option ${unknown.join(', ')}; the options are ${[...KEYS].join(', ')}.`,
    );
  }
  const patch = positiveInt(config.patch, 'patch', 256);
  const dim = positiveInt(config.dim, 'dim');
  positiveInt(config.layers, 'layers', 256);
  const heads = positiveInt(config.heads, 'heads', 256);
  if (config.ff !== undefined) positiveInt(config.ff, 'ff');
  positiveInt(config.outDim, 'outDim');
  const merge = positiveInt(config.merge ?? 1, 'merge', 64);
  const stem = config.stem ?? [];
  if (!Array.isArray(stem) || stem.length > 6) {
    throw new EncoderError(
      'ENCODER_INVALID_CONFIG',
      `stem must be an array of at most 6 widths, e.g. [32, 64]; got ${JSON.stringify(stem)}.`,
    );
  }
  stem.forEach((w, i) => positiveInt(w, `stem[${i}]`));
  const grid = (1 << stem.length) * merge;
  if (dim % heads !== 0) {
    throw new EncoderError(
      'ENCODER_INVALID_CONFIG',
      `dim ${dim} must be a multiple of heads ${heads}.`,
    );
  }
  const views = Object.entries(config.views ?? {});
  if (views.length === 0) {
    throw new EncoderError(
      'ENCODER_INVALID_CONFIG',
      'views must name at least one view, e.g. { top: { height: 64, width: 64 } }.',
    );
  }
  for (const [name, size] of views) {
    const h = positiveInt(size?.height, `views.${name}.height`, 8192);
    const w = positiveInt(size?.width, `views.${name}.width`, 8192);
    if (h % patch !== 0 || w % patch !== 0) {
      throw new EncoderError(
        'ENCODER_INVALID_CONFIG',
        `views.${name} is ${h}x${w}, which patch ${patch} does not divide; pick sizes that are multiples of the patch.`,
      );
    }
    if ((h / patch) % grid !== 0 || (w / patch) % grid !== 0) {
      throw new EncoderError(
        'ENCODER_INVALID_CONFIG',
        `views.${name} is ${h / patch}x${w / patch} patches, which the stem's 2x2 stages and merge ${merge} (${grid}) do not divide; pick sizes that are multiples of ${patch * grid}.`,
      );
    }
    if ((h / patch) * (w / patch) > MAX_TOKENS_PER_VIEW) {
      throw new EncoderError(
        'ENCODER_INVALID_CONFIG',
        `views.${name} would make ${(h / patch) * (w / patch)} tokens (at most ${MAX_TOKENS_PER_VIEW}); use a larger patch or a smaller view.`,
      );
    }
  }
  return config;
}

/** Pixels per token side in the blocks: the patch, halved once per stem stage. */
export function blockPatch(config: EncoderConfig): number {
  return config.patch * (1 << (config.stem ?? []).length);
}

/** The number of visual tokens each view makes: (height / s) * (width / s), s = blockPatch * merge. */
export function tokensPerView(config: EncoderConfig): Record<string, number> {
  validateEncoderConfig(config);
  const step = blockPatch(config) * (config.merge ?? 1);
  const out: Record<string, number> = {};
  for (const [name, { height, width }] of Object.entries(config.views)) {
    out[name] = (height / step) * (width / step);
  }
  return out;
}
