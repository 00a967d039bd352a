import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isActllmError, type Action } from '@actllm/core';
import { DEFAULT_VIEW_SIZES, TabletopEnv } from '../src/index.js';

let env: TabletopEnv;
beforeAll(async () => {
  env = await TabletopEnv.create();
});
afterAll(() => env.close());

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return isActllmError(e) ? e.code : 'untyped';
  }
  return undefined;
}

describe('TabletopEnv', () => {
  it('describes itself', () => {
    expect(env.metadata.tasks.slice(0, 4)).toEqual([
      'visual_manipulation',
      'scene_understanding',
      'rotate',
      'rearrange',
    ]);
    expect(env.metadata.tasks).toContain('same_shape');
    expect(env.metadata.partitions).toEqual(['train', 'L1', 'L2', 'L3', 'L4']);
    expect(env.metadata.views).toEqual(['top', 'front']);
  });

  it('returns views of the default sizes and ground truth at reset', () => {
    const obs = env.reset({ seed: 1, task: 'visual_manipulation' });
    expect(obs.step).toBe(0);
    const { top, front } = DEFAULT_VIEW_SIZES;
    expect([obs.views.top.width, obs.views.top.height]).toEqual([top.width, top.height]);
    expect([obs.views.front.width, obs.views.front.height]).toEqual([front.width, front.height]);
    expect(obs.instruction.text).toMatch(/^(Put|Place) the .+ (into|in) the .+\.$/);
    for (const o of obs.objects ?? []) {
      // The top view maps the workspace onto the image: the box centre is the object's position.
      const b = o.bbox.top;
      expect(b).toBeTruthy();
      if (!b) continue;
      expect((b.x0 + b.x1) / 2).toBeCloseTo(o.pose.x, 1);
      expect(1 - (b.y0 + b.y1) / 2).toBeCloseTo(o.pose.y, 1);
      expect(o.bbox.front).toBeTruthy();
      expect(o.z).toBeLessThan(0.01);
    }
    const seg = env.segmentation('top');
    expect(seg.length).toBe(top.width * top.height);
    expect(Math.max(...seg)).toBe(obs.objects?.length);
  });

  it('gives identical objects and frame bytes for one seed, different ones for another', async () => {
    const other = await TabletopEnv.create();
    const a = env.reset({ seed: 42, task: 'rearrange' });
    const b = other.reset({ seed: 42, task: 'rearrange' });
    expect(b.objects).toEqual(a.objects);
    expect(Buffer.from(b.views.top.data).equals(Buffer.from(a.views.top.data))).toBe(true);
    expect(Buffer.from(b.views.front.data).equals(Buffer.from(a.views.front.data))).toBe(true);
    const actionA = env.oracleAction();
    const stepA = env.step(actionA);
    const stepB = other.step(other.oracleAction());
    expect(stepB.observation.objects).toEqual(stepA.observation.objects);
    expect(
      Buffer.from(stepB.observation.views.front.data).equals(
        Buffer.from(stepA.observation.views.front.data),
      ),
    ).toBe(true);
    const c = other.reset({ seed: 43, task: 'rearrange' });
    expect(c.objects).not.toEqual(a.objects);
    other.close();
  });

  it('draws another episode from the same seed in another partition', () => {
    const train = env.reset({ seed: 21, task: 'rotate' });
    const l1 = env.reset({ seed: 21, task: 'rotate', partition: 'L1' });
    expect(l1.objects).not.toEqual(train.objects);
    expect(env.episode.partition).toBe('L1');
  });

  it('refuses malformed actions with core INVALID_ACTION and keeps the state', () => {
    const obs = env.reset({ seed: 3, task: 'rotate' });
    const bad = [
      {
        kind: 'pick_place',
        from: { x: Number.NaN, y: 0.5, theta: 0 },
        to: { x: 0.5, y: 0.5, theta: 0 },
      },
      { kind: 'pick_place', from: { x: 0.5, y: 0.5, theta: 0 }, to: { x: 1.5, y: 0.5, theta: 0 } },
      { kind: 'throw', from: { x: 0.5, y: 0.5, theta: 0 }, to: { x: 0.5, y: 0.5, theta: 0 } },
    ];
    // Refused actions leave the scene as it was but use up steps: reset between them.
    for (const action of bad) {
      const again = env.reset({ seed: 3, task: 'rotate' });
      const r = env.step(action as unknown as Action);
      expect(r.info.invalidAction?.code).toBe('INVALID_ACTION');
      expect(r.done).toBe(false);
      expect(r.observation.step).toBe(1);
      expect(r.observation.objects).toEqual(again.objects);
      expect(again.objects).toEqual(obs.objects);
    }
    expect(env.episode.step).toBe(1);
  });

  it('treats an action on empty space as legal and changing nothing', () => {
    const obs = env.reset({ seed: 5, task: 'visual_manipulation' });
    const empty = { x: 0.01, y: 0.01, theta: 0 };
    const r = env.step({ kind: 'pick_place', from: empty, to: { x: 0.9, y: 0.9, theta: 1 } });
    expect(r.info.invalidAction).toBeUndefined();
    expect(r.info['picked']).toBeNull();
    expect(r.observation.step).toBe(1);
    expect(r.observation.objects).toEqual(obs.objects);
  });

  it('ends at the step limit (oracle steps + 2) without success', () => {
    const obs = env.reset({ seed: 9, task: 'rotate' });
    const target = obs.objects?.[0];
    if (!target) throw new Error('no objects');
    const still: Action = {
      kind: 'push',
      from: { x: 0.02, y: 0.98, theta: 0 },
      to: { x: 0.03, y: 0.98, theta: 0 },
    };
    expect(env.episode.maxSteps).toBe(3);
    const outcomes = [env.step(still), env.step(still), env.step(still)].map((r) => [
      r.done,
      r.info.outcome,
    ]);
    expect(outcomes).toEqual([
      [false, 'running'],
      [false, 'running'],
      [true, 'step_limit'],
    ]);
    expect(codeOf(() => env.step(still))).toBe('TABLETOP_EPISODE_DONE');
  });

  it('raises typed errors for misuse', async () => {
    const fresh = await TabletopEnv.create();
    expect(
      codeOf(() =>
        fresh.step({ kind: 'push', from: { x: 0, y: 0, theta: 0 }, to: { x: 1, y: 1, theta: 0 } }),
      ),
    ).toBe('TABLETOP_NOT_RESET');
    expect(codeOf(() => fresh.reset({ seed: 1, task: 'juggle' }))).toBe('TABLETOP_UNKNOWN_TASK');
    expect(codeOf(() => fresh.reset({ seed: 1, task: 'rotate', partition: 'L9' }))).toBe(
      'TABLETOP_UNKNOWN_PARTITION',
    );
    expect(codeOf(() => fresh.reset({ seed: 1.5, task: 'rotate' }))).toBe(
      'TABLETOP_INVALID_OPTION',
    );
  });

  it('renders at configured sizes', async () => {
    const big = await TabletopEnv.create({
      views: { top: { width: 96, height: 96 }, front: { width: 160, height: 80 } },
    });
    const obs = big.reset({ seed: 1, task: 'rotate' });
    expect([obs.views.top.width, obs.views.front.width, obs.views.front.height]).toEqual([
      96, 160, 80,
    ]);
    big.close();
  });
});
