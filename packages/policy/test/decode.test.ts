import { Rng, isActllmError } from '@actllm/core';
import { buildAssistantGrammar, buildTokenizer, parseAssistantText } from '@actllm/dialogue';
import { describe, expect, it } from 'vitest';
import { decodeTurn, lookupDraft, type TokenModel } from '../src/index.js';

const tokenizer = buildTokenizer({
  texts: ['Put the {a} into the {b}.'],
  names: ['block', 'bowl', 'red', 'green'],
});
const grammar = buildAssistantGrammar(tokenizer, {
  shapes: ['block', 'bowl'],
  colors: ['red', 'green'],
  maxObjects: 4,
});

/**
 * An untrained stand-in: seeded logits that depend on the whole prefix, as a real decoder's
 * do, so appending a chunk and appending its tokens one by one give the same logits. With a
 * `copy` boost it favours the token that followed the last earlier occurrence of the current
 * one, so drafts copied from context are often right. It truncates, as the KV-cache model.
 */
function fakeModel(
  seed: number,
  context: readonly number[] = [],
  copy = 0,
): TokenModel & { passes: number } {
  const prefix: number[] = [...context];
  const base = context.length;
  const logitsAfter = (): Float32Array => {
    let h = seed;
    for (const id of prefix) h = (Math.imul(h ^ id, 2654435761) + 97) >>> 0;
    const rng = new Rng(h);
    const logits = Float32Array.from({ length: tokenizer.size }, () => rng.normal(0, 3));
    const last = prefix[prefix.length - 1];
    const earlier = prefix.lastIndexOf(last as number, prefix.length - 2);
    if (copy > 0 && earlier >= 0) logits[prefix[earlier + 1] as number]! += copy;
    return logits;
  };
  const model = {
    passes: 0,
    get length() {
      return prefix.length - base;
    },
    truncate(length: number) {
      prefix.length = base + length;
    },
    append(tokens: readonly number[]) {
      model.passes++;
      return Promise.resolve(
        tokens.map((t) => {
          prefix.push(t);
          return logitsAfter();
        }),
      );
    },
  };
  return model;
}

function firstLogits(seed: number): Float32Array {
  const rng = new Rng(seed);
  return Float32Array.from({ length: tokenizer.size }, () => rng.normal(0, 3));
}

