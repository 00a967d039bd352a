import { createHash, randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import { basename, dirname, isAbsolute, join } from 'node:path';
import { threadId } from 'node:worker_threads';
import { ActllmError, InvalidArgumentError } from '../errors.js';

/**
 * Atomic file writes: the data goes to a temporary file in the target's folder, which is
 * flushed to disk (fsync), renamed over the target, and the folder is flushed too, so after
 * a crash the target holds either its old or its new content, never half of it. A crash can
 * leave the temporary file behind; the next write into that folder removes it.
 */

/** Every temporary file of this helper starts with this prefix (hidden on Unix). */
export const ATOMIC_TEMP_PREFIX = '.actllm-tmp-';

/** Temporaries that this process is writing right now: never mistaken for orphans. */
const inFlight = new Set<string>();

/** This machine, as 8 hex digits: a pid only identifies a process on the host that made it. */
const HOST = createHash('sha256').update(hostname()).digest('hex').slice(0, 8);

/**
 * A temporary of another machine (a shared network folder) may be in flight however old
 * its writer's pid looks here; only one untouched for this long is taken for an orphan.
 */
const FOREIGN_ORPHAN_AGE_MS = 60 * 60 * 1000;

/** `.actllm-tmp-<pid>-<thread>-<host>-<random>-<name>`: pid and host say whose it is. */
function tempPathFor(target: string): string {
  const tag = `${process.pid}-${threadId}-${HOST}-${randomBytes(6).toString('hex')}`;
  return join(dirname(target), `${ATOMIC_TEMP_PREFIX}${tag}-${basename(target)}`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Orphan temporaries are ours (prefix) and their writer is gone: on this host, a process
 * that no longer runs, or this very thread when it is not writing them (another thread of
 * this process may be writing one right now, so those are left for a later process); from
 * another host, one untouched for an hour.
 */
function isOrphan(folder: string, name: string): boolean {
  if (!name.startsWith(ATOMIC_TEMP_PREFIX)) return false;
  const [pidText, threadText, host] = name.slice(ATOMIC_TEMP_PREFIX.length).split('-');
  const pid = Number(pidText);
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  if (host !== HOST) return untouchedFor(join(folder, name), FOREIGN_ORPHAN_AGE_MS);
  if (pid !== process.pid) return !isAlive(pid);
  return Number(threadText) === threadId && !inFlight.has(join(folder, name));
}

function untouchedFor(path: string, ms: number): boolean {
  try {
    return Date.now() - fs.statSync(path).mtimeMs > ms;
  } catch {
    return false; // gone already
  }
}

function writeError(target: string, error: unknown): ActllmError<'FILE_WRITE_FAILED'> {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const why =
    code === 'ENOENT'
      ? 'its folder does not exist; create it first'
      : code === 'EACCES' || code === 'EPERM'
        ? 'permission denied; check that its folder is writable'
        : code === 'ENOSPC'
          ? 'the disk is full'
          : code === 'EISDIR'
            ? 'it is a directory; name a file'
            : `${code ?? 'error'}`;
  return new ActllmError('FILE_WRITE_FAILED', `Could not write ${target}: ${why}.`, {
    cause: error,
  });
}

function checkArguments(path: unknown, data: unknown): void {
  if (typeof path !== 'string' || path === '') {
    throw new InvalidArgumentError(`writeFileAtomic needs a file path; got ${String(path)}.`);
  }
  if (typeof data !== 'string' && !(data instanceof Uint8Array)) {
    throw new InvalidArgumentError(
      `writeFileAtomic writes a string or a Uint8Array; got ${data === null ? 'null' : typeof data}.`,
    );
  }
}

/** Removes the orphaned temporaries of earlier crashed writes in `folder` (best effort). */
function cleanOrphansSync(folder: string): void {
  let names: string[];
  try {
    names = fs.readdirSync(folder);
  } catch {
    return; // the write itself reports a missing folder
  }
  for (const name of names) {
    if (isOrphan(folder, name)) fs.rmSync(join(folder, name), { recursive: true, force: true });
  }
}

async function cleanOrphans(folder: string): Promise<void> {
  let names: string[];
  try {
    names = await fsp.readdir(folder);
  } catch {
    return;
  }
  for (const name of names) {
    if (isOrphan(folder, name)) await fsp.rm(join(folder, name), { recursive: true, force: true });
  }
}

/** fsync of a folder makes the rename durable; some platforms cannot open folders. */
function syncFolderSync(folder: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(folder, 'r');
    fs.fsyncSync(fd);
  } catch {
    // Windows cannot fsync a directory; the rename is still atomic there.
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

async function syncFolder(folder: string): Promise<void> {
  let handle: fsp.FileHandle | undefined;
  try {
    handle = await fsp.open(folder, 'r');
    await handle.sync();
  } catch {
    // As above.
  } finally {
    await handle?.close();
  }
}

/**
 * Replaces the file at `path` with `data` atomically and durably. The folder must exist.
 * Throws an ActllmError with code `FILE_WRITE_FAILED` that names `path` (never the
 * temporary file) and keeps the file-system error as its `cause`.
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  checkArguments(path, data);
  const folder = dirname(path);
  await cleanOrphans(folder);
  const temp = tempPathFor(path);
  inFlight.add(temp);
  try {
    const handle = await fsp.open(temp, 'wx');
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fsp.rename(temp, path);
  } catch (error) {
    await fsp.rm(temp, { force: true }).catch(() => undefined);
    throw writeError(path, error);
  } finally {
    inFlight.delete(temp);
  }
  await syncFolder(folder);
}

/** The synchronous form of {@link writeFileAtomic}, same guarantees and errors. */
export function writeFileAtomicSync(path: string, data: string | Uint8Array): void {
  checkArguments(path, data);
  const folder = dirname(path);
  cleanOrphansSync(folder);
  const temp = tempPathFor(path);
  inFlight.add(temp);
  try {
    const fd = fs.openSync(temp, 'wx');
    try {
      fs.writeFileSync(fd, data);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(temp, path);
  } catch (error) {
    try {
      fs.rmSync(temp, { force: true });
    } catch {
      // The folder itself may be what failed; the write error below says so.
    }
    throw writeError(path, error);
  } finally {
    inFlight.delete(temp);
  }
  syncFolderSync(folder);
}

/** A relative path inside the folder being written: no `..`, not absolute, not empty. */
function checkRelative(rel: string): void {
  const parts = rel.split(/[\\/]/);
  if (rel === '' || isAbsolute(rel) || parts.some((p) => p === '..' || p === '')) {
    throw new InvalidArgumentError(
      `writeDirAtomicSync file names are relative paths inside the folder, such as "frames/0.png"; got ${JSON.stringify(rel)}.`,
    );
  }
}

/** Writes one file of a folder being assembled and flushes it. */
function writeDurably(path: string, data: string | Uint8Array): void {
  const fd = fs.openSync(path, 'wx');
  try {
    fs.writeFileSync(fd, data);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Writes a whole folder at `path` at once: every file (keyed by its relative path) into a
 * temporary sibling folder, each flushed to disk with its folders, then one rename. A reader
 * or a resumed run sees the whole folder or none of it. An existing folder at `path` is
 * replaced (removed just before the rename). The parent folder must exist; failures are
 * `FILE_WRITE_FAILED` errors naming `path`, and the next write into the parent removes what
 * a crashed writer left.
 */
export function writeDirAtomicSync(
  path: string,
  files: ReadonlyMap<string, string | Uint8Array>,
): void {
  checkArguments(path, '');
  const given: unknown = files;
  if (!(given instanceof Map)) {
    throw new InvalidArgumentError('writeDirAtomicSync takes its files as a Map of path to data.');
  }
  for (const [rel, data] of files) {
    checkRelative(rel);
    checkArguments(path, data);
  }
  const parent = dirname(path);
  cleanOrphansSync(parent);
  const temp = tempPathFor(path);
  inFlight.add(temp);
  try {
    fs.mkdirSync(temp);
    const folders = new Set<string>([temp]);
    for (const [rel, data] of files) {
      const file = join(temp, rel);
      fs.mkdirSync(dirname(file), { recursive: true });
      for (let d = dirname(file); d.startsWith(temp); d = dirname(d)) folders.add(d);
      writeDurably(file, data);
    }
    for (const folder of folders) syncFolderSync(folder);
    fs.rmSync(path, { recursive: true, force: true });
    fs.renameSync(temp, path);
  } catch (error) {
    try {
      fs.rmSync(temp, { recursive: true, force: true });
    } catch {
      // As in writeFileAtomicSync.
    }
    throw writeError(path, error);
  } finally {
    inFlight.delete(temp);
  }
  syncFolderSync(parent);
}
