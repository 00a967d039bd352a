import { createTensor, type Tensor, type TensorMap } from '@actllm/core';
import { kvCacheFeeds, kvNames, kvStepFeeds, type GraphSession } from '@actllm/graph';
import type { PolicyConfig } from './config.js';
import { DECODER_NAMES } from './decoder.js';
import { POLICY_NAMES } from './model.js';
import { PolicyError } from './errors.js';
import type { TokenModel } from './decode.js';

/** Visual tokens of a view that occupy positions of a chunk: `tokens` [count * dModel]. */
export interface VisualSpan {
  readonly view: string;
  /** Position of the first visual token, relative to the chunk. */
  readonly start: number;
  readonly tokens: Float32Array;
}

/**
 * The policy's decoder behind a session, batch 1, with its KV cache kept between calls:
 * `append` runs new positions (text, or text with visual tokens in image slots) after the
 * cached ones, and `truncate` drops the cache past a length, so a conversation that keeps
 * its prefix from one step to the next only runs what changed.
 */
export class KvTokenModel implements TokenModel {
  readonly #session: GraphSession;
  readonly #config: PolicyConfig;
  #cache: Record<string, Tensor>;
  /** The cached positions' tokens (the copy head reads the one before a chunk). */
  #tokens: number[] = [];

  constructor(session: GraphSession, config: PolicyConfig) {
    this.#session = session;
    this.#config = config;
    this.#cache = cacheFeeds(config);
  }

  /** Positions in the cache. */
  get length(): number {
    return this.#tokens.length;
  }

  append(tokens: readonly number[], visual: readonly VisualSpan[] = []): Promise<Float32Array[]> {
    return this.#run(tokens, visual);
  }

  /** Keeps the first `length` cached positions and forgets the rest. */
  truncate(length: number): void {
    if (!Number.isInteger(length) || length < 0 || length > this.length) {
      throw new PolicyError(
        'POLICY_INVALID_OPTION',
        `truncate: length must be 0 to ${this.length}; got ${String(length)}.`,
      );
    }
    if (length === this.length) return;
    const out: Record<string, Tensor> = {};
    for (const [name, t] of Object.entries(this.#cache)) out[name] = keepPositions(t, length);
    this.#cache = out;
    this.#tokens.length = length;
  }

  async #run(tokens: readonly number[], visual: readonly VisualSpan[]): Promise<Float32Array[]> {
    const n = tokens.length;
    if (n === 0) throw new PolicyError('POLICY_INVALID_OPTION', 'append needs at least one token.');
    const { lm, vocab } = this.#config;
    const d = lm.dModel;
    const past = this.length;
    if (past + n > lm.maxLength) {
      throw new PolicyError(
        'POLICY_INVALID_BATCH',
        `The sequence would reach ${past + n} positions; the model holds ${lm.maxLength}.`,
      );
    }
    // ids, positions and the causal mask are named as in graph's kvDecoder.
    const feeds: Record<string, Tensor> = { ...this.#cache, ...kvStepFeeds(tokens, past) };
    if (lm.copy === true) {
      // The token before each new position; the first position of all has only its own.
      const head = past > 0 ? this.#tokens.slice(past - 1, past) : tokens.slice(0, 1);
      const before = [...head, ...tokens.slice(0, -1)];
      feeds[DECODER_NAMES.previous] = createTensor(
        'int64',
        [1, n],
        BigInt64Array.from(before, BigInt),
      );
    }
    const views = Object.keys(this.#config.encoder.views);
    for (const span of visual)
      if (!views.includes(span.view))
        throw new PolicyError(
          'POLICY_INVALID_BATCH',
          `A visual span is of view ${String(span.view)}; the encoder takes ${views.join(', ')}.`,
        );
    for (const view of views) {
      Object.assign(
        feeds,
        viewFeeds(
          view,
          visual.filter((v) => v.view === view),
          n,
          d,
        ),
      );
    }
    const out = await this.#session.run(feeds);
    this.#cache = cacheFeeds(this.#config, out);
    this.#tokens.push(...tokens);
    const logits = (out[POLICY_NAMES.logits] as Tensor).data as Float32Array;
    return Array.from({ length: n }, (_, i) => logits.slice(i * vocab, (i + 1) * vocab));
  }
}

/** The layers' caches and, with the copy head, its cache: `out`'s presents, or empty. */
function cacheFeeds(config: PolicyConfig, out?: TensorMap): Record<string, Tensor> {
  const feeds = kvCacheFeeds(config.lm, out);
  if (config.lm.copy !== true) return feeds;
  const names = kvNames(config.lm.layers);
  feeds[names.pastKey] =
    out?.[names.presentKey] ?? createTensor('float32', [1, 1, 0, config.lm.dModel]);
  feeds[names.pastValue] = out?.[names.presentValue] ?? createTensor('int64', [1, 1, 0, 1]);
  return feeds;
}

/**
 * The splicing inputs of one view for a chunk of `n` positions: its spans' tokens as rows
 * (one zero row when there are none, so the gather has data), the row each position takes
 * and the mask of the positions that take one.
 */
function viewFeeds(
  view: string,
  spans: readonly VisualSpan[],
  n: number,
  d: number,
): Record<string, Tensor> {
  const count = spans.reduce((s, v) => s + v.tokens.length / d, 0);
  const rows = new Float32Array(Math.max(1, count) * d);
  const index = new BigInt64Array(n);
  const mask = new Float32Array(n);
  let row = 0;
  for (const span of spans) {
    const length = span.tokens.length / d;
    if (!Number.isInteger(length) || span.start < 0 || span.start + length > n) {
      throw new PolicyError(
        'POLICY_INVALID_BATCH',
        `A visual span of ${span.tokens.length} values at ${span.start} does not fit ${n} positions of width ${d}.`,
      );
    }
    rows.set(span.tokens, row * d);
    for (let i = 0; i < length; i++) {
      index[span.start + i] = BigInt(row + i);
      mask[span.start + i] = 1;
    }
    row += length;
  }
  return {
    [DECODER_NAMES.visual(view)]: createTensor('float32', [Math.max(1, count), d], rows),
    [POLICY_NAMES.visualIndex(view)]: createTensor('int64', [1, n], index),
    [POLICY_NAMES.visualMask(view)]: createTensor('float32', [1, n], mask),
  };
}

/** The first `length` positions (axis 2) of a [1, heads, past, width] cache tensor. */
function keepPositions(t: Tensor, length: number): Tensor {
  const [b, heads, past, dh] = t.shape as [number, number, number, number];
  // Float32 keys and values, or the copy head's int64 ids: the same copy on either.
  const src = t.data as Float32Array;
  const out = new (src.constructor as Float32ArrayConstructor)(b * heads * length * dh);
  for (let h = 0; h < b * heads; h++)
    out.set(src.subarray(h * past * dh, h * past * dh + length * dh), h * length * dh);
  return createTensor(t.dtype, [b, heads, length, dh], out as Tensor['data']);
}
