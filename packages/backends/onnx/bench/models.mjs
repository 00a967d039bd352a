// The benchmark models: the reference configuration, the training graph, and a
// KV-cache decoder built with @actllm/graph's builder (shared by train.mjs and infer.mjs).
import { createTensor } from '@actllm/core';
import { GraphBuilder, gelu } from '@actllm/graph';

/** The reference config: d_model 128, 4 layers, 4 heads, vocabulary 512, sequence 128. */
export const REFERENCE = { vocab: 512, dModel: 128, heads: 4, layers: 4, seq: 128, ff: 512 };

/**
 * Matmul FLOPs of one training step (forward + backward), the usual count: 6 per matmul
 * weight per token (2 forward, 4 backward), plus attention's two matmuls (QK^T and AV: 4 *
 * seq * d per token and layer forward, times 3 with the backward). Embedding lookups,
 * norms, softmax and element-wise work are not counted.
 */
export function trainingFlops(c, batch) {
  const perLayer = 4 * c.dModel * c.dModel + 2 * c.dModel * c.ff;
  const matmulParams = c.layers * perLayer + c.dModel * c.vocab;
  const tokens = batch * c.seq;
  return 6 * matmulParams * tokens + 12 * c.layers * batch * c.seq * c.seq * c.dModel;
}

function linear(g, x, name, din, dout) {
  const w = g.parameter(`${name}.w`, [din, dout], { kind: 'normal', std: 1 / Math.sqrt(din) });
  const b = g.parameter(`${name}.b`, [dout], { kind: 'zeros' });
  return g.add(g.matmul(x, w), b);
}

function layerNorm(g, x, name, d) {
  const scale = g.parameter(`${name}.g`, [d], { kind: 'ones' });
  const bias = g.parameter(`${name}.b`, [d], { kind: 'zeros' });
  return g.layerNorm(x, scale, bias);
}

/**
 * One decoder pass over `new` tokens with a KV cache, batch 1. Inputs: `ids` [1, new],
 * `positions` [new] (absolute), `mask` bool [new, past+new] (true where a query may attend),
 * and per layer `past_k.l`, `past_v.l` [1, heads, past, dh]. Outputs: `logits` [1, new,
 * vocab] and `present_k.l`, `present_v.l` (the cache to feed next). Parameter names match
 * `transformerLm` from @actllm/graph/parity, so trained weights load as they are.
 */
export function kvDecoder(c, maxLength) {
  const g = new GraphBuilder('kv_decoder');
  const dh = c.dModel / c.heads;
  const ids = g.input('ids', 'int64', [1, 'new']);
  const positions = g.input('positions', 'int64', ['new']);
  const mask = g.input('mask', 'bool', ['new', 'past+new']);
  const wte = g.parameter('wte', [c.vocab, c.dModel], { kind: 'normal', std: 0.5 });
  const wpe = g.parameter('wpe', [maxLength, c.dModel], { kind: 'normal', std: 0.5 });
  let x = g.add(g.gather(wte, ids, 0), g.gather(wpe, positions, 0));
  const heads = (t) => g.transpose(g.reshape(t, [0, 0, c.heads, dh]), [0, 2, 1, 3]);
  for (let l = 0; l < c.layers; l++) {
    const name = `h${l}`;
    const h = layerNorm(g, x, `${name}.ln1`, c.dModel);
    const q = heads(linear(g, h, `${name}.attn.q`, c.dModel, c.dModel));
    const k = g.concat(
      [
        g.input(`past_k.${l}`, 'float32', [1, c.heads, 'past', dh]),
        heads(linear(g, h, `${name}.attn.k`, c.dModel, c.dModel)),
      ],
      2,
    );
    const v = g.concat(
      [
        g.input(`past_v.${l}`, 'float32', [1, c.heads, 'past', dh]),
        heads(linear(g, h, `${name}.attn.v`, c.dModel, c.dModel)),
      ],
      2,
    );
    g.output(k, `present_k.${l}`);
    g.output(v, `present_v.${l}`);
    const scores = g.mul(g.matmul(q, g.transpose(k, [0, 1, 3, 2])), 1 / Math.sqrt(dh));
    const attn = g.matmul(g.softmax(g.where(mask, scores, -1e9), -1), v);
    const merged = g.reshape(g.transpose(attn, [0, 2, 1, 3]), [0, 0, c.dModel]);
    x = g.add(x, linear(g, merged, `${name}.attn.o`, c.dModel, c.dModel));
    const f = gelu(
      g,
      linear(g, layerNorm(g, x, `${name}.ln2`, c.dModel), `${name}.fc1`, c.dModel, c.ff),
    );
    x = g.add(x, linear(g, f, `${name}.fc2`, c.ff, c.dModel));
  }
  g.output(linear(g, layerNorm(g, x, 'lnf', c.dModel), 'head', c.dModel, c.vocab), 'logits');
  return g.build();
}

/** Feeds for one decoder pass: `count` new tokens after `past` cached ones. */
export function decoderFeeds(c, tokens, past, cache) {
  const count = tokens.length;
  const total = past + count;
  const mask = new Uint8Array(count * total);
  for (let i = 0; i < count; i++) for (let j = 0; j <= past + i; j++) mask[i * total + j] = 1;
  const feeds = {
    ids: createTensor('int64', [1, count], BigInt64Array.from(tokens, BigInt)),
    positions: createTensor(
      'int64',
      [count],
      BigInt64Array.from({ length: count }, (_, i) => BigInt(past + i)),
    ),
    mask: createTensor('bool', [count, total], mask),
  };
  const dh = c.dModel / c.heads;
  for (let l = 0; l < c.layers; l++) {
    feeds[`past_k.${l}`] =
      cache?.[`present_k.${l}`] ?? createTensor('float32', [1, c.heads, 0, dh]);
    feeds[`past_v.${l}`] =
      cache?.[`present_v.${l}`] ?? createTensor('float32', [1, c.heads, 0, dh]);
  }
  return feeds;
}

/** Percentile (nearest rank) of a list of numbers. */
export function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

/** Parses `--name value` and `--flag` arguments into an object of strings and booleans. */
export function parseArgs(argv) {
  const args = {};
  for (let i = 0; i < argv.length; i++) {
    const key = argv[i].replace(/^--/, '');
    const value = argv[i + 1];
    if (value === undefined || value.startsWith('--')) args[key] = true;
    else {
      args[key] = value;
      i++;
    }
  }
  return args;
}

/**
 * Imports another backend package to compare with, given on the command line (`--compare
 * @actllm/backend-tfjs`): this package does not depend on it, so it is found at run time.
 * Returns the name it registered under, or why it could not be loaded.
 */
export async function loadCompared(specifier, listBackends) {
  const before = new Set(listBackends().map((b) => b.name));
  try {
    await import(specifier);
  } catch (error) {
    return {
      reason: `${specifier} is not importable: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`,
    };
  }
  const added = listBackends().find((b) => !before.has(b.name));
  if (!added) return { reason: `${specifier} registered no new backend` };
  return { name: added.name };
}
