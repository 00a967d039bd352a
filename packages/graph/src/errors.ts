import { ActllmError, type ActllmErrorOptions } from '@actllm/core';

/**
 * Stable codes of the errors @actllm/graph throws. They are public API: match on the code,
 * not on the message.
 */
export type GraphErrorCode =
  | 'GRAPH_SHAPE_MISMATCH'
  | 'GRAPH_DTYPE_MISMATCH'
  | 'GRAPH_INVALID'
  | 'GRAPH_UNSUPPORTED_OP'
  | 'GRAPH_NOT_DIFFERENTIABLE'
  | 'GRAPH_MISSING_FEED'
  | 'GRAPH_RUNTIME'
  | 'ONNX_INVALID'
  | 'SAFETENSORS_INVALID';

/** Every error this package throws on purpose. */
export class GraphError extends ActllmError<GraphErrorCode> {
  constructor(code: GraphErrorCode, message: string, options?: ActllmErrorOptions) {
    super(code, message, options);
  }
}
