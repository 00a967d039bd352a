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

describe('the Unicode word rule of the Rust tokenizers library', () => {
  // `\w+|[^\w\s]+` as the `regex` crate reads it: \w is Alphabetic, Mark, Decimal_Number,
  // Connector_Punctuation and Join_Control (UTS #18 Annex C); \s is White_Space.
  const t = new Tokenizer({
    words: ['café', 'naïve', 'x', 'y', '²+', 'Ⅻ', '٣', 'a', 'b', '\ufeff', 'e\u0301t\u00e9', '½'],
  });
  it.each([
    ['café naïve', ['café', 'naïve']], // letters beyond ASCII are word characters
    ['x²+y', ['x', '²+', 'y']], // ² is No, not Nd: not a word character
    ['Ⅻ ٣', ['Ⅻ', '٣']], // Ⅻ is Alphabetic (Nl), ٣ is Nd
    ['a\u00a0b\u0085a', ['a', 'b', 'a']], // no-break space and NEL are White_Space
    ['a\ufeffb', ['a', '\ufeff', 'b']], // U+FEFF is not White_Space (JavaScript's \s says it is)
    ['e\u0301t\u00e9', ['e\u0301t\u00e9']], // a combining mark stays in its word
    ['a\u200db', ['a\u200db']], // zero-width joiner: Join_Control
    ['½b', ['½', 'b']],
  ])('splits %j into %j', (text, pieces) => {
    expect(t.tokenize(text)).toEqual(pieces);
    expect(t.encode(text)).toEqual(pieces.map((p) => t.id(p) ?? t.unkId));
  });

  it('pins the ids of a non-ASCII vocabulary', () => {
    // pad 0, unk 1, then the words sorted by code unit: a b café e+U+0301+té naïve x y ²+ ½ ٣ Ⅻ U+FEFF.
    expect(t.encode('café x²+y ½ Ⅻ')).toEqual([4, 7, 9, 8, 10, 12]);
    expect(t.decode(t.encode('naïve\ufeffa'))).toBe('naïve \ufeff a');
  });
});

describe('Tokenizer.fromHuggingFace refuses what it cannot honour', () => {
  interface File {
    [field: string]: unknown;
    model: { [field: string]: unknown; vocab: Record<string, unknown> };
    added_tokens: Record<string, unknown>[];
  }
  const file = () => JSON.parse(JSON.stringify(build().toHuggingFace())) as File;
  const edits: [string, (j: File) => void][] = [
    ['a normalizer', (j) => (j.normalizer = { type: 'NFC' })],
    ['a ByteLevel pre-tokenizer', (j) => (j.pre_tokenizer = { type: 'ByteLevel' })],
    [
      'a Sequence pre-tokenizer',
      (j) => (j.pre_tokenizer = { type: 'Sequence', pretokenizers: [] }),
    ],
    ['no pre-tokenizer', (j) => (j.pre_tokenizer = null)],
    ['a post-processor', (j) => (j.post_processor = { type: 'TemplateProcessing' })],
    ['a decoder', (j) => (j.decoder = { type: 'WordPiece' })],
    ['truncation', (j) => (j.truncation = { max_length: 8 })],
    ['padding', (j) => (j.padding = { strategy: 'BatchLongest' })],
    ['another version', (j) => (j.version = '2.0')],
    ['a BPE model', (j) => (j.model.type = 'BPE')],
    ['another unknown token', (j) => (j.model.unk_token = '[UNK]')],
    ['an unknown model field', (j) => (j.model.dropout = 0.1)],
    ['lstrip', (j) => (j.added_tokens[3]!.lstrip = true)],
    ['rstrip', (j) => (j.added_tokens[3]!.rstrip = true)],
    ['single_word', (j) => (j.added_tokens[3]!.single_word = true)],
    ['a normalized added token', (j) => (j.added_tokens[6]!.normalized = true)],
    ['an added-token id the vocabulary disagrees with', (j) => (j.added_tokens[5]!.id = 7)],
    ['an added token missing from the vocabulary', (j) => (j.added_tokens[5]!.content = '<zz>')],
    ['a repeated added token', (j) => (j.added_tokens[6] = j.added_tokens[5]!)],
    ['a special flag out of place', (j) => (j.added_tokens[2]!.special = false)],
    ['a control token not listed', (j) => void j.added_tokens.pop()],
    ['a fractional id', (j) => (j.model.vocab.the = 1.5)],
  ];
  it.each(edits)('%s', (_, edit) => {
    const j = file();
    edit(j);
    expect(errorCode(() => Tokenizer.fromHuggingFace(j))).toBe('DIALOGUE_INVALID_TOKENIZER');
  });

  it('reads back what toHuggingFace writes', () => {
    expect(Tokenizer.fromHuggingFace(file()).toHuggingFace()).toEqual(build().toHuggingFace());
  });
});
