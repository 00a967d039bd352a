import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { distance, type Action } from '@actllm/core';
import {
  INTENSITY_SETTINGS,
  TabletopEnv,
  perturbationSchedule,
  type Perturbation,
} from '../src/index.js';

let env: TabletopEnv;
beforeAll(async () => {
  env = await TabletopEnv.create();
});
afterAll(() => env.close());

describe('perturbation schedule', () => {
  it('is seeded, capped per intensity and empty after the last step', () => {
    expect(perturbationSchedule(1, 'strong', 5)).toEqual(perturbationSchedule(1, 'strong', 5));
    let total = 0;
    for (let seed = 0; seed < 50; seed++) {
      expect(perturbationSchedule(seed, 'none', 4).every((k) => k === null)).toBe(true);
      for (const intensity of ['mild', 'strong'] as const) {
        const s = perturbationSchedule(seed, intensity, 4);
        const count = s.filter((k) => k !== null).length;
        expect(count).toBeLessThanOrEqual(INTENSITY_SETTINGS[intensity].max);
        expect(s[3]).toBeNull();
        total += count;
      }
    }
    expect(total).toBeGreaterThan(50);
  });
});

describe('dynamic mode', () => {
  it('reports each perturbation in info and shows it in the next observation', () => {
    const seen = new Set<string>();
    for (let seed = 0; seed < 12; seed++) {
      env.reset({ seed, task: 'rearrange', dynamic: 'strong' });
      let r;
      do {
        r = env.step(env.oracleAction());
        const p = r.info['perturbation'] as Perturbation | null;
        expect(p === null || typeof p.kind === 'string').toBe(true);
        if (!p) continue;
        seen.add(p.kind);
        const moved = r.observation.objects?.find((o) => o.id === p.object);
        expect(moved, `${p.kind} ${p.object}`).toBeDefined();
        if (p.to && p.kind !== 'move_container' && moved)
          expect(distance(moved.pose, p.to)).toBeLessThan(0.02);
        // What the action did, before the disturbance: the perturbed object differs there.
        const before = r.info.afterAction?.find((o) => o.id === p.object);
        if (p.kind !== 'add_distractor') expect(before).toBeDefined();
        expect(before).not.toEqual(moved);
      } while (!r.done);
      expect(env.episode.perturbations.length).toBeLessThanOrEqual(2);
    }
    expect(seen.size).toBeGreaterThanOrEqual(3);
  });

  it('is deterministic for one seed and leaves static episodes unperturbed', () => {
    const run = (dynamic: 'none' | 'strong'): unknown[] => {
      env.reset({ seed: 8, task: 'visual_manipulation', dynamic });
      const out: unknown[] = [];
      let r;
      do {
        r = env.step(env.oracleAction());
        out.push(r.observation.objects, r.info['perturbation'], r.info.afterAction);
        if (!r.info['perturbation']) expect(r.info.afterAction).toBeUndefined();
      } while (!r.done);
      return out;
    };
    expect(run('strong')).toEqual(run('strong'));
    expect(run('none').filter((x) => x === undefined).length).toBeGreaterThan(0);
  });

  it('lets the closed-loop oracle recover where replaying a static plan fails', () => {
    let oracle = 0;
    let replay = 0;
    const episodes = 16;
    for (let seed = 0; seed < episodes; seed++) {
      const task = seed % 2 ? 'visual_manipulation' : 'rotate';
      env.reset({ seed, task });
      const plan: Action[] = [];
      let r;
      do {
        const a = env.oracleAction();
        plan.push(a);
        r = env.step(a);
      } while (!r.done);
      env.reset({ seed, task, dynamic: 'strong' });
      for (const a of plan) {
        r = env.step(a);
        if (r.done) break;
      }
      while (!r.done) r = env.step(plan[plan.length - 1] as Action);
      if (r.success) replay++;
      env.reset({ seed, task, dynamic: 'strong' });
      do r = env.step(env.oracleAction());
      while (!r.done);
      if (r.success) oracle++;
    }
    expect(oracle).toBe(episodes);
    expect(replay).toBeLessThan(episodes - 2);
  });
});
