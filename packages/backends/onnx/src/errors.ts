import { ActllmError, type ActllmErrorOptions } from '@actllm/core';

/** Error codes of @actllm/backend-onnx (stable: match on them, not on messages). */
export type OnnxBackendErrorCode =
  | 'ONNX_BACKEND_INVALID_OPTION'
  | 'ONNX_BACKEND_DISPOSED'
  | 'ONNX_BACKEND_RUNTIME'
  | 'ONNX_EXPORT_FAILED';

export class OnnxBackendError extends ActllmError<OnnxBackendErrorCode> {
  constructor(code: OnnxBackendErrorCode, message: string, options?: ActllmErrorOptions) {
    super(code, message, options);
  }
}
