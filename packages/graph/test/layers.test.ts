import { createTensor, type Tensor } from '@actllm/core';
import { describe, expect, it } from 'vitest';
import {
  GraphBuilder,
  causalMask,
  initParameters,
  kvDecoder,
  kvDecoderFeeds,
  kvNames,
  linear,
  multiHeadAttention,
  run,
  transformerLm,
  type LmConfig,
} from '../src/index.js';

const BASE: LmConfig = { vocab: 13, dModel: 8, heads: 2, layers: 2, seq: 7, ff: 16 };

function logitsRow(t: Tensor, row: number, vocab: number): number[] {
  return Array.from((t.data as Float32Array).subarray(row * vocab, (row + 1) * vocab));
}

describe('layers library', () => {
  it('names parameters by where they sit, so weights load by name', () => {
    const g = new GraphBuilder('names');
    const x = g.input('x', 'float32', [1, 3, 8]);
    const r = multiHeadAttention(g, x, 'a', { dModel: 8, heads: 2 }, { mask: causalMask(g, 3) });
    g.output(r.out, 'y');
    g.output(linear(g, x, 'p', 8, 4, { bias: false }), 'z');
    const names = g.build().parameters.map((p) => p.name);
    expect(names).toEqual([
      'a.q.w',
      'a.q.b',
      'a.k.w',
      'a.k.b',
      'a.v.w',
      'a.v.b',
      'a.o.w',
      'a.o.b',
      'p.w',
    ]);
  });

  it.each([
    ['learned positions', {}],
    ['rotary, rms norm', { rotary: true, norm: 'rms' as const }],
  ])('decodes with a KV cache exactly as the full sequence (%s)', (_, extra) => {
    const c: LmConfig = { ...BASE, ...extra };
    const lm = transformerLm(c, 1);
    const weights = initParameters(lm, 5);
    const tokens = [3, 1, 4, 1, 5, 9, 2];
    const ids = createTensor('int64', [1, c.seq], BigInt64Array.from(tokens, BigInt));
    const full = run(lm, { ids, targets: ids, ...weights }).logits as Tensor;
    const dec = kvDecoder(c);
    expect(dec.parameters.map((p) => p.name).sort()).toEqual(
      lm.parameters.map((p) => p.name).sort(),
    );
    // A prefill of 3 tokens, then one token at a time.
    let cache = run(dec, { ...kvDecoderFeeds(c, tokens.slice(0, 3), 0), ...weights });
    for (let i = 0; i < 3; i++) {
      expect(logitsRow(cache.logits as Tensor, i, c.vocab)).toEqual(
        logitsRow(full, i, c.vocab).map((v): unknown => expect.closeTo(v, 5)),
      );
    }
    for (let p = 3; p < tokens.length; p++) {
      cache = run(dec, { ...kvDecoderFeeds(c, [tokens[p] as number], p, cache), ...weights });
      expect(cache[kvNames(1).presentKey]!.shape).toEqual([1, c.heads, p + 1, c.dModel / c.heads]);
      expect(logitsRow(cache.logits as Tensor, 0, c.vocab)).toEqual(
        logitsRow(full, p, c.vocab).map((v): unknown => expect.closeTo(v, 5)),
      );
    }
  });

  it('masks: a query never sees a later token', () => {
    const c = BASE;
    const lm = transformerLm(c, 1);
    const weights = initParameters(lm, 2);
    const a = [1, 2, 3, 4, 5, 6, 7];
    const b = [1, 2, 3, 12, 11, 10, 9];
    const logits = (t: number[]) => {
      const ids = createTensor('int64', [1, c.seq], BigInt64Array.from(t, BigInt));
      return run(lm, { ids, targets: ids, ...weights }).logits as Tensor;
    };
    const [la, lb] = [logits(a), logits(b)];
    for (let i = 0; i < 3; i++)
      expect(logitsRow(la, i, c.vocab)).toEqual(logitsRow(lb, i, c.vocab));
    expect(logitsRow(la, 3, c.vocab)).not.toEqual(logitsRow(lb, 3, c.vocab));
  });

  it('shares weights when a layer is called again under the same name', () => {
    const g = new GraphBuilder('shared');
    const a = linear(g, g.input('a', 'float32', [1, 4]), 'p', 4, 3);
    const b = linear(g, g.input('b', 'float32', [2, 4]), 'p', 4, 3);
    g.output(a, 'ya');
    g.output(b, 'yb');
    expect(g.build().parameters.map((p) => p.name)).toEqual(['p.w', 'p.b']);
    expect(() => linear(g, g.input('c', 'float32', [1, 5]), 'p', 5, 3)).toThrow(/shape \[5, 3\]/);
  });

  it('refuses a model width that the heads do not divide', () => {
    expect(() => transformerLm({ ...BASE, heads: 3 })).toThrow(/multiple of heads/);
  });
});
