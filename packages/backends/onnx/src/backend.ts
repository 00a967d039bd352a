import { processSingleton } from '@actllm/core';
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

/**
 * The backend that importing the package registers: one object per process, so that the ESM
 * and CommonJS builds, when both are loaded, register the same object (see core's
 * `processSingleton`).
 */
export const onnxBackend: GraphBackend = processSingleton(
  '@actllm/backend-onnx.backend',
  createOnnxBackend,
);
