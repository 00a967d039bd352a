import type { TensorRef } from '../ir.js';
import type { GraphBuilder } from '../builder.js';
import { gelu } from '../composite.js';
import { linear, norm, type NormKind } from './linear.js';
import {
  multiHeadAttention,
  type AttentionConfig,
  type AttentionOptions,
  type KvCache,
} from './attention.js';

export interface TransformerConfig extends AttentionConfig {
  readonly layers: number;
  /** Hidden width of the MLP (default 4 * dModel). */
  readonly ff?: number;
  /** Normalisation before attention and MLP (default `layer`). */
  readonly norm?: NormKind;
}

/** GELU MLP `name.fc1` -> `name.fc2` on the last axis. */
export function mlp(g: GraphBuilder, x: TensorRef, name: string, d: number, ff: number): TensorRef {
  return linear(g, gelu(g, linear(g, x, `${name}.fc1`, d, ff)), `${name}.fc2`, ff, d);
}

/** A block's output and the cache its attention extended. */
export interface BlockResult {
  readonly out: TensorRef;
  readonly present: KvCache;
}

/**
 * One pre-norm decoder block on [batch, new, dModel]: `name.ln1`, `name.attn`, `name.ln2`,
 * `name.fc1`, `name.fc2`.
 */
export function transformerBlock(
  g: GraphBuilder,
  x: TensorRef,
  name: string,
  c: TransformerConfig,
  options: AttentionOptions,
): BlockResult {
  const kind = c.norm ?? 'layer';
  const attn = multiHeadAttention(
    g,
    norm(g, kind, x, `${name}.ln1`, c.dModel),
    `${name}.attn`,
    c,
    options,
  );
  const a = g.add(x, attn.out);
  const h = norm(g, kind, a, `${name}.ln2`, c.dModel);
  const ff = c.ff ?? 4 * c.dModel;
  const out = g.add(a, mlp(g, h, name, c.dModel, ff));
  return { out, present: attn.present };
}

export interface StackOptions {
  /** See `AttentionOptions.mask`; omit it for bidirectional attention. */
  readonly mask?: TensorRef;
  readonly positions?: TensorRef;
  /** One cache per layer (KV-cache decoding). */
  readonly cache?: readonly KvCache[];
  /** Block name prefix: blocks are `${prefix}0`, `${prefix}1`, ... (default `h`). */
  readonly prefix?: string;
}

/** The hidden states after every block (before any final norm) and each layer's cache. */
export interface StackResult {
  readonly hidden: TensorRef;
  readonly present: readonly KvCache[];
}

/** `c.layers` decoder blocks over `x` [batch, new, dModel]. */
export function transformerStack(
  g: GraphBuilder,
  x: TensorRef,
  c: TransformerConfig,
  options: StackOptions,
): StackResult {
  const present: KvCache[] = [];
  let h = x;
  for (let l = 0; l < c.layers; l++) {
    const cache = options.cache?.[l];
    const r = transformerBlock(g, h, `${options.prefix ?? 'h'}${l}`, c, {
      ...(options.mask ? { mask: options.mask } : {}),
      ...(options.positions ? { positions: options.positions } : {}),
      ...(cache ? { cache } : {}),
    });
    h = r.out;
    present.push(r.present);
  }
  return { hidden: h, present };
}
