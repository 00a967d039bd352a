import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { isActllmError } from '@actllm/core';
import { compactVocabulary } from '@actllm/descriptor';
import { toTrainingDialogue } from '../src/episode.js';
import { Tokenizer, wordsOf } from '../src/tokenizer.js';
import { SPECIAL_TOKENS, buildTokenizer } from '../src/vocabulary.js';
import { syntheticEpisode } from './fixtures.js';
import { domainTokenizer, errorCode } from './helpers.js';

// @huggingface/tokenizers 0.2.0 ships only its CommonJS build.
const { Tokenizer: HfTokenizer } = createRequire(import.meta.url)('@huggingface/tokenizers') as {
  Tokenizer: new (
    json: unknown,
    config: unknown,
  ) => {
    encode(
      text: string,
      options?: { add_special_tokens?: boolean },
    ): { ids: number[]; tokens: string[] };
    decode(ids: number[], options?: { skip_special_tokens?: boolean }): string;
  };
};

const specials = ['<|user|>', '<|assistant|>', '<image>'];
const added = ['<scene>', '</scene>', '<x_0>', '<x_1>', '<x_10>', '<y_3>'];
const corpus = [
  'Put the red block into the green bowl.',
  'Rotate the yellow star 120 degrees.',
  'Rearrange to this {scene}.',
];

function build(): Tokenizer {
  return new Tokenizer({
    specialTokens: specials,
    addedTokens: added,
    words: wordsOf(corpus, added),
  });
}

describe('Tokenizer', () => {
  it('assigns ids in a fixed order: pad, unk, specials, added tokens, sorted words', () => {
    const t = build();
    expect([0, 1, 2, 3, 4].map((i) => t.token(i))).toEqual(['<pad>', '<unk>', ...specials]);
    expect(t.id('<scene>')).toBe(5);
    expect(t.id('<y_3>')).toBe(10);
    expect(t.token(11)).toBe('.');
    expect(build().toHuggingFace()).toEqual(t.toHuggingFace());
  });

  it('matches added tokens first, longest first, then splits words and punctuation', () => {
    const t = build();
    expect(t.tokenize('<|user|><image> Put the red block<x_10><x_1>into bowl.')).toEqual([
      '<|user|>',
      '<image>',
      'Put',
      'the',
      'red',
      'block',
      '<x_10>',
      '<x_1>',
      'into',
      'bowl',
      '.',
    ]);
    expect(t.encode('the purple block')).toEqual([t.id('the'), t.unkId, t.id('block')]);
  });

  it('decodes with single spaces and can skip special tokens', () => {
    const t = build();
    const ids = t.encode('<|assistant|> <scene> red <x_0> </scene>');
    expect(t.decode(ids)).toBe('<|assistant|> <scene> red <x_0> </scene>');
    expect(t.decode(ids, { skipSpecial: true })).toBe('<scene> red <x_0> </scene>');
  });

  it('round-trips through tokenizer.json', () => {
    const t = build();
    const back = Tokenizer.fromHuggingFace(JSON.parse(JSON.stringify(t.toHuggingFace())));
    expect(back.toHuggingFace()).toEqual(t.toHuggingFace());
    expect(back.encode(corpus.join(' '))).toEqual(t.encode(corpus.join(' ')));
  });

  it('refuses malformed vocabularies and ids with typed errors', () => {
    const codes = [
      () => new Tokenizer({ words: ['two words'] }),
      () => new Tokenizer({ words: ['bowl.'] }),
      () => new Tokenizer({ addedTokens: ['< x >'] }),
      () => build().token(999),
      () => Tokenizer.fromHuggingFace(null),
      () => Tokenizer.fromHuggingFace({ model: { type: 'BPE' } }),
      () =>
        Tokenizer.fromHuggingFace({
          model: { type: 'WordLevel', vocab: { a: 1 } },
          added_tokens: [],
        }),
      () =>
        Tokenizer.fromHuggingFace({
          model: { type: 'WordLevel', vocab: { b: 0, a: 1 } },
          added_tokens: [],
        }),
      () =>
        Tokenizer.fromHuggingFace({
          model: { type: 'WordLevel', vocab: { a: 0 } },
          added_tokens: [{ id: 0 }],
        }),
    ].map((f) => {
      try {
        f();
      } catch (e) {
        return isActllmError(e) ? e.code : 'untyped';
      }
      return 'no error';
    });
    expect(codes.slice(0, 3)).toEqual(Array(3).fill('DIALOGUE_INVALID_TOKENIZER'));
    expect(codes[3]).toBe('DIALOGUE_UNKNOWN_TOKEN_ID');
    expect(codes.slice(4)).toEqual(Array(5).fill('DIALOGUE_INVALID_TOKENIZER'));
  });
});

