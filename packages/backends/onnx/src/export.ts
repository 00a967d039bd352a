import { randomBytes } from 'node:crypto';
import { rm, stat, writeFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import type { TensorMap } from '@actllm/core';
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
  const temp = `${target}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    await writeFile(temp, bytes, { flag: 'wx' });
    await rename(temp, target);
  } catch (error) {
    await rm(temp, { force: true });
    throw new OnnxBackendError(
      'ONNX_EXPORT_FAILED',
      `Could not write ${target}: ${error instanceof Error ? error.message : String(error)}. Check that its directory exists and is writable.`,
      { cause: error },
    );
  }
  return target;
}
