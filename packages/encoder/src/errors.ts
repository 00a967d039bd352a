import { ActllmError, type ActllmErrorOptions } from '@actllm/core';

/** Stable codes of the errors @actllm/encoder throws: match on them, not on messages. */
export type EncoderErrorCode =
  /** An encoder configuration that cannot build (sizes the patch does not divide, ...). */
  | 'ENCODER_INVALID_CONFIG'
  /** An image that is not a well-formed RGB image, or a view the encoder does not have. */
  | 'ENCODER_INVALID_IMAGE'
  /** An option name or value the function does not accept. */
  | 'ENCODER_INVALID_OPTION';

export class EncoderError extends ActllmError<EncoderErrorCode> {
  constructor(code: EncoderErrorCode, message: string, options?: ActllmErrorOptions) {
    super(code, message, options);
  }
}
