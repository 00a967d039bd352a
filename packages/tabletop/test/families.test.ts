import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ObjectState, Pose } from '@actllm/core';
import { TabletopEnv, getShape, getTask, isInside } from '../src/index.js';

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

  it('manipulate_old_neighbor names the only object in the cone of the first one, in the named direction', () => {
    const unit: Record<string, { x: number; y: number }> = {
      left: { x: -1, y: 0 },
      right: { x: 1, y: 0 },
      front: { x: 0, y: -1 },
      back: { x: 0, y: 1 },
    };
    const words: Record<string, string> = {
      left: 'to its left',
      right: 'to its right',
      front: 'in front of it',
      back: 'behind it',
    };
    for (let seed = 0; seed < 20; seed++) {
      const obs = env.reset({ seed, task: 'manipulate_old_neighbor' });
      const goal = env.episode.goal as { first: string; second: string; direction: string };
      const u = unit[goal.direction] ?? { x: 0, y: 0 };
      expect(obs.instruction.text).toContain(words[goal.direction]);
      const objects = (obs.objects ?? []).filter((o) => !getShape(o.shape).container);
      const first = objects.find((o) => o.id === goal.first);
      if (!first) throw new Error('no first object');
      const inCone = objects.filter((o) => {
        const along = (o.pose.x - first.pose.x) * u.x + (o.pose.y - first.pose.y) * u.y;
        const across = -(o.pose.x - first.pose.x) * u.y + (o.pose.y - first.pose.y) * u.x;
        return along > 0 && Math.abs(across) < along;
      });
      expect(inCone.map((o) => o.id)).toEqual([goal.second]);
    }
  });

  it('pick_in_order_then_restore starts the target inside a container it never names', () => {
    for (let seed = 0; seed < 10; seed++) {
      const obs = env.reset({ seed, task: 'pick_in_order_then_restore' });
      const goal = env.episode.goal as { target: string; visits: string[] };
      const objects = obs.objects ?? [];
      const start = objects.find((o) => o.id === goal.visits[2]);
      const target = objects.find((o) => o.id === goal.target);
      if (!start || !target) throw new Error('missing objects');
      expect(isInside(target, start), `seed ${seed}`).toBe(true);
      const words = `${start.color} ${start.shape}`;
      expect(obs.instruction.text.includes(words)).toBe(false);
    }
  });

  it('twist targets every object of the named colour, and only turnable ones', () => {
    for (let seed = 0; seed < 20; seed++) {
      const obs = env.reset({ seed, task: 'twist' });
      const goal = env.episode.goal as { targets: string[] };
      const objects = obs.objects ?? [];
      const colour = objects.find((o) => o.id === goal.targets[0])?.color ?? '';
      const words = `${colour.replace(/_/g, ' ')} objects`;
      const shown = obs.instruction.assets?.['color']?.objects[0]?.color;
      expect(obs.instruction.text.includes(words) || shown === colour).toBe(true);
      expect(objects.filter((o) => o.color === colour).map((o) => o.id)).toEqual(goal.targets);
      for (const o of objects.filter((x) => goal.targets.includes(x.id)))
        expect([1, 2]).toContain(getShape(o.shape).symmetry);
    }
  });
});
