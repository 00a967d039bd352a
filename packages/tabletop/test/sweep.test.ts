import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ObjectState, Pose } from '@actllm/core';
import { TabletopEnv, getTask } from '../src/index.js';
import type { Intensity } from '../src/index.js';

let env: TabletopEnv;
beforeAll(async () => {
  env = await TabletopEnv.create();
});
afterAll(() => env.close());

interface Goal {
  targets: string[];
  count: number;
  zone: string;
  line?: string;
  obstacle?: string;
  slots: { x: number; y: number }[];
  limit?: { x: number; y: number; nx: number; ny: number };
}

function moved(objects: readonly ObjectState[], id: string, pose: Pose): readonly ObjectState[] {
  return objects.map((o) => (o.id === id ? { ...o, pose } : o));
}

/** As many targets as asked for put on the slots: the scene the success rule should accept. */
function allIn(objects: readonly ObjectState[], goal: Goal): readonly ObjectState[] {
  let out = objects;
  goal.targets.slice(0, goal.count).forEach((id, i) => {
    const slot = goal.slots[i] ?? { x: 0, y: 0 };
    out = moved(out, id, { ...slot, theta: 0 });
  });
  return out;
}

function runOracle(task: string, partition: string, seed: number, dynamic: Intensity) {
  env.reset({ seed, task, partition, dynamic });
  let result;
  do result = env.step(env.oracleAction());
  while (!result.done);
  return result;
}

const pose = (objects: readonly ObjectState[], id: string): Pose | undefined =>
  objects.find((o) => o.id === id)?.pose;

describe('sweep families', () => {
  it('sweep_without_exceeding succeeds only if no block was ever past the line', () => {
    const obs = env.reset({ seed: 5, task: 'sweep_without_exceeding', partition: 'L1' });
    const goal = env.episode.goal as Goal;
    const limit = goal.limit ?? { x: 0, y: 0, nx: 0, ny: 0 };
    const initial = obs.objects ?? [];
    const done = allIn(initial, goal);
    const past = { x: limit.x + 0.02 * limit.nx, y: limit.y + 0.02 * limit.ny, theta: 0 };
    const overshot = moved(done, goal.targets[0] ?? '', past);
    const family = getTask('sweep_without_exceeding');
    expect(family.success(goal, { objects: done, initial, history: [initial, done] })).toBe(true);
    const history = [initial, overshot, done];
    expect(family.success(goal, { objects: done, initial, history })).toBe(false);
    expect(family.success(goal, { objects: initial, initial, history: [initial] })).toBe(false);
  });

  it('sweep_without_touching fails once the obstacle has moved, even if it moved back', () => {
    const obs = env.reset({ seed: 6, task: 'sweep_without_touching', partition: 'L4' });
    const goal = env.episode.goal as Goal;
    const initial = obs.objects ?? [];
    const done = allIn(initial, goal);
    const start = pose(initial, goal.obstacle ?? '') ?? { x: 0, y: 0, theta: 0 };
    const nudged = moved(done, goal.obstacle ?? '', { ...start, x: start.x + 0.01 });
    const family = getTask('sweep_without_touching');
    expect(family.success(goal, { objects: done, initial, history: [initial, done] })).toBe(true);
    const history = [initial, nudged, done];
    expect(family.success(goal, { objects: done, initial, history })).toBe(false);
  });

  it('draws flat markings: a push over the zone and the line moves neither, and both show', () => {
    const obs = env.reset({ seed: 7, task: 'sweep_without_exceeding', partition: 'train' });
    const goal = env.episode.goal as Goal;
    const objects = obs.objects ?? [];
    const zone = pose(objects, goal.zone) ?? { x: 0, y: 0, theta: 0 };
    const line = pose(objects, goal.line ?? '') ?? { x: 0, y: 0, theta: 0 };
    const top = env.segmentation('top');
    for (const id of [goal.zone, goal.line ?? '']) {
      const index = objects.findIndex((o) => o.id === id) + 1;
      expect(
        top.some((v) => v === index),
        `${id} visible`,
      ).toBe(true);
    }
    // A block pushed right across the zone, over its far side and over the line.
    const block = objects.find((o) => o.id === goal.targets[0]);
    if (!block) throw new Error('no block');
    const far = { x: 2 * line.x - zone.x, y: 2 * line.y - zone.y, theta: 0 };
    const clamp = (p: Pose): Pose => ({
      ...p,
      x: Math.min(1, Math.max(0, p.x)),
      y: Math.min(1, Math.max(0, p.y)),
    });
    env.step({ kind: 'push', from: clamp({ ...block.pose, theta: 0 }), to: clamp(far) });
    expect(pose(env.objects, goal.zone)).toEqual(zone);
    expect(pose(env.objects, goal.line ?? '')).toEqual(line);
  });

  it('the oracle sweeps the blocks asked for in, static and under strong perturbations', () => {
    for (let seed = 0; seed < 4; seed++) {
      for (const dynamic of ['none', 'strong'] as const) {
        const a = runOracle('sweep_without_exceeding', 'L3', seed, dynamic);
        expect(a.success, `exceeding seed ${seed} ${dynamic}`).toBe(true);
        const b = runOracle('sweep_without_touching', 'L4', seed, dynamic);
        expect(b.success, `touching seed ${seed} ${dynamic}`).toBe(true);
      }
    }
  });

  it('never lets a perturbation move the obstacle, the zone or the line', () => {
    const cases = [
      ['sweep_without_touching', 'L4', (g: Goal) => [g.zone, g.obstacle ?? '']],
      ['sweep_without_exceeding', 'train', (g: Goal) => [g.zone, g.line ?? '']],
    ] as const;
    for (const [task, partition, ids] of cases) {
      for (let seed = 10; seed < 13; seed++) {
        const obs = env.reset({ seed, task, partition, dynamic: 'strong' });
        const fixed = ids(env.episode.goal as Goal);
        const before = fixed.map((id) => pose(obs.objects ?? [], id));
        let result;
        do result = env.step(env.oracleAction());
        while (!result.done);
        expect(env.episode.perturbations.length, `${task} seed ${seed}`).toBeGreaterThan(0);
        expect(fixed.map((id) => pose(env.objects, id))).toEqual(before);
      }
    }
  });
});
