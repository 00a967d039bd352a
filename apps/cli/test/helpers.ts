import { expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

export const BIN = join(import.meta.dirname, '..', 'dist', 'cli.js');

export interface Run {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the built `actllm` with `node`, as a user would. */
export function actllm(args: readonly string[], cwd?: string): Run {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, ONNXRUNTIME_NODE_INSTALL: 'skip' },
    timeout: 120_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The one JSON value a `--json` run prints. */
export function json<T = Record<string, unknown>>(run: Run): T {
  if (run.status !== 0) throw new Error(`exit ${run.status}: ${run.stderr}`);
  return JSON.parse(run.stdout) as T;
}

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'actllm-cli-'));
}

/** Every file under `dir` (relative path -> bytes), for byte-for-byte comparisons. */
export function tree(dir: string): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    const path = join(entry.parentPath, entry.name);
    if (statSync(path).isFile()) files.set(relative(dir, path), readFileSync(path));
  }
  return files;
}

/** The error line of a failed run: exactly one line `actllm: <code>: <message>`. */
export function errorLine(run: Run): { code: string; message: string } {
  const lines = run.stderr.split('\n').filter(Boolean);
  const last = lines[lines.length - 1] ?? '';
  const m = /^actllm: ([A-Z_]+): (.+)$/.exec(last);
  if (!m) throw new Error(`not an actllm error line: ${JSON.stringify(run.stderr)}`);
  return { code: m[1] as string, message: m[2] as string };
}

/** Small views keep rendering cheap; the tiny preset resizes to its own sizes anyway. */
export const SMALL_VIEWS = 'top=32x32,front=32x32';
export const TASKS = 'visual_manipulation,rotate';

/** Runs actllm and expects exit 0 (the failing run's stderr in the message). */
export function ok(args: readonly string[]): Run {
  const r = actllm(args);
  expect(r.status, `${args.join(' ')}: ${r.stderr}`).toBe(0);
  return r;
}

/** A mini dataset at SMALL_VIEWS: `episodes` per task of `tasks`, generated in-process. */
export function generateTiny(out: string, tasks: string, episodes: number): void {
  ok([
    'generate',
    '--out',
    out,
    '--tasks',
    tasks,
    '--episodes',
    String(episodes),
    '--views',
    SMALL_VIEWS,
    '--workers',
    '0',
    '--json',
  ]);
}

/** A tiny-preset checkpoint trained for `steps` steps on `data` (plus any further flags). */
export function trainTiny(
  data: string,
  out: string,
  steps: number,
  extra: readonly string[] = [],
): void {
  ok([
    'train',
    '--data',
    data,
    '--preset',
    'tiny',
    '--steps',
    String(steps),
    '--warmup',
    '1',
    ...extra,
    '--out',
    out,
    '--json',
  ]);
}
