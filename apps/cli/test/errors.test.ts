import { chmodSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actllm, errorLine, json, tempDir } from './helpers.js';

/** A failed run: its exit code, a single stderr line, and nothing on stdout. */
function fails(args: string[], exit: number, code: string, fix: RegExp): void {
  const r = actllm(args);
  expect(r.status, r.stderr).toBe(exit);
  expect(r.stderr.trim().split('\n')).toHaveLength(1);
  const line = errorLine(r);
  expect(line.code).toBe(code);
  expect(line.message).toMatch(fix);
  expect(r.stdout).toBe('');
}

describe('actllm errors and exit codes', () => {
  let dir: string;
  beforeAll(() => {
    dir = tempDir();
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('an unknown command is a usage error (2)', () => {
    fails(['fly'], 2, 'CLI_USAGE', /unknown command 'fly'.*--help/);
  });

  it('an unknown flag is a usage error (2) that suggests the right one', () => {
    fails(
      ['generate', '--episode', '3'],
      2,
      'CLI_USAGE',
      /unknown option '--episode'.*Did you mean --episodes\?.*actllm generate --help/,
    );
  });

  it('a bad value is a usage error (2) that says what is expected', () => {
    fails(
      ['eval', '--agent', 'oracle', '--shard', '3/2'],
      2,
      'CLI_USAGE',
      /expected K\/N with 1 <= K <= N/,
    );
    fails(
      [
        'generate',
        '--out',
        join(dir, 'x'),
        '--episodes',
        '1',
        '--tasks',
        'rotate',
        '--partition',
        'L4',
      ],
      2,
      'TABLETOP_TASK_NOT_IN_PARTITION',
      /use one of/,
    );
    expect(existsSync(join(dir, 'x'))).toBe(false);
  });

  it('a missing dataset folder is exit 3 and leaves no checkpoint', () => {
    const out = join(dir, 'ckpt');
    fails(
      ['train', '--data', join(dir, 'nope'), '--preset', 'tiny', '--steps', '2', '--out', out],
      3,
      'CLI_INPUT_NOT_FOUND',
      /--data .*nope does not exist; pass the --out folder of actllm generate/,
    );
    expect(existsSync(out)).toBe(false);
  });

  it('an invalid config file is exit 2 naming the key; a missing one exit 3', () => {
    const file = join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify({ episodes: 'many', tasks: ['rotate'] }));
    fails(
      ['generate', '--config', file, '--out', join(dir, 'g')],
      2,
      'CLI_CONFIG_INVALID',
      /"episodes": expected a whole number/,
    );
    writeFileSync(file, JSON.stringify({ episodez: 3 }));
    fails(
      ['generate', '--config', file, '--out', join(dir, 'g')],
      2,
      'CLI_CONFIG_INVALID',
      /Unrecognized key.*"episodez"/,
    );
    writeFileSync(file, '{ not json');
    fails(
      ['generate', '--config', file, '--out', join(dir, 'g')],
      2,
      'CLI_CONFIG_INVALID',
      /is not JSON/,
    );
    fails(
      ['generate', '--config', join(dir, 'none.json'), '--out', join(dir, 'g')],
      3,
      'CLI_INPUT_NOT_FOUND',
      /cannot be read/,
    );
    expect(existsSync(join(dir, 'g'))).toBe(false);
  });

  it('a config file gives options; flags on the command line win', () => {
    const file = join(dir, 'eval.json');
    writeFileSync(
      file,
      JSON.stringify({
        agent: 'oracle',
        levels: 'L1',
        tasks: ['rotate'],
        episodes: 2,
        views: 'top=16x16,front=16x16',
      }),
    );
    const r = json<{ episodes: number }>(
      actllm(['eval', '--config', file, '--episodes', '1', '--json']),
    );
    expect(r.episodes).toBe(1);
  });

  it('an output that cannot be written is exit 4 and nothing is made', () => {
    const file = join(dir, 'a-file');
    writeFileSync(file, '');
    fails(
      ['generate', '--out', join(file, 'data'), '--tasks', 'rotate', '--episodes', '1'],
      4,
      'CLI_OUTPUT_NOT_WRITABLE',
      /is a file, not a folder; pass a --out in a folder you can write to/,
    );
    fails(
      [
        'eval',
        '--agent',
        'oracle',
        '--levels',
        'L1',
        '--tasks',
        'rotate',
        '--episodes',
        '1',
        '--out',
        file,
      ],
      4,
      'CLI_OUTPUT_NOT_WRITABLE',
      /pass a --out/,
    );
  });

  it.skipIf(process.getuid?.() === 0)(
    'a read-only folder is exit 4 (skipped as root, who may write anywhere)',
    () => {
      const locked = join(dir, 'locked');
      mkdirSync(locked);
      chmodSync(locked, 0o555);
      fails(
        ['generate', '--out', join(locked, 'data'), '--tasks', 'rotate', '--episodes', '1'],
        4,
        'CLI_OUTPUT_NOT_WRITABLE',
        /is not writable/,
      );
      chmodSync(locked, 0o755);
    },
  );

  it('--help shows an example for every command', () => {
    for (const command of ['generate', 'train', 'eval', 'merge', 'info']) {
      const r = actllm([command, '--help']);
      expect(r.status).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`Examples:\\n\\s+\\$ actllm ${command}\\b`));
      expect(r.stdout).toMatch(/Exit codes: 0 ok/);
    }
  });

  it('info --json parses and lists the onnx backend, able to train', () => {
    const r = json<{
      backends: { name: string; train: boolean; usable: boolean }[];
      onnxruntime: { version: string | null; cuda: boolean };
      node: string;
      cpus: number;
    }>(actllm(['info', '--json']));
    expect(r.backends.find((b) => b.name === 'onnx')).toMatchObject({ train: true, usable: true });
    expect(r.onnxruntime.version).toMatch(/^\d+\.\d+/);
    expect(typeof r.onnxruntime.cuda).toBe('boolean');
    expect(r.node).toBe(process.version);
    expect(r.cpus).toBeGreaterThan(0);
  });
});
