import { cpSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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

  /** Makes shards 1..n of n into `${prefix}${k}` and returns their folders. */
  function shards(prefix: string, n: number): string[] {
    return Array.from({ length: n }, (_, i) => {
      const out = join(dir, `${prefix}${i + 1}`);
      const r = actllm(['generate', '--out', out, ...ARGS, '--shard', `${i + 1}/${n}`], dir);
      expect(r.status, r.stderr).toBe(0);
      return out;
    });
  }

  const ids = (folder: string): string[] =>
    (
      JSON.parse(readFileSync(join(folder, 'manifest.json'), 'utf8')) as {
        episodes: { id: string }[];
      }
    ).episodes.map((e) => e.id);

  it('merges --shard 1/3, 2/3 and 3/3 into the unsharded dataset, byte for byte', () => {
    shards('s', 3);
    // Four episodes (two tasks) for three shards, round-robin by episode: every shard gets
    // some, shard 1 of both tasks.
    expect(ids(join(dir, 's1'))).toEqual(['visual_manipulation-000000', 'rotate-000001']);
    expect(ids(join(dir, 's2'))).toEqual(['visual_manipulation-000001']);
    expect(ids(join(dir, 's3'))).toEqual(['rotate-000000']);
    expect(JSON.parse(readFileSync(join(dir, 's1', 'shard.json'), 'utf8'))).toMatchObject({
      version: 2,
      shard: { index: 1, count: 3 },
      tasks: ['visual_manipulation', 'rotate'],
      slice: { from: 0, to: 4, step: 3 },
      episodes: 2,
      hasDataset: true,
    });
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

  it('merges more shards than episodes: the extra shard only records its place', () => {
    const folders = shards('m', 5);
    expect(existsSync(join(dir, 'm5', 'shard.json'))).toBe(true);
    expect(existsSync(join(dir, 'm5', 'manifest.json'))).toBe(false);
    // Given in any order: merge puts the episodes back in the dataset's order.
    const r = actllm(['merge', ...folders.reverse(), '--out', join(dir, 'merged5'), '--json']);
    expect(json(r)).toMatchObject({ kind: 'generate', shards: 5, episodes: 4 });
    expect(tree(join(dir, 'merged5'))).toEqual(tree(join(dir, 'full')));
  });

  it('refuses a shard whose shard.json names other episodes than its K/N', () => {
    const bad = join(dir, 's2-edited');
    cpSync(join(dir, 's2'), bad, { recursive: true });
    const info = JSON.parse(readFileSync(join(bad, 'shard.json'), 'utf8')) as {
      slice: { step: number };
    };
    info.slice.step = 2;
    writeFileSync(join(bad, 'shard.json'), JSON.stringify(info));
    const r = actllm(['merge', join(dir, 's1'), bad, join(dir, 's3'), '--out', join(dir, 'x')]);
    expect(r.status).toBe(3);
    expect(r.stderr).toMatch(/CLI_INPUT_INVALID: .*names other episodes than shard 2\/3/);
    expect(existsSync(join(dir, 'x'))).toBe(false);
  });

  it('still merges the task-split shards (shard.json version 1) of earlier versions', () => {
    // What an earlier `--shard k/2` made: every episode of task k, and a version-1 record.
    const tasks = TASKS.split(',');
    const folders = tasks.map((task, i) => {
      const out = join(dir, `v1-${i + 1}`);
      const args = ARGS.map((a) => (a === TASKS ? task : a));
      expect(actllm(['generate', '--out', out, ...args]).status).toBe(0);
      const info = {
        format: 'actllm-generate-shard',
        version: 1,
        shard: { index: i + 1, count: 2 },
        tasks,
        shardTasks: [task],
        partition: 'train',
        episodesPerTask: 2,
        seed: 3,
        dynamic: 'none',
        hasDataset: true,
      };
      writeFileSync(join(out, 'shard.json'), JSON.stringify(info));
      return out;
    });
    const r = actllm(['merge', ...folders, '--out', join(dir, 'merged-v1'), '--json']);
    expect(json(r)).toMatchObject({ kind: 'generate', shards: 2, episodes: 4 });
    expect(tree(join(dir, 'merged-v1'))).toEqual(tree(join(dir, 'full')));
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
