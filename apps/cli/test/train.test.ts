import { rmSync } from 'node:fs';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  truncateSync,
} from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SMALL_VIEWS, TASKS, actllm, errorLine, json, tempDir } from './helpers.js';

interface TrainResult {
  stopped: string;
  step: number;
  steps: number;
  stepsThisRun: number;
  samples: { train: number; episodes: number; scenes: number };
  last: { loss: number; terms: Record<string, number> };
}

describe('actllm train and eval on a checkpoint', () => {
  let dir: string;
  let data: string;
  let ckpt: string;
  beforeAll(() => {
    dir = tempDir();
    data = join(dir, 'data');
    const r = actllm([
      'generate',
      '--out',
      data,
      '--tasks',
      TASKS,
      '--episodes',
      '2',
      '--views',
      SMALL_VIEWS,
      '--workers',
      '0',
      '--json',
    ]);
    expect(r.status, r.stderr).toBe(0);
    ckpt = join(dir, 'ckpt');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('trains the tiny preset, reports every loss term and writes the checkpoint and its log', () => {
    const r = json<TrainResult>(
      actllm([
        'train',
        '--data',
        data,
        '--preset',
        'tiny',
        '--steps',
        '6',
        '--scenes',
        '8',
        '--out',
        ckpt,
        '--stop-after',
        '3',
        '--json',
      ]),
    );
    expect(r).toMatchObject({ stopped: 'stop-after', step: 3, steps: 6, stepsThisRun: 3 });
    expect(r.samples).toMatchObject({ episodes: 4, scenes: 8 });
    expect(r.samples.train).toBe(4 + 8);
    expect(Object.keys(r.last.terms).sort()).toEqual(['ac', 'act', 'cells', 'fwd', 'obs']);
    expect(Number.isFinite(r.last.loss) && r.last.loss > 0).toBe(true);
    expect(readdirSync(ckpt).sort()).toEqual([
      'actllm_train.json',
      'config.json',
      'model.safetensors',
      'optimizer.safetensors',
      'tokenizer.json',
      'train_log.jsonl',
      'training_state.json',
    ]);
    const log = readFileSync(join(ckpt, 'train_log.jsonl'), 'utf8').trim().split('\n');
    expect(log.map((l) => (JSON.parse(l) as { type: string; step: number }).step)).toEqual([
      1, 2, 3,
    ]);
  });

  it('--resume continues to the end of the schedule, with the log kept', () => {
    const r = json<TrainResult>(actllm(['train', '--resume', ckpt, '--out', ckpt, '--json']));
    expect(r).toMatchObject({ stopped: 'done', step: 6, steps: 6, stepsThisRun: 3 });
    const log = readFileSync(join(ckpt, 'train_log.jsonl'), 'utf8').trim().split('\n');
    expect(log.map((l) => (JSON.parse(l) as { step: number }).step)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('resumed weights equal those of an uninterrupted run', () => {
    const whole = join(dir, 'whole');
    expect(
      actllm([
        'train',
        '--data',
        data,
        '--preset',
        'tiny',
        '--steps',
        '6',
        '--scenes',
        '8',
        '--out',
        whole,
        '--json',
      ]).status,
    ).toBe(0);
    expect(readFileSync(join(whole, 'model.safetensors'))).toEqual(
      readFileSync(join(ckpt, 'model.safetensors')),
    );
  });

  it('evaluates the checkpoint closed loop', () => {
    const r = json<{
      episodes: number;
      parse_rate: number;
      overall: Record<string, { episodes: number }>;
    }>(
      actllm([
        'eval',
        '--checkpoint',
        ckpt,
        '--levels',
        'L1',
        '--tasks',
        TASKS,
        '--episodes',
        '1',
        '--out',
        join(dir, 'eval'),
        '--json',
      ]),
    );
    expect(r.episodes).toBe(2);
    expect(r.parse_rate).toBe(1);
    expect(existsSync(join(dir, 'eval', 'eval_info.json'))).toBe(true);
  });

  it('refuses a corrupt checkpoint (a truncated model.safetensors) with exit 3 and writes nothing', () => {
    const bad = join(dir, 'bad');
    mkdirSync(bad);
    for (const f of readdirSync(ckpt)) copyFileSync(join(ckpt, f), join(bad, f));
    truncateSync(join(bad, 'model.safetensors'), 100);
    const r = actllm([
      'eval',
      '--checkpoint',
      bad,
      '--levels',
      'L1',
      '--tasks',
      'rotate',
      '--episodes',
      '1',
      '--out',
      join(dir, 'bad-eval'),
    ]);
    expect(r.status).toBe(3);
    expect(errorLine(r).code).toBe('POLICY_INVALID_CHECKPOINT');
    expect(errorLine(r).message).toMatch(/model\.safetensors is damaged.*actllm train/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(existsSync(join(dir, 'bad-eval'))).toBe(false);
    const again = actllm(['train', '--resume', bad, '--out', join(dir, 'bad-train')]);
    expect(again.status).toBe(3);
    expect(existsSync(join(dir, 'bad-train'))).toBe(false);
  });
});
