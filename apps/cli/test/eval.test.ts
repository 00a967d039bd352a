import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SMALL_VIEWS, TASKS, actllm, json, tempDir } from './helpers.js';

interface Summary {
  rate: number;
  ci95: [number, number];
  episodes: number;
}

describe('actllm eval with the baselines', () => {
  let dir: string;
  beforeAll(() => {
    dir = tempDir();
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('gives the oracle a rate of 1 and writes a valid eval_info.json', () => {
    const r = actllm([
      'eval',
      '--agent',
      'oracle',
      '--levels',
      'L1',
      '--tasks',
      TASKS,
      '--episodes',
      '1',
      '--views',
      SMALL_VIEWS,
      '--out',
      join(dir, 'oracle'),
      '--json',
    ]);
    const result = json<{ overall: Record<string, Summary> }>(r);
    expect(result.overall['static']?.rate).toBe(1);
    const info = JSON.parse(readFileSync(join(dir, 'oracle', 'eval_info.json'), 'utf8')) as {
      per_episode: {
        task: string;
        level: string;
        mode: string;
        seed: number;
        success: boolean;
        steps: number;
        failure: string | null;
      }[];
      per_task: Record<string, Record<string, Record<string, Summary>>>;
      per_level: Record<string, Record<string, Summary>>;
      overall: Record<string, Summary>;
    };
    expect(info.per_episode.map((e) => e.task)).toEqual(['visual_manipulation', 'rotate']);
    for (const e of info.per_episode) {
      expect(e).toMatchObject({ level: 'L1', mode: 'static', success: true, failure: null });
      expect(Number.isSafeInteger(e.seed) && e.steps >= 1).toBe(true);
    }
    expect(info.per_task['static']?.['L1']?.['rotate']).toMatchObject({ rate: 1, episodes: 1 });
    const level = info.per_level['static']?.['L1'] as Summary;
    expect(level.episodes).toBe(2);
    expect(level.ci95[0]).toBeGreaterThan(0);
    expect(level.ci95[1]).toBe(1);
    expect(info.overall['static']?.rate).toBe(1);
  });

  it('merges --shard K/N outputs into the unsharded eval_info.json, byte for byte', () => {
    const args = [
      'eval',
      '--agent',
      'random',
      '--levels',
      'L1,L4',
      '--tasks',
      `${TASKS},same_color`,
      '--modes',
      'static,strong',
      '--episodes',
      '2',
      '--views',
      SMALL_VIEWS,
      '--json',
    ];
    expect(actllm([...args, '--out', join(dir, 'whole')]).status).toBe(0);
    for (const k of [1, 2, 3])
      expect(actllm([...args, '--shard', `${k}/3`, '--out', join(dir, `e${k}`)]).status).toBe(0);
    const merged = actllm([
      'merge',
      join(dir, 'e3'),
      join(dir, 'e1'),
      join(dir, 'e2'),
      '--out',
      join(dir, 'merged'),
      '--json',
    ]);
    expect(json(merged)).toMatchObject({ kind: 'eval', shards: 3, episodes: 12 });
    expect(readFileSync(join(dir, 'merged', 'eval_info.json'))).toEqual(
      readFileSync(join(dir, 'whole', 'eval_info.json')),
    );
  });

  it('refuses shards of different runs', () => {
    const other = [
      'eval',
      '--agent',
      'random',
      '--levels',
      'L1',
      '--tasks',
      TASKS,
      '--episodes',
      '1',
      '--seed',
      '9',
      '--views',
      SMALL_VIEWS,
      '--json',
    ];
    expect(actllm([...other, '--shard', '2/3', '--out', join(dir, 'other')]).status).toBe(0);
    const r = actllm([
      'merge',
      join(dir, 'e1'),
      join(dir, 'other'),
      join(dir, 'e3'),
      '--out',
      join(dir, 'mixed'),
    ]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/CLI_USAGE: the shards differ/);
    expect(existsSync(join(dir, 'mixed'))).toBe(false);
  });
});
