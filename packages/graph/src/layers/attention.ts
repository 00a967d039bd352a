import type { TensorRef } from '../ir.js';
import type { GraphBuilder } from '../builder.js';
import { GraphError } from '../errors.js';
import { applyMask, rotary } from '../composite.js';
import { linear } from './linear.js';

export interface AttentionConfig {
  readonly dModel: number;
  readonly heads: number;
  /** Rotary position embedding on queries and keys. */
  readonly rotary?: boolean;
  /** The longest sequence rotary positions reach when `positions` are given. */
  readonly maxLength?: number;
}

/** Keys and values of earlier tokens, [batch, heads, past, dModel / heads] each. */
export interface KvCache {
  readonly key: TensorRef;
  readonly value: TensorRef;
}

export interface AttentionOptions {
  /**
   * Bool, broadcastable to [batch, heads, new, past + new]: true where a query may attend.
   * Without one every query attends to every key (an encoder).
   */
  readonly mask?: TensorRef;
  /** Absolute positions of the new tokens, int64 [new], for rotary with a cache. */
  readonly positions?: TensorRef;
  /** The cache to extend; without it the attention sees only `x`. */
  readonly cache?: KvCache;
}

/** The attention output [batch, new, dModel] and the extended cache (past + new). */
export interface AttentionResult {
  readonly out: TensorRef;
  readonly present: KvCache;
}

function headDim(c: AttentionConfig): number {
  if (!Number.isInteger(c.dModel / c.heads)) {
    throw new GraphError(
      'GRAPH_SHAPE_MISMATCH',
      `attention: dModel ${c.dModel} is not a multiple of heads ${c.heads}.`,
    );
  }
  return c.dModel / c.heads;
}

/**
 * Multi-head self-attention on `x` [batch, new, dModel] with projections `name.q/k/v/o`.
 * With `cache`, keys and values are appended to it (KV-cache decoding); the result carries
 * the extended cache either way, so one definition serves training and decoding.
 */
export function multiHeadAttention(
  g: GraphBuilder,
  x: TensorRef,
  name: string,
  c: AttentionConfig,
  options: AttentionOptions,
): AttentionResult {
  const dh = headDim(c);
  const split = (t: TensorRef): TensorRef =>
    g.transpose(g.reshape(t, [0, 0, c.heads, dh]), [0, 2, 1, 3]);
  let q = split(linear(g, x, `${name}.q`, c.dModel, c.dModel));
  let k = split(linear(g, x, `${name}.k`, c.dModel, c.dModel));
  let v = split(linear(g, x, `${name}.v`, c.dModel, c.dModel));
  if (c.rotary === true) {
    const at = options.positions
      ? { positions: options.positions, ...(c.maxLength ? { maxLength: c.maxLength } : {}) }
      : {};
    q = rotary(g, q, at);
    k = rotary(g, k, at);
  }
  if (options.cache) {
    k = g.concat([options.cache.key, k], 2);
    v = g.concat([options.cache.value, v], 2);
  }
  const scores = g.mul(g.matmul(q, g.transpose(k, [0, 1, 3, 2])), 1 / Math.sqrt(dh));
  const masked = options.mask ? applyMask(g, scores, options.mask) : scores;
  const weights = g.softmax(masked, -1);
  const merged = g.reshape(g.transpose(g.matmul(weights, v), [0, 2, 1, 3]), [0, 0, c.dModel]);
  return { out: linear(g, merged, `${name}.o`, c.dModel, c.dModel), present: { key: k, value: v } };
}
