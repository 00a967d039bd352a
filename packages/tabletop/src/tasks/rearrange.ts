import { distance, symmetricAngleDistance, angleDifference, type Pose } from '@actllm/core';
import type { TaskFamily } from './types.js';
import { pickLooks, findObject, moveTo, objectScale, spawnFree, stay } from './common.js';
import { getShape } from '../objects/shapes.js';
import { discOf, placeFree, type Disc } from './placement.js';
import type { SpawnSpec } from '../physics/spec.js';

export interface RearrangeGoal {
  /** Goal pose of every object shown in the goal scene. */
  readonly targets: readonly { readonly id: string; readonly pose: Pose }[];
}

export const REARRANGE_TOLERANCE = { position: 0.03, yaw: (15 * Math.PI) / 180 } as const;
/** Radius kept clear around each goal spot by dynamic perturbations (the largest footprint). */
const GOAL_CLEARANCE = 0.07;
const TEMPLATES = [
  'Rearrange to this {scene}.',
  'Rearrange the objects to match this {scene}.',
] as const;

export function atGoal(o: { pose: Pose; shape: string }, goal: Pose): boolean {
  const order = getShape(o.shape).symmetry;
  const yawOk =
    order === 0 ||
    symmetricAngleDistance(o.pose.theta, goal.theta, order) <= REARRANGE_TOLERANCE.yaw;
  return yawOk && distance(o.pose, goal) <= REARRANGE_TOLERANCE.position;
}

/**
 * "Rearrange to this {scene}.": two or three objects must reach the poses shown in the goal
 * scene (which leaves out the distractor). Goal spots are clear of every start spot, so the
 * oracle can move the objects in any order.
 */
export const rearrange: TaskFamily<RearrangeGoal> = {
  name: 'rearrange',
  templates: TEMPLATES,
  sample(rng, partition) {
    const moved = rng.int(2, 4);
    const looks = pickLooks(rng, partition.looks, moved + 1);
    const taken: Disc[] = [];
    const scene: SpawnSpec[] = looks.map((l, i) =>
      spawnFree(rng, taken, `obj${i}`, l.shape, l.color, objectScale(rng)),
    );
    const occupied: Disc[] = scene.map((s) => discOf(s.shape, s.scale, s.pose));
    const goalObjects: SpawnSpec[] = scene
      .slice(0, moved)
      .map((s) => ({ ...s, pose: placeFree(rng, s.shape, s.scale, occupied) }));
    return {
      scene,
      instruction: {
        text: rng.pick(TEMPLATES),
        assets: { scene: { kind: 'scene', objects: goalObjects } },
      },
      goal: { targets: goalObjects.map((g) => ({ id: g.id, pose: g.pose })) },
      oracleSteps: moved,
    };
  },
  success(goal, state) {
    return goal.targets.every((t) => {
      const o = findObject(state.objects, t.id);
      return !!o && atGoal(o, t.pose);
    });
  },
  reserved(goal) {
    return goal.targets.map((t) => ({ x: t.pose.x, y: t.pose.y, r: GOAL_CLEARANCE }));
  },
  oracle(goal, state) {
    for (const t of goal.targets) {
      const o = findObject(state.objects, t.id);
      if (o && !atGoal(o, t.pose))
        return moveTo(o, t.pose, angleDifference(o.pose.theta, t.pose.theta));
    }
    const first = findObject(state.objects, goal.targets[0]?.id ?? '');
    if (!first) throw new Error('unreachable: rearrange goal without objects');
    return stay(first);
  },
};
