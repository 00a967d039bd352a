import { ACTION_KINDS } from '@actllm/core';
import {
  DEFAULT_BINS,
  MAX_BINS,
  NAME_PATTERN,
  binToken,
  compactVocabulary,
} from '@actllm/descriptor';
import { actionVocabulary, rotationToken } from './action-text.js';
import {
  DEFAULT_ROTATION_BINS,
  checkBins,
  invalidOption,
  type AssistantFormat,
} from './options.js';
import { Tokenizer, wordsOf } from './tokenizer.js';
import { checkOptionNames, describeValue, invalidArgument, stringsOf } from './validate.js';
import { DEFAULT_SCENE_CHANGED_NOTE, DEFAULT_SYSTEM_PROMPT } from './turns.js';

/** Turn boundaries and the image slot: control tokens, never produced by plain text. */
export const SYSTEM_TOKEN = '<|system|>';
export const INSTRUCTION_TOKEN = '<|instruction|>';
export const USER_TOKEN = '<|user|>';
export const ASSISTANT_TOKEN = '<|assistant|>';
export const END_TOKEN = '<|end|>';
/** One image slot is `tokensPerImage` of these; the policy splices visual tokens in at them. */
export const IMAGE_TOKEN = '<image>';

export const SPECIAL_TOKENS = [
  SYSTEM_TOKEN,
  INSTRUCTION_TOKEN,
  USER_TOKEN,
  ASSISTANT_TOKEN,
  END_TOKEN,
  IMAGE_TOKEN,
] as const;

/** Matches an asset placeholder of an instruction text, `{scene}`. */
export const PLACEHOLDER = /\{([^{}\s]+)\}/g;

export interface DomainVocabularyOptions {
  /**
   * Texts the model will read: instruction templates or instructions, system prompts, notes.
   * `{asset}` placeholders are left out (they become image slots). The default system prompt
   * and scene-changed note are always included.
   */
  readonly texts?: Iterable<string>;
  /** Shape and colour names (descriptor `NAME_PATTERN`); a name that is not one `\w+` word becomes an added token. */
  readonly names?: Iterable<string>;
  /** Scene and action position bins (default 100). */
  readonly bins?: number;
  /** Action yaw bins (default 24). */
  readonly rotationBins?: number;
}

const VOCABULARY_OPTIONS = ['texts', 'names', 'bins', 'rotationBins'] as const;

/**
 * The closed domain vocabulary (docs/architecture.md): special tokens, the descriptor's
 * compact-form tokens, the action tokens, names that are not single words, then the words of
 * the texts, the word names and the action kinds. The same options always give the same ids.
 */
export function buildTokenizer(options: DomainVocabularyOptions = {}): Tokenizer {
  checkOptionNames(options, VOCABULARY_OPTIONS, 'buildTokenizer');
  const names = options.names === undefined ? [] : stringsOf(options.names, 'names');
  const given = options.texts === undefined ? [] : stringsOf(options.texts, 'texts');
  for (const name of names) {
    if (!NAME_PATTERN.test(name)) {
      throw invalidOption(
        `Name ${describeValue(name)} cannot be one token of a scene; names match ${String(NAME_PATTERN)}.`,
      );
    }
  }
  const isWord = (name: string) => wordsOf([name]).join(' ') === name;
  const bins = checkBins(options.bins ?? DEFAULT_BINS, 'bins');
  const rotationBins = checkBins(options.rotationBins ?? DEFAULT_ROTATION_BINS, 'rotationBins');
  const added = [
    ...compactVocabulary(bins),
    ...actionVocabulary({ rotationBins }),
    ...names.filter((n) => !isWord(n)).sort(),
  ];
  const texts = [DEFAULT_SYSTEM_PROMPT, DEFAULT_SCENE_CHANGED_NOTE, ...given];
  const words = [
    ...wordsOf(
      texts.map((t) => t.replace(PLACEHOLDER, ' ')),
      [...SPECIAL_TOKENS, ...added],
    ),
    ...names.filter(isWord),
    ...ACTION_KINDS,
  ];
  return new Tokenizer({ specialTokens: SPECIAL_TOKENS, addedTokens: added, words });
}

/** Throws DIALOGUE_INVALID_ARGUMENT unless `tokenizer` is a {@link Tokenizer}. */
export function requireTokenizer(
  tokenizer: unknown,
  where: string,
): asserts tokenizer is Tokenizer {
  if (!(tokenizer instanceof Tokenizer)) {
    throw invalidArgument(
      `${where} needs a Tokenizer (from buildTokenizer or Tokenizer.fromHuggingFace); got ${describeValue(tokenizer)}.`,
    );
  }
}

/**
 * The bin count a tokenizer holds tokens for, by field (`x` for positions, `r` for action
 * yaws): the largest n with `<x_0>` ... `<x_{n-1}>` all present, found by bisection since the
 * domain vocabulary holds them contiguously. 0 when it has none.
 */
function binsOf(tokenizer: Tokenizer, token: (bin: number) => string): number {
  let lo = 0; // token(lo - 1) exists (or lo = 0)
  let hi = MAX_BINS; // token(hi) does not exist, or hi = MAX_BINS
  if (tokenizer.id(token(MAX_BINS - 1)) !== undefined) return MAX_BINS;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (tokenizer.id(token(mid)) === undefined) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/**
 * Throws DIALOGUE_INVALID_OPTIONS when the format's bin counts are not those of the
 * tokenizer: with fewer bins the model would be trained or decoded on part of its coordinate
 * vocabulary, with more the extra bin tokens would be unknown words.
 */
export function requireFormatTokens(tokenizer: Tokenizer, f: AssistantFormat, where: string): void {
  const bins = binsOf(tokenizer, (i) => binToken('x', i));
  const rotationBins = binsOf(tokenizer, rotationToken);
  if (bins !== f.bins || rotationBins !== f.rotationBins) {
    throw invalidOption(
      `${where}: the format has bins ${f.bins} and rotationBins ${f.rotationBins}, but the tokenizer was built for bins ${bins} and rotationBins ${rotationBins}; pass the same bins to buildTokenizer and to every dialogue function.`,
    );
  }
}
