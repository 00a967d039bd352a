import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Rng, isActllmError } from '@actllm/core';
import {
  DEFAULT_VIEW_SIZES,
  TabletopEnv,
  getPartition,
  getTask,
  listPartitions,
  listTasks,
  registerTask,
  isInside,
  containerCentre,
} from '../src/index.js';

let env: TabletopEnv;
beforeAll(async () => {
  env = await TabletopEnv.create();
});
afterAll(() => env.close());

const EPISODES = 12;
const LEVEL_EPISODES = 3;

/** The partition a family is trained (or, for L4 families, tested) in. */
const home = (task: string): string =>
  getPartition('train').tasks.includes(task) ? 'train' : 'L4';

describe.each(listTasks())('task %s', (task) => {
  it(`oracle succeeds in ${EPISODES} seeded episodes within its step count, never at reset`, () => {
    const partition = home(task);
    for (let seed = 100; seed < 100 + EPISODES; seed++) {
      env.reset({ seed, task, partition });
      const family = getTask(task);
      const state = { objects: env.objects, initial: env.objects };
      expect(family.success(env.episode.goal, state)).toBe(false);
      let r;
      do r = env.step(env.oracleAction());
      while (!r.done);
      expect(r.success, `seed ${seed}`).toBe(true);
      expect(r.observation.step).toBeLessThanOrEqual(env.episode.oracleSteps);
    }
  });

  it(`oracle succeeds on every level of the family, static and under strong perturbations`, () => {
    const levels = listPartitions().filter((p) => getPartition(p).tasks.includes(task));
    for (const partition of levels) {
      for (const dynamic of ['none', 'strong'] as const) {
        for (let seed = 0; seed < LEVEL_EPISODES; seed++) {
          env.reset({ seed, task, partition, dynamic });
          let r;
          do r = env.step(env.oracleAction());
          while (!r.done);
          expect(r.success, `${partition} ${dynamic} seed ${seed}`).toBe(true);
        }
      }
    }
  });

  it('samples the same episode from the same RNG state', () => {
    const family = getTask(task);
    const a = family.sample(new Rng(5), getPartition(home(task)));
    const b = family.sample(new Rng(5), getPartition(home(task)));
    expect(b).toEqual(a);
    expect(a.oracleSteps).toBeGreaterThanOrEqual(1);
    const pattern = new RegExp(
      `^(${family.templates.map((t) => t.replace(/[.]/g, '\\.').replace(/\{\w+\}/g, '.+')).join('|')})$`,
    );
    expect(a.instruction.text).toMatch(pattern);
  });
});

describe('task details', () => {
  it('scene_understanding shows the scene and a cue object of the target colour, used by nothing else', () => {
    const obs = env.reset({ seed: 7, task: 'scene_understanding' });
    const assets = obs.instruction.assets ?? {};
    expect(assets['scene']?.kind).toBe('scene');
    expect(assets['object']?.kind).toBe('object');
    const cue = assets['object']?.objects[0];
    const goal = env.episode.goal as { target: string };
    const sameColour = (obs.objects ?? []).filter((o) => o.color === cue?.color);
    expect(sameColour.map((o) => o.id)).toEqual([goal.target]);
    expect(assets['scene']?.views.top?.width).toBe(DEFAULT_VIEW_SIZES.top.width);
  });

  it('rearrange shows the goal scene with the objects at their goal poses', () => {
    const obs = env.reset({ seed: 8, task: 'rearrange' });
    const goal = env.episode.goal as { targets: { id: string; pose: { x: number; y: number } }[] };
    const shown = obs.instruction.assets?.['scene']?.objects ?? [];
    expect(shown.map((o) => o.id)).toEqual(goal.targets.map((t) => t.id));
    for (const [i, t] of goal.targets.entries()) expect(shown[i]?.pose.x).toBeCloseTo(t.pose.x, 3);
  });

  it('rotate fails when the object is moved instead of turned', () => {
    const obs = env.reset({ seed: 11, task: 'rotate' });
    const goal = env.episode.goal as { target: string };
    const t = obs.objects?.find((o) => o.id === goal.target);
    if (!t) throw new Error('no target');
    const wrong = env.step({
      kind: 'pick_place',
      from: t.pose,
      to: { x: t.pose.x > 0.5 ? 0.2 : 0.8, y: t.pose.y, theta: t.pose.theta },
    });
    expect(wrong.success).toBe(false);
  });

  it('visual_manipulation fails when the target goes elsewhere, and counts it inside only over the container', () => {
    const obs = env.reset({ seed: 12, task: 'visual_manipulation' });
    const goal = env.episode.goal as { target: string; container: string };
    const t = obs.objects?.find((o) => o.id === goal.target);
    const c = obs.objects?.find((o) => o.id === goal.container);
    if (!t || !c) throw new Error('no goal objects');
    expect(isInside(t, c)).toBe(false);
    const centre = { ...containerCentre(c), theta: 0 };
    expect(isInside({ ...t, pose: centre, z: 0.01 }, c)).toBe(true);
    expect(isInside({ ...t, pose: centre, z: 0.5 }, c)).toBe(false);
    expect(isInside({ ...t, pose: { ...centre, x: centre.x + 0.12 }, z: 0.01 }, c)).toBe(false);
    const r = env.step({
      kind: 'pick_place',
      from: t.pose,
      to: { x: 1 - c.pose.x, y: 1 - c.pose.y, theta: 0 },
    });
    expect(r.success).toBe(false);
  });

  it('refuses a second family with a taken name', () => {
    let caught: unknown;
    try {
      registerTask(getTask('rotate'));
    } catch (e) {
      caught = e;
    }
    expect(isActllmError(caught, 'TABLETOP_INVALID_OPTION')).toBe(true);
  });
});
