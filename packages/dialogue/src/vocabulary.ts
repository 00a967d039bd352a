import { ACTION_KINDS } from '@actllm/core';
import { DEFAULT_BINS, NAME_PATTERN, compactVocabulary } from '@actllm/descriptor';
import { actionVocabulary } from './action-text.js';
import { DEFAULT_ROTATION_BINS, checkBins, invalidOption } from './options.js';
import { Tokenizer, wordsOf } from './tokenizer.js';
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

/**
 * The closed domain vocabulary (ARCHITECTURE.md section 8): special tokens, the descriptor's
 * compact-form tokens, the action tokens, names that are not single words, then the words of
 * the texts, the word names and the action kinds. The same options always give the same ids.
 */
export function buildTokenizer(options: DomainVocabularyOptions = {}): Tokenizer {
  const names = [...(options.names ?? [])];
  for (const name of names) {
    if (!NAME_PATTERN.test(name)) {
      throw invalidOption(
        `Name ${JSON.stringify(name)} cannot be one token of a scene; names match ${String(NAME_PATTERN)}.`,
      );
    }
  }
  const isWord = (name: string) => /^\w+$/.test(name);
  const bins = checkBins(options.bins ?? DEFAULT_BINS, 'bins');
  const rotationBins = checkBins(options.rotationBins ?? DEFAULT_ROTATION_BINS, 'rotationBins');
  const added = [
    ...compactVocabulary(bins),
    ...actionVocabulary({ rotationBins }),
    ...names.filter((n) => !isWord(n)).sort(),
  ];
  const texts = [DEFAULT_SYSTEM_PROMPT, DEFAULT_SCENE_CHANGED_NOTE, ...(options.texts ?? [])];
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
