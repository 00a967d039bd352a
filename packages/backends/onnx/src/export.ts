import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { TensorMap } from '@actllm/core';
import { writeFileAtomic } from '@actllm/core/node';
import { toOnnx, type Graph } from '@actllm/graph';
import { OnnxBackendError } from './errors.js';

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

/**
 * Writes `graph` with its `weights` as an ONNX model, atomically: the bytes go to a
 * temporary file next to the target, which is then renamed over it, so a reader never sees
 * a half-written model and a crash leaves the previous one intact. `path` is the file, or
 * an existing directory (then `<path>/model.onnx`). Returns the path written.
 */
export async function exportOnnx(graph: Graph, weights: TensorMap, path: string): Promise<string> {
  const target = (await isDirectory(path)) ? join(path, 'model.onnx') : path;
  const bytes = toOnnx(graph, weights);
  try {
    // Cleanup of the temporary file happens inside, and never replaces this error.
    await writeFileAtomic(target, bytes);
  } catch (error) {
    throw new OnnxBackendError(
      'ONNX_EXPORT_FAILED',
      error instanceof Error ? error.message : `Could not write ${target}: ${String(error)}.`,
      { cause: error },
    );
  }
  return target;
}
