import { DialogueError } from './errors.js';
import { readTokenizerJson } from './tokenizer-json.js';
import {
  checkOptionNames,
  describeValue,
  invalidArgument,
  optionalBoolean,
  requireString,
  stringsOf,
} from './validate.js';

/**
 * A closed-vocabulary word-level tokenizer. Text is split the way a Hugging Face
 * `tokenizer.json` with a WordLevel model splits it, so the saved file loads in standard
 * tooling and encodes in-vocabulary text to the same ids:
 *
 * 1. added tokens (special tokens such as `<|user|>`, structure and bin tokens such as
 *    `<x_12>`) are matched literally anywhere in the text, longest first;
 * 2. the text between them is cut into words by the Whitespace pre-tokenizer's rule,
 *    `\w+|[^\w\s]+` (so `bowl.` is `bowl` and `.`) with the Unicode meaning the Rust
 *    `tokenizers` library gives it (`café` is one word, `²` is not a word character);
 * 3. each piece maps to its id, or to `<unk>`.
 *
 * Ids are assigned in a fixed order: special tokens, then added tokens, then words
 * sorted by code point, so the same inputs always give the same vocabulary.
 */

export const PAD_TOKEN = '<pad>';
export const UNK_TOKEN = '<unk>';

/**
 * The Whitespace pre-tokenizer's rule `\w+|[^\w\s]+` as the Rust `tokenizers` library runs
 * it: its `regex` crate gives `\w` the Unicode meaning of UTS #18 Annex C (Alphabetic, Mark,
 * Decimal_Number, Connector_Punctuation, Join_Control) and `\s` the White_Space property.
 * JavaScript's own `\w` is ASCII-only and its `\s` differs (it includes U+FEFF, lacks
 * U+0085), so both are spelled out.
 */
const W = String.raw`\p{Alphabetic}\p{M}\p{Nd}\p{Pc}\p{Join_Control}`;
const WORD = new RegExp(String.raw`[${W}]+|[^${W}\p{White_Space}]+`, 'gu');

export interface TokenizerSpec {
  /** Control tokens (turn boundaries, image slots, ...); `<pad>` and `<unk>` are always first. */
  readonly specialTokens?: readonly string[];
  /** Tokens matched literally before word splitting (structure and bin tokens). */
  readonly addedTokens?: readonly string[];
  /** Plain words; a corpus can be turned into words with {@link wordsOf}. */
  readonly words?: readonly string[];
}

/** The distinct words of some texts, as the tokenizer would split them (added tokens removed). */
export function wordsOf(texts: Iterable<string>, addedTokens: readonly string[] = []): string[] {
  const matcher = addedTokenMatcher(stringsOf(addedTokens, 'wordsOf: addedTokens'));
  const words = new Set<string>();
  for (const text of stringsOf(texts, 'wordsOf: texts')) {
    for (const piece of split(text, matcher)) if (!piece.added) words.add(piece.text);
  }
  return [...words].sort(compareCodePoints);
}

