import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ObjectState, Pose } from '@actllm/core';
import { TabletopEnv, getShape, getTask } from '../src/index.js';

let env: TabletopEnv;
beforeAll(async () => {
  env = await TabletopEnv.create();
});
afterAll(() => env.close());

/** The objects with one of them moved to `pose`. */
function moved(objects: readonly ObjectState[], id: string, pose: Pose): ObjectState[] {
  return objects.map((o) => (o.id === id ? { ...o, pose, z: 0 } : o));
}

describe('memory and order rules', () => {
  it('follow_motion counts positions only in the shown order', () => {
    const obs = env.reset({ seed: 3, task: 'follow_motion', partition: 'L4' });
    const goal = env.episode.goal as { target: string; path: Pose[] };
    const initial = obs.objects ?? [];
    const at = (i: number): ObjectState[] => moved(initial, goal.target, goal.path[i] as Pose);
    const family = getTask('follow_motion');
    const reversed = [initial, ...goal.path.map((_, i) => at(goal.path.length - 1 - i))];
    const inOrder = [initial, ...goal.path.map((_, i) => at(i))];
    const state = (history: (readonly ObjectState[])[]) => ({
      objects: history[history.length - 1] ?? initial,
      initial,
      history,
    });
    expect(family.success(goal, state(reversed))).toBe(false);
    expect(family.success(goal, state(inOrder))).toBe(true);
  });

  it('rearrange_then_restore needs the goal reached before the restore', () => {
    const obs = env.reset({ seed: 4, task: 'rearrange_then_restore' });
    const goal = env.episode.goal as { targets: { id: string; pose: Pose }[] };
    const initial = obs.objects ?? [];
    let arranged = initial;
    for (const t of goal.targets) arranged = moved(arranged, t.id, t.pose);
    const family = getTask('rearrange_then_restore');
    expect(family.success(goal, { objects: initial, initial, history: [initial, initial] })).toBe(
      false,
    );
    const history = [initial, arranged, initial];
    expect(family.success(goal, { objects: initial, initial, history })).toBe(true);
  });

  it('manipulate_old_neighbor names the only object in the left cone of the first one', () => {
    for (let seed = 0; seed < 20; seed++) {
      const obs = env.reset({ seed, task: 'manipulate_old_neighbor' });
      const goal = env.episode.goal as { first: string; second: string };
      const objects = (obs.objects ?? []).filter((o) => !getShape(o.shape).container);
      const first = objects.find((o) => o.id === goal.first);
      if (!first) throw new Error('no first object');
      const left = objects.filter((o) => {
        const dx = first.pose.x - o.pose.x;
        return dx > 0 && Math.abs(o.pose.y - first.pose.y) < dx;
      });
      expect(left.map((o) => o.id)).toEqual([goal.second]);
    }
  });

  it('pick_in_order_then_restore starts the target in the unnamed frame', () => {
    const obs = env.reset({ seed: 5, task: 'pick_in_order_then_restore' });
    const goal = env.episode.goal as { target: string; visits: string[] };
    const start = obs.objects?.find((o) => o.id === goal.visits[2]);
    expect(start?.shape).toBe('frame');
    expect(obs.instruction.text.includes('frame')).toBe(false);
  });

  it('twist targets every object of the named colour, and only turnable ones', () => {
    for (let seed = 0; seed < 20; seed++) {
      const obs = env.reset({ seed, task: 'twist' });
      const goal = env.episode.goal as { targets: string[] };
      const objects = obs.objects ?? [];
      const colour = objects.find((o) => o.id === goal.targets[0])?.color ?? '';
      expect(obs.instruction.text).toContain(`${colour.replace(/_/g, ' ')} objects`);
      expect(objects.filter((o) => o.color === colour).map((o) => o.id)).toEqual(goal.targets);
      for (const o of objects.filter((x) => goal.targets.includes(x.id)))
        expect([1, 2]).toContain(getShape(o.shape).symmetry);
    }
  });

  it('novel_adj picks the larger or the smaller of two objects of one shape, as shown', () => {
    for (let seed = 0; seed < 10; seed++) {
      const obs = env.reset({ seed, task: 'novel_adj' });
      const goal = env.episode.goal as { target: string };
      const a = obs.instruction.assets?.['adj_a']?.objects[0];
      const b = obs.instruction.assets?.['adj_b']?.objects[0];
      const target = obs.objects?.find((o) => o.id === goal.target);
      const twin = obs.objects?.find((o) => o.shape === target?.shape && o.id !== target?.id);
      if (!a || !b || !target || !twin) throw new Error('missing objects');
      expect(a.size.x > b.size.x).toBe(target.size.x > twin.size.x);
    }
  });
});
