import type { Logger, SessionOptions } from '@actllm/core';
import { OnnxBackendError } from './errors.js';
import { cudaInstalled } from './runtime.js';

/**
 * The onnxruntime session options this backend sets, assignable to onnxruntime's own
 * `InferenceSession.SessionOptions`. Declared here so that this package's declarations
 * need no onnxruntime types (those need the DOM library, which Node projects do not load).
 */
export interface OrtSessionOptions {
  readonly executionProviders: string[];
  readonly graphOptimizationLevel: GraphOptimizationLevel;
  readonly executionMode: 'sequential' | 'parallel';
  readonly intraOpNumThreads?: number;
  readonly interOpNumThreads?: number;
}

/** onnxruntime's graph optimization levels (`extra.graphOptimizationLevel`). */
export const GRAPH_OPTIMIZATION_LEVELS = ['disabled', 'basic', 'extended', 'all'] as const;
export type GraphOptimizationLevel = (typeof GRAPH_OPTIMIZATION_LEVELS)[number];

/**
 * The backend-specific settings read from `SessionOptions.extra`:
 * - `graphOptimizationLevel`: `'disabled' | 'basic' | 'extended' | 'all'` (default `'all'`);
 * - `interOpNumThreads`: threads across independent nodes (with `executionMode: 'parallel'`);
 * - `executionMode`: `'sequential'` (default) or `'parallel'`.
 */
export interface OnnxExtraOptions {
  readonly graphOptimizationLevel?: GraphOptimizationLevel;
  readonly interOpNumThreads?: number;
  readonly executionMode?: 'sequential' | 'parallel';
}

function invalid(message: string): OnnxBackendError {
  return new OnnxBackendError('ONNX_BACKEND_INVALID_OPTION', message);
}

function threadCount(value: unknown, name: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw invalid(
      `${name} must be a non-negative integer (0 lets onnxruntime choose); got ${JSON.stringify(value)}.`,
    );
  }
  return value;
}

function readExtra(extra: Readonly<Record<string, unknown>>): OnnxExtraOptions {
  const known = new Set(['graphOptimizationLevel', 'interOpNumThreads', 'executionMode']);
  const unknown = Object.keys(extra).filter((k) => !known.has(k));
  if (unknown.length > 0) {
    throw invalid(
      `Unknown extra option(s) ${unknown.join(', ')}; the onnx backend reads ${[...known].join(', ')}.`,
    );
  }
  const level = extra.graphOptimizationLevel;
  if (level !== undefined && !(GRAPH_OPTIMIZATION_LEVELS as readonly unknown[]).includes(level)) {
    throw invalid(
      `graphOptimizationLevel must be one of ${GRAPH_OPTIMIZATION_LEVELS.join(', ')}; got ${JSON.stringify(level)}.`,
    );
  }
  const mode = extra.executionMode;
  if (mode !== undefined && mode !== 'sequential' && mode !== 'parallel') {
    throw invalid(`executionMode must be 'sequential' or 'parallel'; got ${JSON.stringify(mode)}.`);
  }
  return extra;
}

/** Which execution providers to use for the requested device, warning when it is missing. */
export function executionProviders(
  device: string | undefined,
  logger: Logger | undefined,
  cuda = cudaInstalled(),
): string[] {
  if (device === undefined || device === 'cpu') return ['cpu'];
  if (device === 'cuda') {
    if (cuda) return ['cuda', 'cpu'];
    logger?.warn(
      'CUDA was requested but onnxruntime-node has no CUDA provider installed; running on the CPU. Install it with `ONNXRUNTIME_NODE_INSTALL=cuda12 npm install` on a CUDA 12 host.',
    );
    return ['cpu'];
  }
  logger?.warn(
    `The onnx backend has no device "${device}" (it runs on cpu and cuda); running on the CPU.`,
  );
  return ['cpu'];
}

/** onnxruntime session options from core's `SessionOptions`. */
export function ortSessionOptions(options: SessionOptions = {}, cuda?: boolean): OrtSessionOptions {
  const extra = readExtra(options.extra ?? {});
  const intra = threadCount(options.threads, 'threads');
  const inter = threadCount(extra.interOpNumThreads, 'interOpNumThreads');
  return {
    executionProviders: executionProviders(options.device, options.logger, cuda),
    graphOptimizationLevel: extra.graphOptimizationLevel ?? 'all',
    executionMode: extra.executionMode ?? 'sequential',
    ...(intra === undefined ? {} : { intraOpNumThreads: intra }),
    ...(inter === undefined ? {} : { interOpNumThreads: inter }),
  };
}
