import { accessSync, constants, existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { writeFileAtomicSync } from '@actllm/core/node';
import { CliError } from './errors.js';

/** An input folder that must exist (exit 3 otherwise, naming the flag that gave it). */
export function requireDir(path: string, what: string, fix: string): void {
  let isDir = false;
  try {
    isDir = statSync(path).isDirectory();
  } catch {
    throw new CliError('CLI_INPUT_NOT_FOUND', `${what} ${path} does not exist; ${fix}.`);
  }
  if (!isDir) throw new CliError('CLI_INPUT_NOT_FOUND', `${what} ${path} is not a folder; ${fix}.`);
}

/**
 * Checks, before any work, that `path` can be created or written: its nearest existing
 * ancestor must be a writable folder (exit 4 otherwise). Creates nothing, so a refused run
 * leaves nothing behind.
 */
export function checkWritable(path: string, flag = '--out'): void {
  let at = resolve(path);
  while (!existsSync(at)) {
    const up = dirname(at);
    if (up === at) break;
    at = up;
  }
  const fail = (why: string) =>
    new CliError(
      'CLI_OUTPUT_NOT_WRITABLE',
      `${flag} ${path} cannot be written: ${why}; pass a ${flag} in a folder you can write to.`,
    );
  let stat;
  try {
    stat = statSync(at);
  } catch (error) {
    throw fail(`${at} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  if (at !== resolve(path) && !stat.isDirectory()) throw fail(`${at} is a file, not a folder`);
  if (at === resolve(path) && !stat.isDirectory()) throw fail('it is a file, not a folder');
  try {
    accessSync(at, constants.W_OK);
  } catch {
    throw fail(`${at} is not writable`);
  }
}

/** Creates a folder and its parents (after `checkWritable`). */
export function makeDir(path: string): void {
  mkdirSync(path, { recursive: true });
}

/** True when `path` is missing or an empty folder. */
export function isEmptyOrMissing(path: string): boolean {
  if (!existsSync(path)) return true;
  return statSync(path).isDirectory() && readdirSync(path).length === 0;
}

/** Pretty JSON with a final newline: the form every file of the CLI is written in. */
export function jsonText(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

/** Writes JSON through core's atomic write (temporary file, fsync, rename). */
export function writeJsonAtomic(path: string, value: unknown): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileAtomicSync(path, jsonText(value));
}
