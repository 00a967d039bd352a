import { ActllmError, type ActllmErrorOptions } from '@actllm/core';

/** The error codes of @actllm/backend-tfjs (stable: match on them, not on messages). */
export type TfjsErrorCode =
  /** A graph uses an op this backend has no kernel for. */
  | 'TFJS_UNSUPPORTED_OP'
  /** An int64 value does not fit the int32 range tfjs computes in. */
  | 'TFJS_INT64_RANGE'
  /** An output name that the graph does not have. */
  | 'TFJS_UNKNOWN_OUTPUT'
  /** A session or trainer was used after dispose(). */
  | 'TFJS_DISPOSED'
  /** No tfjs runtime could be started. */
  | 'TFJS_RUNTIME_UNAVAILABLE'
  /** A kernel failed while the graph ran (bad index, shapes that do not agree at run time). */
  | 'TFJS_RUNTIME';

export class TfjsBackendError extends ActllmError<TfjsErrorCode> {
  constructor(code: TfjsErrorCode, message: string, options?: ActllmErrorOptions) {
    super(code, message, options);
  }
}
