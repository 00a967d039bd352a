import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { writeDirAtomicSync, writeFileAtomicSync } from '@actllm/core/node';

/** Writes a file atomically and durably (core's writeFileAtomicSync), creating its folder. */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileAtomicSync(path, data);
}

/**
 * Writes a directory atomically and durably (core's writeDirAtomicSync): every file into a
 * temporary sibling directory, flushed, then one rename. A reader (or a resumed run) sees
 * the whole directory or none of it.
 */
export function writeDirAtomic(path: string, files: ReadonlyMap<string, Uint8Array>): void {
  mkdirSync(dirname(path), { recursive: true });
  writeDirAtomicSync(path, files);
}

/** SHA-256 over files: for each, in path order, "path\0" + its SHA-256 in hex + "\n". */
export function checksumFiles(files: ReadonlyMap<string, Uint8Array>): string {
  const outer = createHash('sha256');
  for (const rel of [...files.keys()].sort()) {
    const data = files.get(rel) ?? new Uint8Array(0);
    outer.update(`${rel}\0${createHash('sha256').update(data).digest('hex')}\n`);
  }
  return outer.digest('hex');
}

/** Reads every file under a directory, keyed by path relative to it ('/' separated). */
export function readTree(root: string): Map<string, Uint8Array> {
  const out = new Map<string, Uint8Array>();
  const walk = (rel: string): void => {
    for (const entry of readdirSync(join(root, rel), { withFileTypes: true })) {
      const child = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) walk(child);
      else out.set(child, readFileSync(join(root, child)));
    }
  };
  walk('');
  return out;
}
