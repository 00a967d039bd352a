import { createHash } from 'node:crypto';
import {
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { threadId } from 'node:worker_threads';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isActllmError } from '../src/index.js';
import {
  ATOMIC_TEMP_PREFIX,
  writeDirAtomicSync,
  writeFileAtomic,
  writeFileAtomicSync,
} from '../src/node/index.js';

const any = (v: unknown): never => v as never;

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'actllm-atomic-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** The host tag in this machine's temporary names. */
const HOST = createHash('sha256').update(hostname()).digest('hex').slice(0, 8);

/** A pid that no process has: above Linux's pid_max limit (2^22). */
const DEAD_PID = 4_194_305;

async function rejection(p: Promise<unknown>): Promise<Error & { code?: string }> {
  try {
    await p;
  } catch (error) {
    return error as Error & { code?: string };
  }
  throw new Error('expected a rejection');
}

describe('writeFileAtomic', () => {
  it('writes and replaces files, leaving no temporary behind', async () => {
    const path = join(dir, 'a.json');
    await writeFileAtomic(path, 'one');
    await writeFileAtomic(path, new Uint8Array([116, 119, 111]));
    expect(readFileSync(path, 'utf8')).toBe('two');
    writeFileAtomicSync(path, 'three');
    expect(readFileSync(path, 'utf8')).toBe('three');
    expect(readdirSync(dir)).toEqual(['a.json']);
  });

  it('names the target, not its temporary file, when the folder is missing', async () => {
    const path = join(dir, 'missing', 'a.bin');
    for (const error of [
      await rejection(writeFileAtomic(path, 'x')),
      (() => {
        try {
          writeFileAtomicSync(path, 'x');
        } catch (e) {
          return e as Error & { code?: string };
        }
        throw new Error('expected a throw');
      })(),
    ]) {
      expect(isActllmError(error, 'FILE_WRITE_FAILED')).toBe(true);
      expect(error.message).toContain(path);
      expect(error.message).toContain('does not exist');
      expect(error.message).not.toContain(ATOMIC_TEMP_PREFIX);
      expect((error.cause as { code?: string }).code).toBe('ENOENT');
    }
  });

  it('removes the temporaries of crashed writers on the next write to that folder', async () => {
    const dead = join(dir, `${ATOMIC_TEMP_PREFIX}${DEAD_PID}-0-${HOST}-abcdef-model.onnx`);
    const live = join(dir, `${ATOMIC_TEMP_PREFIX}${process.ppid}-0-${HOST}-abcdef-model.onnx`);
    const foreign = join(dir, '.tmp-123-other-tool');
    for (const p of [dead, live, foreign]) writeFileSync(p, 'half');
    await writeFileAtomic(join(dir, 'b.bin'), 'x');
    expect(readdirSync(dir).sort()).toEqual(
      [
        '.tmp-123-other-tool',
        `${ATOMIC_TEMP_PREFIX}${process.ppid}-0-${HOST}-abcdef-model.onnx`,
        'b.bin',
      ].sort(),
    );
    writeFileSync(dead, 'half');
    writeFileAtomicSync(join(dir, 'c.bin'), 'x');
    expect(readdirSync(dir)).not.toContain(
      `${ATOMIC_TEMP_PREFIX}${DEAD_PID}-0-${HOST}-abcdef-model.onnx`,
    );
  });

  it('keeps what another thread of this process may be writing, removes its own leftovers', async () => {
    const otherThread = `${ATOMIC_TEMP_PREFIX}${process.pid}-${threadId + 1}-${HOST}-abcdef-x.bin`;
    const ownLeftover = `${ATOMIC_TEMP_PREFIX}${process.pid}-${threadId}-${HOST}-abcdef-x.bin`;
    for (const n of [otherThread, ownLeftover]) writeFileSync(join(dir, n), 'half');
    await writeFileAtomic(join(dir, 'x.bin'), 'x');
    expect(readdirSync(dir).sort()).toEqual([otherThread, 'x.bin'].sort());
  });

  it("leaves another host's temporaries alone for an hour (a shared network folder)", async () => {
    const fresh = `${ATOMIC_TEMP_PREFIX}${DEAD_PID}-0-0badf00d-abcdef-a.bin`;
    const stale = `${ATOMIC_TEMP_PREFIX}${DEAD_PID}-0-0badf00d-abcdef-b.bin`;
    for (const n of [fresh, stale]) writeFileSync(join(dir, n), 'half');
    const twoHoursAgo = new Date(Date.now() - 2 * 3600 * 1000);
    utimesSync(join(dir, stale), twoHoursAgo, twoHoursAgo);
    await writeFileAtomic(join(dir, 'x.bin'), 'x');
    expect(readdirSync(dir).sort()).toEqual([fresh, 'x.bin'].sort());
  });

  it('lets concurrent writes of one process into one folder all succeed', async () => {
    const names = Array.from({ length: 8 }, (_, i) => `f${i}.bin`);
    await Promise.all(names.map((n) => writeFileAtomic(join(dir, n), new Uint8Array(1 << 16))));
    expect(readdirSync(dir).sort()).toEqual(names.sort());
  });

  it('never shows a reader half of the new content', async () => {
    const path = join(dir, 'big.bin');
    const size = 8 << 20;
    writeFileAtomicSync(path, new Uint8Array(size).fill(1));
    let reads = 0;
    let done = false;
    const reader = (async () => {
      while (!done) {
        const seen = readFileSync(path);
        expect(seen.length).toBe(size);
        expect(seen[0] === seen[size - 1] && seen[0] === seen[size >> 1]).toBe(true);
        reads++;
        await new Promise((r) => setImmediate(r));
      }
    })();
    for (let k = 2; k < 6; k++) await writeFileAtomic(path, new Uint8Array(size).fill(k));
    done = true;
    await reader;
    expect(reads).toBeGreaterThan(0);
    expect(readFileSync(path)[size - 1]).toBe(5);
  });

  it('refuses what it cannot write with a typed error', async () => {
    const bad: [unknown, unknown][] = [
      ['', 'x'],
      [42, 'x'],
      [join(dir, 'a'), [1, 2, 3]],
      [join(dir, 'a'), null],
      [join(dir, 'a'), { length: 1 }],
    ];
    for (const [path, data] of bad) {
      const call = (): void => writeFileAtomicSync(path as string, data as string);
      expect(call).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }) as Error);
      const error = await rejection(
        Promise.resolve().then(() => writeFileAtomic(path as string, data as string)),
      );
      expect(error.code).toBe('INVALID_ARGUMENT');
    }
    const error = await rejection(writeFileAtomic(dir, 'x'));
    expect(error.code).toBe('FILE_WRITE_FAILED');
    expect(error.message).toContain('directory');
  });
});

