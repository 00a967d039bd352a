import { readFile } from 'node:fs/promises';
import { isActllmError, type Tensor } from '@actllm/core';
import { writeFileAtomic } from '@actllm/core/node';
import { GraphError } from './errors.js';
import { decodeSafetensors, encodeSafetensors, type Safetensors } from './safetensors.js';

/**
 * Writes a .safetensors file atomically and durably (see `@actllm/core/node`): a crash or a
 * refused tensor leaves the previous file intact. The folder must exist.
 */
export async function writeSafetensors(
  path: string,
  tensors: Readonly<Record<string, Tensor>>,
  metadata?: Readonly<Record<string, string>>,
): Promise<void> {
  checkPath(path, 'writeSafetensors');
  const bytes = encodeSafetensors(tensors, metadata);
  try {
    await writeFileAtomic(path, bytes);
  } catch (error) {
    throw new GraphError(
      'SAFETENSORS_IO',
      isActllmError(error) ? error.message : `Could not write ${path}: ${String(error)}.`,
      { cause: error },
    );
  }
}

/** Reads and validates a .safetensors file. */
export async function readSafetensors(path: string): Promise<Safetensors> {
  checkPath(path, 'readSafetensors');
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EISDIR'
          ? 'it is a directory'
          : code === 'EACCES'
            ? 'permission denied'
            : (code ?? String(error));
    throw new GraphError('SAFETENSORS_IO', `Could not read ${path}: ${why}.`, { cause: error });
  }
  return decodeSafetensors(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
}

function checkPath(path: unknown, fn: string): void {
  if (typeof path !== 'string' || path === '') {
    throw new GraphError('GRAPH_INVALID_ARGUMENT', `${fn} needs a file path; got ${String(path)}.`);
  }
}
