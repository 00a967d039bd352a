import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { writeDirAtomicSync } from '@actllm/core/node';
import { CliError } from './errors.js';
import { checkWritable } from './paths.js';

/**
 * A folder a command writes whole (`run`, `export`): checked before any work, then written
 * at once with core's `writeDirAtomicSync` (every file into a temporary sibling, one rename),
 * so a failed run leaves nothing half-written. `--out` may be missing, empty, or an earlier
 * output of the same command (recognised by `marker`), which is then replaced; any other
 * folder is refused, so a mistyped `--out .` cannot wipe a working tree.
 */
export function checkOutputFolder(out: string, marker: string, command: string): void {
  checkWritable(out);
  if (!existsSync(out)) return;
  if (!statSync(out).isDirectory() || readdirSync(out).length === 0) return;
  if (existsSync(join(out, marker))) return;
  throw new CliError(
    'CLI_OUTPUT_NOT_WRITABLE',
    `--out ${out} is a folder that holds other files (no ${marker}); pass a new or empty folder, or an earlier output of actllm ${command}.`,
  );
}

/** Writes the folder's files (relative path -> bytes) at once; creates its parent. */
export function writeOutputFolder(out: string, files: ReadonlyMap<string, string | Uint8Array>) {
  mkdirSync(dirname(resolve(out)), { recursive: true });
  writeDirAtomicSync(resolve(out), files);
}
