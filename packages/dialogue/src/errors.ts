import { ActllmError } from '@actllm/core';

/** Stable codes of the errors this package throws; match them with core's `isActllmError(e, code)`. */
export type DialogueErrorCode =
  /** A vocabulary that cannot be written as a WordLevel `tokenizer.json`, or a file we did not write. */
  | 'DIALOGUE_INVALID_TOKENIZER'
  /** A token id outside the vocabulary. */
  | 'DIALOGUE_UNKNOWN_TOKEN_ID'
  /**
   * An option out of its documented domain (bin counts, history sizes, grammar names), an
   * unknown option name, or a format that disagrees with the tokenizer's bins.
   */
  | 'DIALOGUE_INVALID_OPTIONS'
  /** Turns in an order the template does not define, or an instruction naming a missing asset. */
  | 'DIALOGUE_INVALID_CONVERSATION'
  /** The system turn, the instruction and the current step alone exceed the context length. */
  | 'DIALOGUE_CONTEXT_TOO_LONG'
  /** An episode record that cannot be turned into a dialogue. */
  | 'DIALOGUE_INVALID_EPISODE'
  /** The LLaVA export could not read an image or write its output. */
  | 'DIALOGUE_EXPORT_FAILED'
  /** An argument of the wrong type (a number where a string is expected, a missing tokenizer, ...). */
  | 'DIALOGUE_INVALID_ARGUMENT'
  /** An action that core's `validateAction` refuses (its error is the cause). */
  | 'DIALOGUE_INVALID_ACTION';

export class DialogueError extends ActllmError<DialogueErrorCode> {}
