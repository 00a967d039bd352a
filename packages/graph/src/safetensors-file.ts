import { randomBytes } from 'node:crypto';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import type { Tensor } from '@actllm/core';
import { decodeSafetensors, encodeSafetensors, type Safetensors } from './safetensors.js';

/** Writes a .safetensors file atomically: a temporary file next to it, then a rename. */
export async function writeSafetensors(
  path: string,
  tensors: Readonly<Record<string, Tensor>>,
  metadata?: Readonly<Record<string, string>>,
): Promise<void> {
  const tmp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    await writeFile(tmp, encodeSafetensors(tensors, metadata));
    await rename(tmp, path);
  } catch (error) {
    await rm(tmp, { force: true });
    throw error;
  }
}

export async function readSafetensors(path: string): Promise<Safetensors> {
  return decodeSafetensors(new Uint8Array(await readFile(path)));
}
