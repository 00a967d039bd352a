import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type * as OrtModule from 'onnxruntime-node';

/** The onnxruntime-node module, loaded on first use (see `loadOrt`). */
export type Ort = typeof OrtModule;

let loading: Promise<Ort> | undefined;

/**
 * Loads onnxruntime-node once. It is imported lazily, not at the top of the module, so that
 * importing this package (which registers the backend) never fails: a broken native
 * install surfaces as the backend's init failure, which the registry remembers and reports.
 */
export function loadOrt(): Promise<Ort> {
  loading ??= import('onnxruntime-node');
  return loading;
}

const CUDA_LIBRARY: Partial<Record<NodeJS.Platform, string>> = {
  linux: 'libonnxruntime_providers_cuda.so',
  win32: 'onnxruntime_providers_cuda.dll',
};

/**
 * Whether onnxruntime-node's CUDA provider library is installed (it is downloaded by
 * `ONNXRUNTIME_NODE_INSTALL=cuda12 npm install`). Checked on disk rather than by trying to
 * create a CUDA session, because a failed attempt makes onnxruntime print to stderr, and
 * libraries never print.
 */
export function cudaInstalled(): boolean {
  const library = CUDA_LIBRARY[process.platform];
  if (library === undefined) return false;
  try {
    const main = createRequire(import.meta.url).resolve('onnxruntime-node');
    const bin = join(dirname(main), '..', 'bin', 'napi-v6', process.platform, process.arch);
    return existsSync(join(bin, library));
  } catch {
    return false;
  }
}
