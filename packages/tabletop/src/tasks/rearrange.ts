import { distance, symmetricAngleDistance, angleDifference, type Pose } from '@actllm/core';
import type { TaskFamily, TaskState } from './types.js';
import { pickLooks, findObject, moveTo, objectScale, spawnFree, stay } from './common.js';
import type { Action, ObjectState } from '@actllm/core';
import { getShape } from '../objects/shapes.js';
import { discOf, discsOf, firstFreeSpot, placeFree, type Disc } from './placement.js';
import type { SpawnSpec } from '../physics/spec.js';

export interface RearrangeGoal {
  /** Goal pose of every object shown in the goal scene. */
  readonly targets: readonly { readonly id: string; readonly pose: Pose }[];
  /** The distractor, which the goal scene leaves out (it starts on a goal spot half the time). */
  readonly distractor?: string;
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

/** Half the time the distractor starts on a goal spot, when it fits there clear of the rest. */
function blockGoal(
  rng: Parameters<TaskFamily['sample']>[0],
  scene: SpawnSpec[],
  goals: SpawnSpec[],
): SpawnSpec[] {
  const distractor = scene[scene.length - 1];
  if (!distractor || !rng.bool()) return scene;
  const spot = rng.pick(goals).pose;
  const disc = discOf(distractor.shape, distractor.scale, spot);
  const others = scene.slice(0, -1).map((s) => discOf(s.shape, s.scale, s.pose));
  const otherGoals = goals
    .filter((g) => g.pose !== spot)
    .map((g) => discOf(g.shape, g.scale, g.pose));
  const clear = [...others, ...otherGoals].every(
    (d) => Math.hypot(d.x - disc.x, d.y - disc.y) > d.r + disc.r + 0.02,
  );
  return clear ? [...scene.slice(0, -1), { ...distractor, pose: spot }] : scene;
}

/** An object other than `o` that covers the goal pose of `o`, if any. */
function covering(
  o: ObjectState,
  goal: Pose,
  objects: readonly ObjectState[],
): ObjectState | undefined {
  const mine = discsOf([{ ...o, pose: goal }])[0]?.r ?? 0;
  return objects.find((other) => {
    const d = discsOf([other])[0];
    return other.id !== o.id && !!d && Math.hypot(d.x - goal.x, d.y - goal.y) < d.r + mine;
  });
}

/**
 * The oracle's next move towards `targets`: clear a goal spot that another object covers,
 * else move the first object that is not at its pose; undefined when all are. Cleared
 * objects go to a spot clear of every object, every goal spot and every start spot.
 */
export function arrangeStep(
  targets: readonly { readonly id: string; readonly pose: Pose }[],
  state: TaskState,
  keepClear: readonly { readonly id: string; readonly pose: Pose }[],
): Action | undefined {
  const { objects } = state;
  for (const t of targets) {
    const o = findObject(objects, t.id);
    if (!o || atGoal(o, t.pose)) continue;
    const blocker = covering(o, t.pose, objects);
    if (blocker) {
      const ghosts = keepClear.flatMap((k) => {
        const g = findObject(objects, k.id);
        return g ? discsOf([{ ...g, pose: k.pose }]) : [];
      });
      const r = discsOf([blocker])[0]?.r ?? 0.05;
      return moveTo(blocker, firstFreeSpot(r, [...discsOf(objects), ...ghosts]));
    }
    return moveTo(o, t.pose, angleDifference(o.pose.theta, t.pose.theta));
  }
  return undefined;
}

/** Goal and start poses of the goal objects: the spots a cleared object must keep off. */
export function allSpots(goal: RearrangeGoal, state: TaskState): { id: string; pose: Pose }[] {
  const starts = goal.targets.flatMap((t) => {
    const o = findObject(state.initial, t.id);
    return o ? [{ id: t.id, pose: o.pose }] : [];
  });
  return [...goal.targets, ...starts];
}

/**
 * "Rearrange to this {scene}.": two or three objects must reach the poses shown in the goal
 * scene (which leaves out the distractor). Goal spots are clear of every start spot of the
 * goal objects, so they can move in any order; half the time the distractor stands on a goal
 * spot and must be moved off first (as in VIMA-Bench).
 */
export const rearrange: TaskFamily<RearrangeGoal> = {
  name: 'rearrange',
  templates: TEMPLATES,
  sample(rng, partition) {
    const moved = rng.int(2, 4);
    const looks = pickLooks(rng, partition.looks, moved + 1);
    const taken: Disc[] = [];
    const start: SpawnSpec[] = looks.map((l, i) =>
      spawnFree(rng, taken, `obj${i}`, l.shape, l.color, objectScale(rng)),
    );
    const occupied: Disc[] = start.map((s) => discOf(s.shape, s.scale, s.pose));
    const goalObjects: SpawnSpec[] = start
      .slice(0, moved)
      .map((s) => ({ ...s, pose: placeFree(rng, s.shape, s.scale, occupied) }));
    const scene = blockGoal(rng, start, goalObjects);
    const blocked = scene !== start;
    return {
      scene,
      instruction: {
        text: rng.pick(TEMPLATES),
        assets: { scene: { kind: 'scene', objects: goalObjects } },
      },
      goal: {
        targets: goalObjects.map((g) => ({ id: g.id, pose: g.pose })),
        distractor: `obj${moved}`,
      },
      oracleSteps: moved + (blocked ? 1 : 0),
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
    const move = arrangeStep(goal.targets, state, allSpots(goal, state));
    if (move) return move;
    const first = findObject(state.objects, goal.targets[0]?.id ?? '');
    if (!first) throw new Error('unreachable: rearrange goal without objects');
    return stay(first);
  },
};
