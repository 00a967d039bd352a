/**
 * @actllm/backend-onnx: runs @actllm/graph graphs (forward graphs and whole training steps)
 * in onnxruntime-node, and exports them as model.onnx.
 * Importing it registers the backend as `onnx` (priority {@link ONNX_BACKEND_PRIORITY}).
 */
import { registerBackend } from '@actllm/core';
import { ONNX_BACKEND_NAME, ONNX_BACKEND_PRIORITY, onnxBackend } from './backend.js';

export {
  ONNX_BACKEND_NAME,
  ONNX_BACKEND_PRIORITY,
  createOnnxBackend,
  onnxBackend,
} from './backend.js';
export { OnnxBackendError } from './errors.js';
export type { OnnxBackendErrorCode } from './errors.js';
export { exportOnnx } from './export.js';
export { GRAPH_OPTIMIZATION_LEVELS, executionProviders, ortSessionOptions } from './options.js';
export type { GraphOptimizationLevel, OnnxExtraOptions, OrtSessionOptions } from './options.js';
export { cudaInstalled } from './runtime.js';

registerBackend(ONNX_BACKEND_NAME, onnxBackend, ONNX_BACKEND_PRIORITY);