describe('tokenizer.json in @huggingface/tokenizers', () => {
  it('encodes in-vocabulary text to the same ids and tokens', () => {
    const t = build();
    const hf = new HfTokenizer(t.toHuggingFace(), {});
    const texts = [
      ...corpus,
      '<|user|><image> Put the red block into the green bowl. <|assistant|> <scene> red block <x_10> <y_3> </scene>',
      'Rotate<x_1><x_10>the yellow star.',
    ];
    for (const text of texts) {
      const ours = t.encode(text);
      const theirs = hf.encode(text, { add_special_tokens: false });
      expect(theirs.ids).toEqual(ours);
      expect(theirs.tokens).toEqual(t.tokenize(text));
    }
  });

  it('maps unknown words to <unk> only with our tokenizer_config.json', () => {
    const t = build();
    const text = 'Put the purple block';
    expect(t.encode(text)[2]).toBe(t.unkId);
    // Without a tokenizer_config, tokenizers.js 0.2 ignores model.unk_token: the id is null.
    expect(
      new HfTokenizer(t.toHuggingFace(), {}).encode(text, { add_special_tokens: false }).ids[2],
    ).toBeUndefined();
    const withConfig = new HfTokenizer(t.toHuggingFace(), t.huggingFaceConfig());
    expect(withConfig.encode(text, { add_special_tokens: false }).ids).toEqual(t.encode(text));
  });
});

describe('buildTokenizer: the domain vocabulary', () => {
  it('holds the special, scene, action and name tokens, and words of the texts without placeholders', () => {
    const t = domainTokenizer();
    expect([2, 3, 4, 5, 6, 7].map((i) => t.token(i))).toEqual([...SPECIAL_TOKENS]);
    for (const token of [
      ...compactVocabulary(100),
      '<act>',
      '</act>',
      '<r_23>',
      'L-block',
      'ring.2',
    ]) {
      expect(t.id(token), token).toBeGreaterThan(7);
    }
    for (const word of [
      'pick_place',
      'push',
      'red_and_blue_stripe',
      'Rearrange',
      'changed',
      '120',
      '.',
    ]) {
      expect(t.id(word), word).toBeDefined();
    }
    expect(t.id('{')).toBeUndefined();
    expect(t.id('dragged')).toBeUndefined();
    expect(t.tokenize('Put the L-block into the ring.2.')).toEqual([
      'Put',
      'the',
      'L-block',
      'into',
      'the',
      'ring.2',
      '.',
    ]);
    expect(domainTokenizer().toHuggingFace()).toEqual(t.toHuggingFace());
  });

  it('refuses names that cannot be one scene token and bad bin counts', () => {
    expect(errorCode(() => buildTokenizer({ names: ['two words'] }))).toBe(
      'DIALOGUE_INVALID_OPTIONS',
    );
    expect(errorCode(() => buildTokenizer({ names: ['<x_1>'] }))).toBe('DIALOGUE_INVALID_OPTIONS');
    expect(errorCode(() => buildTokenizer({ bins: 0 }))).toBe('DIALOGUE_INVALID_OPTIONS');
    expect(errorCode(() => buildTokenizer({ rotationBins: 5000 }))).toBe(
      'DIALOGUE_INVALID_OPTIONS',
    );
  });

  it('encodes whole rendered conversations identically in @huggingface/tokenizers', () => {
    const t = domainTokenizer();
    const back = Tokenizer.fromHuggingFace(JSON.parse(JSON.stringify(t.toHuggingFace())));
    const hf = new HfTokenizer(t.toHuggingFace(), t.huggingFaceConfig());
    for (const seed of [1, 2, 3, 4]) {
      const rendered = toTrainingDialogue(syntheticEpisode(seed), t, {
        imageTurns: Infinity,
        tokensPerImage: 3,
      });
      expect(rendered.unknownWords).toEqual([]);
      expect(hf.encode(rendered.text, { add_special_tokens: false }).ids).toEqual(rendered.ids);
      expect(back.encode(rendered.text)).toEqual(rendered.ids);
    }
  });
});