function compareCodePoints(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function addedTokenMatcher(tokens: readonly string[]): RegExp | undefined {
  if (tokens.length === 0) return undefined;
  const sorted = [...tokens].sort((a, b) => b.length - a.length || compareCodePoints(a, b));
  return new RegExp(sorted.map(escapeRegExp).join('|'), 'g');
}

interface Piece {
  readonly text: string;
  readonly added: boolean;
}

function* words(text: string): Generator<Piece> {
  for (const m of text.matchAll(WORD)) yield { text: m[0], added: false };
}

function* split(text: string, matcher: RegExp | undefined): Generator<Piece> {
  if (!matcher) {
    yield* words(text);
    return;
  }
  let last = 0;
  for (const m of text.matchAll(matcher)) {
    yield* words(text.slice(last, m.index));
    yield { text: m[0], added: true };
    last = m.index + m[0].length;
  }
  yield* words(text.slice(last));
}

/** The `tokenizer.json` layout this package writes (a subset of the Hugging Face format). */
export interface HuggingFaceTokenizerJson {
  readonly version: '1.0';
  readonly truncation: null;
  readonly padding: null;
  readonly added_tokens: readonly {
    readonly id: number;
    readonly content: string;
    readonly single_word: false;
    readonly lstrip: false;
    readonly rstrip: false;
    readonly normalized: false;
    readonly special: boolean;
  }[];
  readonly normalizer: null;
  readonly pre_tokenizer: { readonly type: 'Whitespace' };
  readonly post_processor: null;
  readonly decoder: null;
  readonly model: {
    readonly type: 'WordLevel';
    readonly vocab: Readonly<Record<string, number>>;
    readonly unk_token: string;
  };
}

export class Tokenizer {
  readonly #tokens: readonly string[];
  readonly #ids: ReadonlyMap<string, number>;
  readonly #specialCount: number;
  readonly #addedCount: number;
  readonly #matcher: RegExp | undefined;

  constructor(spec: TokenizerSpec = {}) {
    checkOptionNames(spec, SPEC_FIELDS, 'Tokenizer');
    const list = (v: readonly string[] | undefined, what: string) =>
      v === undefined ? [] : stringsOf(v, `Tokenizer: ${what}`);
    const specials = unique([PAD_TOKEN, UNK_TOKEN, ...list(spec.specialTokens, 'specialTokens')]);
    const specialSet = new Set(specials);
    const added = unique(list(spec.addedTokens, 'addedTokens')).filter((t) => !specialSet.has(t));
    const controls = new Set([...specials, ...added]);
    const plain = unique(list(spec.words, 'words'))
      .filter((w) => !controls.has(w))
      .sort(compareCodePoints);
    for (const w of plain) {
      const pieces = w.match(WORD);
      if (pieces?.length !== 1 || pieces[0] !== w) {
        throw new DialogueError(
          'DIALOGUE_INVALID_TOKENIZER',
          `${describeValue(w)} is not a single word under the \\w+|[^\\w\\s]+ rule; list it in addedTokens instead.`,
        );
      }
    }
    for (const t of controls) {
      if (t.length === 0 || /\s/.test(t)) {
        throw new DialogueError(
          'DIALOGUE_INVALID_TOKENIZER',
          `Token ${describeValue(t)} is empty or contains white space.`,
        );
      }
    }
    this.#tokens = [...specials, ...added, ...plain];
    this.#ids = new Map(this.#tokens.map((t, i) => [t, i]));
    this.#specialCount = specials.length;
    this.#addedCount = added.length;
    this.#matcher = addedTokenMatcher([...specials, ...added]);
  }

  /** Number of tokens. */
  get size(): number {
    return this.#tokens.length;
  }

  get padId(): number {
    return 0;
  }

  get unkId(): number {
    return 1;
  }

  /** The id of a token, or `undefined` when it is not in the vocabulary. */
  id(token: string): number | undefined {
    return this.#ids.get(requireString(token, 'Tokenizer.id: token'));
  }

  /** The token of an id; throws DIALOGUE_UNKNOWN_TOKEN_ID outside [0, size). */
  token(id: number): string {
    requireId(id);
    const t = Number.isInteger(id) ? this.#tokens[id] : undefined;
    if (t === undefined) {
      throw new DialogueError(
        'DIALOGUE_UNKNOWN_TOKEN_ID',
        `Token id ${id} is outside the vocabulary [0, ${this.size}).`,
      );
    }
    return t;
  }

  /** True for pad, unk and the other special tokens. */
  isSpecial(id: number): boolean {
    requireId(id);
    return Number.isInteger(id) && id >= 0 && id < this.#specialCount;
  }

  /** The pieces the text splits into (unknown words kept as they are). */
  tokenize(text: string): string[] {
    requireString(text, 'Tokenizer.tokenize: text');
    return [...split(text, this.#matcher)].map((p) => p.text);
  }

  encode(text: string): number[] {
    requireString(text, 'Tokenizer.encode: text');
    return this.tokenize(text).map((t) => this.#ids.get(t) ?? this.unkId);
  }

  /**
   * Tokens joined by single spaces (white space is not kept by the pre-tokenizer). `ids` is
   * an array or a typed array; throws DIALOGUE_UNKNOWN_TOKEN_ID for an id outside the vocabulary.
   */
  decode(
    ids: readonly number[] | ArrayLike<number>,
    options: { skipSpecial?: boolean } = {},
  ): string {
    if (typeof ids !== 'object' || ids === null || typeof ids.length !== 'number') {
      throw invalidArgument(
        `Tokenizer.decode reads an array of token ids; got ${describeValue(ids)}.`,
      );
    }
    checkOptionNames(options, ['skipSpecial'], 'Tokenizer.decode');
    const skip = optionalBoolean(options.skipSpecial, 'skipSpecial') ?? false;
    const kept = Array.from(ids).filter((id) => !skip || !this.isSpecial(id));
    return kept.map((id) => this.token(id)).join(' ');
  }

  /** The Hugging Face `tokenizer.json` (WordLevel model, Whitespace pre-tokenizer). */
  toHuggingFace(): HuggingFaceTokenizerJson {
    const controlCount = this.#specialCount + this.#addedCount;
    return {
      version: '1.0',
      truncation: null,
      padding: null,
      added_tokens: this.#tokens.slice(0, controlCount).map((content, id) => ({
        id,
        content,
        single_word: false,
        lstrip: false,
        rstrip: false,
        normalized: false,
        special: id < this.#specialCount,
      })),
      normalizer: null,
      pre_tokenizer: { type: 'Whitespace' },
      post_processor: null,
      decoder: null,
      model: { type: 'WordLevel', vocab: Object.fromEntries(this.#ids), unk_token: UNK_TOKEN },
    };
  }

  /**
   * The companion `tokenizer_config.json`. Loaders that read the unknown token from it
   * rather than from `model.unk_token` (tokenizers.js does) need it to map unknown words
   * to `<unk>`.
   */
  huggingFaceConfig(): { tokenizer_class: string; unk_token: string; pad_token: string } {
    return {
      tokenizer_class: 'PreTrainedTokenizerFast',
      unk_token: UNK_TOKEN,
      pad_token: PAD_TOKEN,
    };
  }

  /**
   * Reads a `tokenizer.json` written by {@link Tokenizer.toHuggingFace}. Refuses, with
   * DIALOGUE_INVALID_TOKENIZER, anything it could not honour exactly: normalizers, other
   * pre-tokenizers or models, post-processors, decoders, truncation, padding, added tokens
   * with `lstrip`, `rstrip`, `single_word` or `normalized`, ids that disagree with the
   * vocabulary, and an id order other than the canonical one.
   */
  static fromHuggingFace(json: unknown): Tokenizer {
    const file = readTokenizerJson(json);
    const tokenizer = new Tokenizer(file.spec);
    const differs = (reason: string) =>
      new DialogueError(
        'DIALOGUE_INVALID_TOKENIZER',
        `Cannot read this tokenizer.json: ${reason}; it was not written by Tokenizer.toHuggingFace. Rebuild the tokenizer with buildTokenizer.`,
      );
    if (
      tokenizer.size !== file.order.length ||
      tokenizer.#tokens.some((t, i) => file.order[i] !== t)
    )
      throw differs('the id order is not the canonical one');
    for (const [id, special] of file.special) {
      if (tokenizer.isSpecial(id) !== special)
        throw differs(`the special flag of id ${id} is out of place`);
    }
    if (file.special.size !== tokenizer.#specialCount + tokenizer.#addedCount)
      throw differs('pad, unk or another control token is not listed in added_tokens');
    return tokenizer;
  }
}

const SPEC_FIELDS = ['specialTokens', 'addedTokens', 'words'] as const;

function requireId(id: unknown): void {
  if (typeof id !== 'number') {
    throw invalidArgument(`A token id is a number; got ${describeValue(id)}.`);
  }
}

function unique(items: readonly string[]): string[] {
  return [...new Set(items)];
}
