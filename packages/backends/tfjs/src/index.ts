/**
 * @actllm/backend-tfjs: runs @actllm/graph graphs (forward and whole training steps) with
 * tfjs, on the fastest runtime installed: @tensorflow/tfjs-node-gpu, @tensorflow/tfjs-node,
 * wasm, cpu. Importing the package registers it with @actllm/core's registry as 'tfjs'.
 */
import { processSingleton, registerBackend } from '@actllm/core';
import { TFJS_PRIORITY, TfjsBackend } from './backend.js';

export { TFJS_PRIORITY, TfjsBackend } from './backend.js';
export type { TfjsBackendOptions } from './backend.js';
export { TfjsBackendError } from './errors.js';
export type { TfjsErrorCode } from './errors.js';
export {
  NATIVE_PACKAGES,
  RUNTIME_ORDER,
  chooseRuntime,
  detectRuntimes,
  runtimeForDevice,
} from './runtime.js';
export type { ModuleLoader, RuntimeName } from './runtime.js';
export { liveTensors } from './trainer.js';
export { kernelOps } from './kernels/index.js';
export type { TfjsExtra } from './context.js';

/**
 * The backend instance registered as 'tfjs': one per process, so that the ESM and CommonJS
 * builds, when both are loaded, register the same object (see core's `processSingleton`).
 */
export const tfjsBackend = processSingleton(
  '@actllm/backend-tfjs.backend',
  () => new TfjsBackend(),
);

registerBackend('tfjs', tfjsBackend, TFJS_PRIORITY);
