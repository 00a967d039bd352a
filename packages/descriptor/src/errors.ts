import { ActllmError, type ActllmErrorOptions } from '@actllm/core';

/**
 * The stable codes of the errors this package throws. They are part of the public API:
 * match on them (with core's `isActllmError(e, code)`), not on messages.
 */
export type DescriptorErrorCode =
  /** A scene handed to a serializer, `inferAction` or `compare` does not satisfy the schema. */
  | 'DESCRIPTOR_INVALID_SCENE'
  /** An `ObjectState` handed to the builder cannot be described (bad name, non-finite pose). */
  | 'DESCRIPTOR_INVALID_OBJECT'
  /**
   * An option is out of its documented domain (a bin count that is not an integer, an unknown
   * option name or value).
   */
  | 'DESCRIPTOR_INVALID_OPTIONS'
  /** An argument of the wrong type (a number where a string or an array is expected, ...). */
  | 'DESCRIPTOR_INVALID_ARGUMENT';

/** Every error this package throws on purpose. Parsing never throws: it reports problems. */
export class DescriptorError extends ActllmError<DescriptorErrorCode> {
  constructor(code: DescriptorErrorCode, message: string, options?: ActllmErrorOptions) {
    super(code, message, options);
  }
}