describe('writeDirAtomicSync', () => {
  it('writes a whole folder at once, replacing an old one, leaving no temporary behind', () => {
    const path = join(dir, 'episode');
    writeDirAtomicSync(path, new Map([['old.txt', 'old']]));
    const files = new Map<string, string | Uint8Array>([
      ['record.json', '{}'],
      ['frames/top/0.png', new Uint8Array([1, 2, 3])],
    ]);
    writeDirAtomicSync(path, files);
    expect(readdirSync(dir)).toEqual(['episode']);
    expect(readdirSync(path).sort()).toEqual(['frames', 'record.json']);
    expect([...readFileSync(join(path, 'frames/top/0.png'))]).toEqual([1, 2, 3]);
  });

  it('removes folders a crashed writer left, and refuses paths that leave the folder', () => {
    const orphan = join(dir, `${ATOMIC_TEMP_PREFIX}${DEAD_PID}-0-${HOST}-abcdef-episode`);
    mkdirSync(join(orphan, 'frames'), { recursive: true });
    writeFileSync(join(orphan, 'frames', 'half.png'), 'x');
    writeDirAtomicSync(join(dir, 'e2'), new Map([['a', 'b']]));
    expect(readdirSync(dir)).toEqual(['e2']);
    for (const rel of ['../escape', '/abs', '', 'a//b']) {
      expect(() => writeDirAtomicSync(join(dir, 'e3'), new Map([[rel, 'x']]))).toThrow(
        expect.objectContaining({ code: 'INVALID_ARGUMENT' }) as Error,
      );
    }
    expect(() => writeDirAtomicSync(join(dir, 'e3'), any({ a: 'x' }))).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }) as Error,
    );
    expect(readdirSync(dir)).toEqual(['e2']);
  });

  it('names the target when its parent folder is missing', () => {
    const path = join(dir, 'missing', 'episode');
    let error: (Error & { code?: string }) | undefined;
    try {
      writeDirAtomicSync(path, new Map([['a', 'b']]));
    } catch (e) {
      error = e as Error & { code?: string };
    }
    expect(error?.code).toBe('FILE_WRITE_FAILED');
    expect(error?.message).toContain(path);
    expect(error?.message).not.toContain(ATOMIC_TEMP_PREFIX);
  });
});
