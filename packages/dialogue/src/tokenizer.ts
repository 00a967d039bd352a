import { DialogueError } from './errors.js';

/**
 * A closed-vocabulary word-level tokenizer. Text is split the way a Hugging Face
 * `tokenizer.json` with a WordLevel model splits it, so the saved file loads in standard
 * tooling and encodes in-vocabulary text to the same ids:
 *
 * 1. added tokens (special tokens such as `<|user|>`, structure and bin tokens such as
 *    `<x_12>`) are matched literally anywhere in the text, longest first;
 * 2. the text between them is cut into words by the Whitespace pre-tokenizer's rule,
 *    `\w+|[^\w\s]+` (so `bowl.` is `bowl` and `.`);
 * 3. each piece maps to its id, or to `<unk>`.
 *
 * Ids are assigned in a fixed order: special tokens, then added tokens, then words
 * sorted by code point, so the same inputs always give the same vocabulary.
 */

export const PAD_TOKEN = '<pad>';
export const UNK_TOKEN = '<unk>';

/** The pre-tokenizer's rule. JavaScript's `\w` is ASCII-only: the vocabulary is ASCII. */
const WORD = /\w+|[^\w\s]+/g;

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
  const matcher = addedTokenMatcher(addedTokens);
  const words = new Set<string>();
  for (const text of texts) {
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
    const specials = unique([PAD_TOKEN, UNK_TOKEN, ...(spec.specialTokens ?? [])]);
    const added = unique(spec.addedTokens ?? []).filter((t) => !specials.includes(t));
    const controls = new Set([...specials, ...added]);
    const plain = unique(spec.words ?? [])
      .filter((w) => !controls.has(w))
      .sort(compareCodePoints);
    for (const w of plain) {
      const pieces = w.match(WORD);
      if (pieces?.length !== 1 || pieces[0] !== w) {
        throw new DialogueError(
          'DIALOGUE_INVALID_TOKENIZER',
          `"${w}" is not a single word under the \\w+|[^\\w\\s]+ rule; list it in addedTokens instead.`,
        );
      }
    }
    for (const t of controls) {
      if (t.length === 0 || /\s/.test(t)) {
        throw new DialogueError(
          'DIALOGUE_INVALID_TOKENIZER',
          `Token ${JSON.stringify(t)} is empty or contains white space.`,
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
    return this.#ids.get(token);
  }

  /** The token of an id; throws DIALOGUE_UNKNOWN_TOKEN_ID outside [0, size). */
  token(id: number): string {
    const t = this.#tokens[id];
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
    return id >= 0 && id < this.#specialCount;
  }

  /** The pieces the text splits into (unknown words kept as they are). */
  tokenize(text: string): string[] {
    return [...split(text, this.#matcher)].map((p) => p.text);
  }

  encode(text: string): number[] {
    return this.tokenize(text).map((t) => this.#ids.get(t) ?? this.unkId);
  }

  /** Tokens joined by single spaces (white space is not kept by the pre-tokenizer). */
  decode(ids: readonly number[], options: { skipSpecial?: boolean } = {}): string {
    const kept = options.skipSpecial ? ids.filter((id) => !this.isSpecial(id)) : ids;
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

  /** Reads a `tokenizer.json` written by {@link Tokenizer.toHuggingFace}. */
  static fromHuggingFace(json: unknown): Tokenizer {
    const invalid = (why: string) =>
      new DialogueError(
        'DIALOGUE_INVALID_TOKENIZER',
        `Not a tokenizer.json written by @actllm/dialogue: ${why}.`,
      );
    const j = json as Partial<HuggingFaceTokenizerJson> | null;
    if (typeof j !== 'object' || j === null) throw invalid('not an object');
    if (j.model?.type !== 'WordLevel' || typeof j.model.vocab !== 'object')
      throw invalid('model.type must be WordLevel');
    if (!Array.isArray(j.added_tokens)) throw invalid('added_tokens is missing');
    const byId = Object.entries(j.model.vocab).sort((a, b) => a[1] - b[1]);
    if (byId.some(([, id], i) => id !== i)) throw invalid('vocabulary ids must be 0..n-1');
    const entries = (j.added_tokens as unknown[]).map((t) => {
      const entry = t as { content?: unknown; special?: unknown } | null;
      if (typeof entry?.content !== 'string')
        throw invalid('every added token needs a content string');
      return { content: entry.content, special: entry.special === true };
    });
    const specials = entries.filter((t) => t.special).map((t) => t.content);
    const added = entries.filter((t) => !t.special).map((t) => t.content);
    const tokenizer = new Tokenizer({
      specialTokens: specials,
      addedTokens: added,
      words: byId.slice(specials.length + added.length).map(([w]) => w),
    });
    if (tokenizer.#tokens.some((t, i) => byId[i]?.[0] !== t))
      throw invalid('the id order is not the canonical one');
    return tokenizer;
  }
}

function unique(items: readonly string[]): string[] {
  return [...new Set(items)];
}
