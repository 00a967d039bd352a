import { ActllmError, type ActllmErrorOptions } from '@actllm/core';

/** Stable codes of the errors @actllm/policy throws: match on them, not on messages. */
export type PolicyErrorCode =
  /** A configuration that cannot build (unknown preset, bad sizes, negative loss weights). */
  | 'POLICY_INVALID_CONFIG'
  /** A batch that does not fit the model (shapes, slots, targets). */
  | 'POLICY_INVALID_BATCH'
  /** An option name or value that the function does not accept. */
  | 'POLICY_INVALID_OPTION'
  /** A checkpoint folder that is missing a file, damaged, or written for another model. */
  | 'POLICY_INVALID_CHECKPOINT'
  /** Decoding could not finish a turn (a grammar for another tokenizer, too long a turn). */
  | 'POLICY_DECODE_FAILED';

export class PolicyError extends ActllmError<PolicyErrorCode> {
  constructor(code: PolicyErrorCode, message: string, options?: ActllmErrorOptions) {
    super(code, message, options);
  }
}
