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
  /** A feed or weight has the wrong dtype, shape or data, or is not a tensor. */
  | 'GRAPH_INVALID_FEED'
  /** A feed names no input of the graph (a typo, or a weight passed as a feed). */
  | 'GRAPH_UNKNOWN_FEED'
  /** An output was asked for that the graph does not have. */
  | 'GRAPH_UNKNOWN_OUTPUT'
  /** A backend returned outputs that do not match the graph (a backend bug). */
  | 'GRAPH_BACKEND_OUTPUT'
  /** A session or trainer was used after dispose(). */
  | 'GRAPH_DISPOSED'
  /** An option name or value that the function does not accept. */
  | 'GRAPH_INVALID_OPTION'
  /** A function got an argument of the wrong type (not a graph, not a path, ...). */
  | 'GRAPH_INVALID_ARGUMENT'
  /** A tensor would exceed the element or byte limits (see `LIMITS`). */
  | 'GRAPH_LIMIT_EXCEEDED'
  | 'GRAPH_RUNTIME'
  | 'ONNX_INVALID'
  | 'SAFETENSORS_INVALID'
  /** A .safetensors file could not be read or written (the message names it). */
  | 'SAFETENSORS_IO';

/** Every error this package throws on purpose. */
export class GraphError extends ActllmError<GraphErrorCode> {
  constructor(code: GraphErrorCode, message: string, options?: ActllmErrorOptions) {
    super(code, message, options);
  }
}
