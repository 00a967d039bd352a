import { createTensor, type Tensor, type TensorMap } from '@actllm/core';
import type { Graph } from '../ir.js';
import { GraphBuilder } from '../builder.js';
import { causalMask, softmaxCrossEntropy } from '../composite.js';
import { linear, norm } from './linear.js';
import { transformerStack, type TransformerConfig } from './block.js';
import type { KvCache } from './attention.js';

/** A decoder-only language model: vocabulary and the longest sequence besides the stack. */
export interface LmConfig extends TransformerConfig {
  readonly vocab: number;
  /** Training sequence length; also the size of the learned position table `wpe`. */
  readonly seq: number;
}

/** Cache input and output names, as transformers.js and Hugging Face exports name them. */
export function kvNames(layer: number): {
  pastKey: string;
  pastValue: string;
  presentKey: string;
  presentValue: string;
} {
  return {
    pastKey: `past_key_values.${layer}.key`,
    pastValue: `past_key_values.${layer}.value`,
    presentKey: `present.${layer}.key`,
    presentValue: `present.${layer}.value`,
  };
}

/**
 * Pre-norm GPT-style LM on `ids` [batch, seq] (int64) with learned positions `wpe` (and
 * rotary when configured). Outputs `logits` [batch, seq, vocab] and `loss`, the next-token
 * cross-entropy against `targets` [batch, seq] (-100 is ignored).
 */
export function transformerLm(c: LmConfig, batch: number | string = 'batch'): Graph {
  const g = new GraphBuilder('transformer_lm');
  const ids = g.input('ids', 'int64', [batch, c.seq]);
  const targets = g.input('targets', 'int64', [batch, c.seq]);
  const wte = g.parameter('wte', [c.vocab, c.dModel], { kind: 'normal', std: 0.5 });
  const wpe = g.parameter('wpe', [c.seq, c.dModel], { kind: 'normal', std: 0.5 });
  const x = g.add(g.gather(wte, ids, 0), wpe);
  const { hidden } = transformerStack(g, x, c, { mask: causalMask(g, c.seq) });
  const logits = linear(
    g,
    norm(g, c.norm ?? 'layer', hidden, 'lnf', c.dModel),
    'head',
    c.dModel,
    c.vocab,
  );
  g.output(logits, 'logits');
  g.output(softmaxCrossEntropy(g, logits, targets), 'loss');
  return g.build();
}

/**
 * The same model as one KV-cache decoder pass over `new` tokens: inputs `ids` [batch, new],
 * `positions` [new] (absolute, int64), `mask` bool [batch, 1, new, past + new] (true where
 * a query may attend) and per layer the cache `past_key_values.{l}.key/value` [batch, heads,
 * past, dh]; outputs `logits` [batch, new, vocab] and `present.{l}.key/value`. Parameter
 * names match {@link transformerLm}, so its trained weights load as they are; `maxLength`
 * sizes the position table.
 */
export function kvDecoder(c: LmConfig, maxLength: number = c.seq): Graph {
  const g = new GraphBuilder('kv_decoder');
  const dh = c.dModel / c.heads;
  const ids = g.input('ids', 'int64', ['batch', 'new']);
  const positions = g.input('positions', 'int64', ['new']);
  const mask = g.input('mask', 'bool', ['batch', 1, 'new', 'past+new']);
  const cache: KvCache[] = [];
  for (let l = 0; l < c.layers; l++) {
    const n = kvNames(l);
    cache.push({
      key: g.input(n.pastKey, 'float32', ['batch', c.heads, 'past', dh]),
      value: g.input(n.pastValue, 'float32', ['batch', c.heads, 'past', dh]),
    });
  }
  const wte = g.parameter('wte', [c.vocab, c.dModel], { kind: 'normal', std: 0.5 });
  const wpe = g.parameter('wpe', [maxLength, c.dModel], { kind: 'normal', std: 0.5 });
  const x = g.add(g.gather(wte, ids, 0), g.gather(wpe, positions, 0));
  const stack = transformerStack(g, x, { ...c, maxLength }, { mask, positions, cache });
  stack.present.forEach((p, l) => {
    g.output(p.key, kvNames(l).presentKey);
    g.output(p.value, kvNames(l).presentValue);
  });
  const h = norm(g, c.norm ?? 'layer', stack.hidden, 'lnf', c.dModel);
  g.output(linear(g, h, 'head', c.dModel, c.vocab), 'logits');
  return g.build();
}

/**
 * The step inputs of a KV-cache pass at batch 1 over `count` new positions after `past`
 * cached ones: `ids`, absolute `positions` [count], and the causal `mask`
 * [1, 1, count, past + count] (a new token sees every cached one and the new ones up to it).
 */
export function kvStepFeeds(tokens: readonly number[], past: number): Record<string, Tensor> {
  const count = tokens.length;
  const total = past + count;
  const mask = new Uint8Array(count * total);
  for (let i = 0; i < count; i++) mask.fill(1, i * total, i * total + past + i + 1);
  return {
    ids: createTensor('int64', [1, count], BigInt64Array.from(tokens, BigInt)),
    positions: createTensor(
      'int64',
      [count],
      BigInt64Array.from({ length: count }, (_, i) => BigInt(past + i)),
    ),
    mask: createTensor('bool', [1, 1, count, total], mask),
  };
}

/** The cache of each layer as `past_key_values.{l}.*` feeds: `cache`'s presents, or empty. */
export function kvCacheFeeds(
  c: Pick<LmConfig, 'layers' | 'heads' | 'dModel'>,
  cache?: TensorMap,
): Record<string, Tensor> {
  const empty = createTensor('float32', [1, c.heads, 0, c.dModel / c.heads]);
  const feeds: Record<string, Tensor> = {};
  for (let l = 0; l < c.layers; l++) {
    const n = kvNames(l);
    feeds[n.pastKey] = cache?.[n.presentKey] ?? empty;
    feeds[n.pastValue] = cache?.[n.presentValue] ?? empty;
  }
  return feeds;
}

/**
 * Feeds for one {@link kvDecoder} pass at batch 1: `tokens` after `past` cached ones, with
 * the causal mask over past and new; `cache` is the previous pass's outputs (none at first).
 */
export function kvDecoderFeeds(
  c: LmConfig,
  tokens: readonly number[],
  past: number,
  cache?: TensorMap,
): Record<string, Tensor> {
  return { ...kvStepFeeds(tokens, past), ...kvCacheFeeds(c, cache) };
}
