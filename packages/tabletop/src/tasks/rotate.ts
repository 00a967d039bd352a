import {
  angleDifference,
  distance,
  normalizeAngle,
  symmetricAngleDistance,
  type Action,
  type ObjectState,
} from '@actllm/core';
import type { AssetSpec, TaskFamily } from './types.js';
import { findObject, moveTo, objectScale, pickLook, pickLooks, spawnFree } from './common.js';
import { instructionOf, refer } from './refer.js';
import { getShape } from '../objects/shapes.js';
import type { Disc } from './placement.js';
import type { SpawnSpec } from '../physics/spec.js';

export interface RotateGoal {
  readonly target: string;
  /** Counter-clockwise, radians. */
  readonly angle: number;
}

/** Yaw tolerance and how far the object may drift while turning. */
export const ROTATE_TOLERANCE = { yaw: (10 * Math.PI) / 180, position: 0.02 } as const;
const ANGLES_DEG = [30, 45, 60, 90, 120, 135, 150] as const;
const TEMPLATES = [
  'Rotate the {target} {angle} degrees.',
  'Turn the {target} by {angle} degrees counter-clockwise.',
] as const;

/** "Rotate the yellow heart 120 degrees.": turn one object in place. */
export const rotate: TaskFamily<RotateGoal> = {
  name: 'rotate',
  templates: TEMPLATES,
  sample(rng, partition) {
    // Only shapes whose symmetry does not make the requested turn invisible (order 1 or 2).
    const turnable = partition.looks.filter((l) => [1, 2].includes(getShape(l.shape).symmetry));
    const taken: Disc[] = [];
    const target = pickLook(rng, turnable);
    const unique = pickLooks(rng, partition.looks, rng.int(1, 4), [target]);
    const scene: SpawnSpec[] = [
      spawnFree(rng, taken, 'obj0', target.shape, target.color, objectScale(rng)),
      ...unique.map((o, i) =>
        spawnFree(rng, taken, `obj${i + 1}`, o.shape, o.color, objectScale(rng)),
      ),
    ];
    const deg = rng.pick(ANGLES_DEG);
    const assets: Record<string, AssetSpec> = {};
    const text = rng
      .pick(TEMPLATES)
      .replace('{target}', refer(rng, target, partition, 'target', assets))
      .replace('{angle}', String(deg));
    return {
      scene,
      instruction: instructionOf(text, assets),
      goal: { target: 'obj0', angle: (deg * Math.PI) / 180 },
      oracleSteps: 1,
    };
  },
  success(goal, state) {
    const now = findObject(state.objects, goal.target);
    const start = findObject(state.initial, goal.target);
    return !!now && !!start && isTurned(now, start, goal.angle);
  },
  reserved(goal, state) {
    const start = findObject(state.initial, goal.target);
    return start ? [{ x: start.pose.x, y: start.pose.y, r: 0.07 }] : [];
  },
  oracle(goal, state) {
    const now = findObject(state.objects, goal.target);
    const start = findObject(state.initial, goal.target);
    if (!now || !start) throw new Error(`unreachable: ${goal.target} missing from the scene`);
    return turnInPlace(now, start, goal.angle);
  },
};

/** True when `now` stands where `start` stood, turned by `angle` (modulo its symmetry). */
export function isTurned(now: ObjectState, start: ObjectState, angle: number): boolean {
  const order = getShape(now.shape).symmetry;
  const wanted = normalizeAngle(start.pose.theta + angle);
  return (
    symmetricAngleDistance(now.pose.theta, wanted, Math.max(1, order)) <= ROTATE_TOLERANCE.yaw &&
    distance(now.pose, start.pose) <= ROTATE_TOLERANCE.position
  );
}

/** Puts `now` back on `start`'s spot, turned to `start`'s yaw plus `angle`. */
export function turnInPlace(now: ObjectState, start: ObjectState, angle: number): Action {
  const wanted = normalizeAngle(start.pose.theta + angle);
  return moveTo(now, start.pose, angleDifference(now.pose.theta, wanted));
}
