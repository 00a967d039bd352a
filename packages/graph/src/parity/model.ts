import type { Graph, TensorRef } from '../ir.js';
import { GraphBuilder } from '../builder.js';
import { causalMask, gelu, rotary, softmaxCrossEntropy } from '../composite.js';

/** A decoder-only transformer language model (the parity model and the benchmark model). */
export interface TransformerConfig {
  readonly vocab: number;
  readonly dModel: number;
  readonly heads: number;
  readonly layers: number;
  readonly seq: number;
  /** Hidden width of the MLP (default 4 * dModel). */
  readonly ff?: number;
  /** Rotary position embedding on queries and keys, besides learned positions. */
  readonly rotary?: boolean;
}

function linear(g: GraphBuilder, x: TensorRef, name: string, din: number, dout: number): TensorRef {
  const w = g.parameter(`${name}.w`, [din, dout], { kind: 'normal', std: 1 / Math.sqrt(din) });
  const b = g.parameter(`${name}.b`, [dout], { kind: 'zeros' });
  return g.add(g.matmul(x, w), b);
}

function layerNorm(g: GraphBuilder, x: TensorRef, name: string, d: number): TensorRef {
  const scale = g.parameter(`${name}.g`, [d], { kind: 'ones' });
  const bias = g.parameter(`${name}.b`, [d], { kind: 'zeros' });
  return g.layerNorm(x, scale, bias);
}

function attention(g: GraphBuilder, x: TensorRef, name: string, c: TransformerConfig): TensorRef {
  const dh = c.dModel / c.heads;
  const heads = (t: TensorRef): TensorRef =>
    g.transpose(g.reshape(t, [0, 0, c.heads, dh]), [0, 2, 1, 3]);
  let q = heads(linear(g, x, `${name}.q`, c.dModel, c.dModel));
  let k = heads(linear(g, x, `${name}.k`, c.dModel, c.dModel));
  const v = heads(linear(g, x, `${name}.v`, c.dModel, c.dModel));
  if (c.rotary === true) {
    q = rotary(g, q);
    k = rotary(g, k);
  }
  const scores = g.mul(g.matmul(q, g.transpose(k, [0, 1, 3, 2])), 1 / Math.sqrt(dh));
  const masked = g.where(causalMask(g, c.seq), scores, -1e9);
  const out = g.matmul(g.softmax(masked, -1), v);
  const merged = g.reshape(g.transpose(out, [0, 2, 1, 3]), [0, 0, c.dModel]);
  return linear(g, merged, `${name}.o`, c.dModel, c.dModel);
}

/** One pre-norm decoder block on [batch, seq, dModel]. */
export function transformerBlock(
  g: GraphBuilder,
  x: TensorRef,
  name: string,
  c: TransformerConfig,
): TensorRef {
  const ff = c.ff ?? 4 * c.dModel;
  const a = g.add(x, attention(g, layerNorm(g, x, `${name}.ln1`, c.dModel), `${name}.attn`, c));
  const h = gelu(
    g,
    linear(g, layerNorm(g, a, `${name}.ln2`, c.dModel), `${name}.fc1`, c.dModel, ff),
  );
  return g.add(a, linear(g, h, `${name}.fc2`, ff, c.dModel));
}

/**
 * Pre-norm GPT-style LM on `ids` [batch, seq] (int64). Outputs `logits` [batch, seq,
 * vocab] and `loss`, the next-token cross-entropy against `targets` [batch, seq].
 */
export function transformerLm(c: TransformerConfig, batch: number | string = 'batch'): Graph {
  const g = new GraphBuilder('transformer_lm');
  const ids = g.input('ids', 'int64', [batch, c.seq]);
  const targets = g.input('targets', 'int64', [batch, c.seq]);
  const wte = g.parameter('wte', [c.vocab, c.dModel], { kind: 'normal', std: 0.5 });
  const wpe = g.parameter('wpe', [c.seq, c.dModel], { kind: 'normal', std: 0.5 });
  let x = g.add(g.gather(wte, ids, 0), wpe);
  for (let l = 0; l < c.layers; l++) x = transformerBlock(g, x, `h${l}`, c);
  const logits = linear(g, layerNorm(g, x, 'lnf', c.dModel), 'head', c.dModel, c.vocab);
  g.output(logits, 'logits');
  g.output(softmaxCrossEntropy(g, logits, targets), 'loss');
  return g.build();
}
