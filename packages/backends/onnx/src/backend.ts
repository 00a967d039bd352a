import type { GraphBackend } from '@actllm/graph';
import { cudaInstalled, loadOrt } from './runtime.js';
import { createOnnxSession } from './session.js';
import { createOnnxTrainer } from './trainer.js';

/**
 * The registry priority of the onnx backend. Higher than any other built-in backend, so
 * `resolveBackend()` picks ONNX Runtime by default, for inference and for training (it is
 * the fastest of the built-in runtimes on CPU, and uses CUDA when installed).
 */
export const ONNX_BACKEND_PRIORITY = 100;

/** The name the backend registers under. */
export const ONNX_BACKEND_NAME = 'onnx';

/** A new onnx backend object (the registered one is `onnxBackend`). */
export function createOnnxBackend(): GraphBackend {
  return {
    capabilities: {
      infer: true,
      train: true,
      devices: cudaInstalled() ? ['cpu', 'cuda'] : ['cpu'],
    },
    async init() {
      await loadOrt();
    },
    createSession: createOnnxSession,
    createTrainer: createOnnxTrainer,
  };
}

const SHARED = Symbol.for('@actllm/backend-onnx.backend');

/**
 * The backend that importing the package registers. One object per process, kept on
 * `globalThis`: when both the ESM and the CommonJS build are loaded, both register the same
 * object, which the registry accepts, instead of two objects under one name, which it
 * rejects (BACKEND_CONFLICT).
 */
export const onnxBackend: GraphBackend = ((): GraphBackend => {
  const store = globalThis as unknown as Record<symbol, GraphBackend | undefined>;
  store[SHARED] ??= createOnnxBackend();
  return store[SHARED];
})();