describe('decoding under the grammar', () => {
  it('starts from a given prefix (a scene read elsewhere) and decodes the rest', async () => {
    const scene = tokenizer.encode(
      '<scene_v1> <obj> block red <x_10> <y_20> <t_0> </obj> </scene>',
    );
    const r = await decodeTurn(fakeModel(7), grammar, firstLogits(7), { prefix: scene });
    expect(r.ids.slice(0, scene.length)).toEqual(scene);
    expect(grammar.accepts(r.ids)).toBe(true);
    const parsed = parseAssistantText(tokenizer.decode(r.ids));
    expect(parsed.ok && parsed.scene.objects.map((o) => o.object)).toEqual(['block']);
    await expect(
      decodeTurn(fakeModel(7), grammar, firstLogits(7), { prefix: tokenizer.encode('</scene>') }),
    ).rejects.toThrow(/prefix is not the start/);
  });

  it('takes a prefix already run with the prompt: the same turn, one pass fewer', async () => {
    const scene = tokenizer.encode(
      '<scene_v1> <obj> block red <x_10> <y_20> <t_0> </obj> </scene>',
    );
    const apart = await decodeTurn(fakeModel(8), grammar, firstLogits(8), { prefix: scene });
    const model = fakeModel(8);
    // The prompt's pass: its last token (stood in for by firstLogits' seed) and the prefix.
    const rows = await model.append(scene);
    const together = await decodeTurn(model, grammar, rows.at(-1) as Float32Array, {
      prefix: scene,
      prefixInModel: true,
    });
    expect(together.ids.slice(0, scene.length)).toEqual(scene);
    expect(grammar.accepts(together.ids)).toBe(true);
    expect(together.passes).toBe(apart.passes - 1);
    // Same logits after the prefix either way, so the same tokens after it.
    expect(together.ids).toEqual(apart.ids);
  });

  it.each([1, 2, 3, 4, 5])(
    'always gives a turn that parses, from an untrained model (seed %i)',
    async (seed) => {
      const r = await decodeTurn(fakeModel(seed), grammar, firstLogits(seed));
      expect(grammar.accepts(r.ids)).toBe(true);
      const text = tokenizer.decode(r.ids);
      const parsed = parseAssistantText(text.replace(/ ?<\|end\|>$/, ''));
      expect(parsed.ok, text).toBe(true);
    },
  );

  it('forced-token chunks need fewer passes and give the same greedy tokens', async () => {
    for (const seed of [11, 12, 13]) {
      const plainModel = fakeModel(seed);
      const plain = await decodeTurn(plainModel, grammar, firstLogits(seed), {
        forcedChunks: false,
        drafts: false,
      });
      const fastModel = fakeModel(seed);
      const fast = await decodeTurn(fastModel, grammar, firstLogits(seed), { drafts: false });
      expect(fast.ids).toEqual(plain.ids);
      expect(fast.forced).toBeGreaterThan(0);
      expect(fastModel.passes).toBeLessThan(plainModel.passes);
      expect(plainModel.passes).toBe(plain.ids.length);
    }
  });

  it('drafts copied from context are verified in one pass: same greedy tokens, fewer passes', async () => {
    const context = tokenizer.encode(
      '<scene_v1> <obj> block red <x_31> <y_64> <t_0> </obj> </scene>',
    );
    for (const seed of [21, 22, 23]) {
      const plainModel = fakeModel(seed, context, 20);
      const plain = await decodeTurn(plainModel, grammar, firstLogits(seed), {
        drafts: false,
        context,
      });
      const fastModel = fakeModel(seed, context, 20);
      const fast = await decodeTurn(fastModel, grammar, firstLogits(seed), { context });
      expect(fast.ids).toEqual(plain.ids);
      expect(fast.accepted).toBeGreaterThan(0);
      expect(fast.passes).toBeLessThan(plain.passes);
      expect(fastModel.length).toBe(fast.ids.length);
    }
  });

  it('looks drafts up by the longest earlier match of the last tokens', () => {
    expect(lookupDraft([1, 2, 3, 9, 1, 2, 3], 2)).toEqual([9, 1]);
    expect(lookupDraft([5, 6, 7, 8, 6, 7], 4)).toEqual([8, 6, 7]);
    expect(lookupDraft([1, 2, 3], 4)).toEqual([]);
  });

  it('samples reproducibly from a seed, within the grammar', async () => {
    const sample = (s: number) =>
      decodeTurn(fakeModel(1), grammar, firstLogits(1), { temperature: 1, rng: new Rng(s) });
    const [a, b] = [await sample(5), await sample(5)];
    expect(a.ids).toEqual(b.ids);
    expect(grammar.accepts(a.ids)).toBe(true);
  });

  it('refuses bad options with typed errors', async () => {
    const code = (c: string) => (e: unknown) => isActllmError(e, c);
    await expect(
      decodeTurn(fakeModel(1), grammar, firstLogits(1), { temperature: -1 }),
    ).rejects.toSatisfy(code('POLICY_INVALID_OPTION'));
    await expect(
      decodeTurn(fakeModel(1), grammar, firstLogits(1), { temperature: 0.5 }),
    ).rejects.toSatisfy(code('POLICY_INVALID_OPTION'));
    await expect(
      decodeTurn(fakeModel(1), grammar, firstLogits(1), { maxTokens: 3 }),
    ).rejects.toSatisfy(code('POLICY_DECODE_FAILED'));
  });
});
