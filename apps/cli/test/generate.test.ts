import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SMALL_VIEWS, TASKS, actllm, json, tempDir, tree } from './helpers.js';

const ARGS = [
  '--tasks',
  TASKS,
  '--episodes',
  '2',
  '--seed',
  '3',
  '--views',
  SMALL_VIEWS,
  '--workers',
  '0',
];

describe('actllm generate and merge', () => {
  let dir: string;
  beforeAll(() => {
    dir = tempDir();
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes a dataset and reports its counts', () => {
    const r = json<{ total: number; counts: Record<string, { episodes: number }> }>(
      actllm(['generate', '--out', join(dir, 'full'), ...ARGS, '--json'], dir),
    );
    expect(r.total).toBe(4);
    expect(r.counts['rotate']?.episodes).toBe(2);
    const manifest = JSON.parse(readFileSync(join(dir, 'full', 'manifest.json'), 'utf8')) as {
      episodes: unknown[];
    };
    expect(manifest.episodes).toHaveLength(4);
  });

  it('merges --shard 1/3, 2/3 and 3/3 into the unsharded dataset, byte for byte', () => {
    for (const k of [1, 2, 3]) {
      const r = actllm(
        ['generate', '--out', join(dir, `s${k}`), ...ARGS, '--shard', `${k}/3`, '--json'],
        dir,
      );
      expect(r.status, r.stderr).toBe(0);
    }
    // Two tasks for three shards: shard 3 gets none but still records its place.
    expect(existsSync(join(dir, 's3', 'shard.json'))).toBe(true);
    expect(existsSync(join(dir, 's3', 'manifest.json'))).toBe(false);
    const merged = actllm([
      'merge',
      join(dir, 's1'),
      join(dir, 's2'),
      join(dir, 's3'),
      '--out',
      join(dir, 'merged'),
      '--json',
    ]);
    expect(json(merged)).toMatchObject({ kind: 'generate', shards: 3, episodes: 4 });
    expect(tree(join(dir, 'merged'))).toEqual(tree(join(dir, 'full')));
  });

  it('refuses an incomplete set of shards and writes nothing', () => {
    const r = actllm(['merge', join(dir, 's1'), join(dir, 's2'), '--out', join(dir, 'partial')]);
    expect(r.status).toBe(3);
    expect(r.stderr).toMatch(/^actllm: CLI_INPUT_NOT_FOUND: shard 3\/3 is missing/m);
    expect(existsSync(join(dir, 'partial'))).toBe(false);
  });

  it('refuses to merge into a folder that is not empty', () => {
    const r = actllm([
      'merge',
      join(dir, 's1'),
      join(dir, 's2'),
      join(dir, 's3'),
      '--out',
      join(dir, 'full'),
    ]);
    expect(r.status).toBe(4);
    expect(r.stderr).toMatch(/CLI_OUTPUT_NOT_WRITABLE: .*already exists/);
  });
});
