import { createTensor, type Tensor } from '@actllm/core';
import { kvCacheFeeds, kvStepFeeds, type GraphSession } from '@actllm/graph';
import type { PolicyConfig } from './config.js';
import { DECODER_NAMES } from './decoder.js';
import { POLICY_NAMES } from './model.js';
import { PolicyError } from './errors.js';
import type { TokenModel } from './decode.js';

/** Visual tokens that occupy positions of a chunk: `tokens` [count * dModel], from `start`. */
export interface VisualSpan {
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
  #length = 0;

  constructor(session: GraphSession, config: PolicyConfig) {
    this.#session = session;
    this.#config = config;
    this.#cache = kvCacheFeeds(config.lm);
  }

  /** Positions in the cache. */
  get length(): number {
    return this.#length;
  }

  append(tokens: readonly number[], visual: readonly VisualSpan[] = []): Promise<Float32Array[]> {
    return this.#run(tokens, visual);
  }

  /** Keeps the first `length` cached positions and forgets the rest. */
  truncate(length: number): void {
    if (!Number.isInteger(length) || length < 0 || length > this.#length) {
      throw new PolicyError(
        'POLICY_INVALID_OPTION',
        `truncate: length must be 0 to ${this.#length}; got ${String(length)}.`,
      );
    }
    if (length === this.#length) return;
    const out: Record<string, Tensor> = {};
    for (const [name, t] of Object.entries(this.#cache)) out[name] = keepPositions(t, length);
    this.#cache = out;
    this.#length = length;
  }

  async #run(tokens: readonly number[], visual: readonly VisualSpan[]): Promise<Float32Array[]> {
    const n = tokens.length;
    if (n === 0) throw new PolicyError('POLICY_INVALID_OPTION', 'append needs at least one token.');
    const { lm, vocab } = this.#config;
    const d = lm.dModel;
    const past = this.#length;
    if (past + n > lm.maxLength) {
      throw new PolicyError(
        'POLICY_INVALID_BATCH',
        `The sequence would reach ${past + n} positions; the model holds ${lm.maxLength}.`,
      );
    }
    const slots = visual.reduce((s, v) => s + v.tokens.length / d, 0);
    const placement = new Float32Array(n * slots);
    const rows = new Float32Array(slots * d);
    let slot = 0;
    for (const span of visual) {
      const count = span.tokens.length / d;
      if (!Number.isInteger(count) || span.start < 0 || span.start + count > n) {
        throw new PolicyError(
          'POLICY_INVALID_BATCH',
          `A visual span of ${span.tokens.length} values at ${span.start} does not fit ${n} positions of width ${d}.`,
        );
      }
      rows.set(span.tokens, slot * d);
      for (let i = 0; i < count; i++) placement[(span.start + i) * slots + slot + i] = 1;
      slot += count;
    }
    // ids, positions and the causal mask are named as in graph's kvDecoder.
    const feeds: Record<string, Tensor> = {
      ...this.#cache,
      ...kvStepFeeds(tokens, past),
      [POLICY_NAMES.placement]: createTensor('float32', [1, n, slots], placement),
      [DECODER_NAMES.visual]: createTensor('float32', [1, slots, d], rows),
    };
    const out = await this.#session.run(feeds);
    this.#cache = kvCacheFeeds(lm, out);
    this.#length = past + n;
    const logits = (out[POLICY_NAMES.logits] as Tensor).data as Float32Array;
    return Array.from({ length: n }, (_, i) => logits.slice(i * vocab, (i + 1) * vocab));
  }
}

/** The first `length` positions (axis 2) of a [1, heads, past, dh] cache tensor. */
function keepPositions(t: Tensor, length: number): Tensor {
  const [b, heads, past, dh] = t.shape as [number, number, number, number];
  const src = t.data as Float32Array;
  const out = new Float32Array(b * heads * length * dh);
  for (let h = 0; h < b * heads; h++)
    out.set(src.subarray(h * past * dh, h * past * dh + length * dh), h * length * dh);
  return createTensor('float32', [b, heads, length, dh], out);
}
