import { distance, type ObjectState, type Pose } from '@actllm/core';
import type { SpawnSpec } from '../physics/spec.js';
import { findObject, moveTo, objectScale, pickLooks, spawnFree, stay } from './common.js';
import { placeFree, type Disc } from './placement.js';
import { instructionOf, refer } from './refer.js';
import type { AssetSpec, TaskFamily, TaskState } from './types.js';

export interface FollowMotionGoal {
  readonly target: string;
  /** The positions to visit, in order. */
  readonly path: readonly Pose[];
}

/** How close the target must come to a shown position to count as visiting it. */
export const VISIT_TOLERANCE = 0.03;
const SPOT_CLEARANCE = 0.07;
const TEMPLATES = [
  'Follow this motion for the {target}: {frames}.',
  'Move the {target} like this: {frames}.',
];

/**
 * How many positions of the path the target has visited in order: a walk over the episode
 * memory (every state after a step), so a visit counts even if the object was knocked away
 * right after.
 */
export function visited(goal: FollowMotionGoal, state: TaskState): number {
  let k = 0;
  for (const objects of (state.history ?? [state.objects]).slice(1)) {
    const t = findObject(objects, goal.target);
    const next = goal.path[k];
    if (t && next && distance(t.pose, next) <= VISIT_TOLERANCE) k += 1;
  }
  return k;
}

/**
 * "Follow this motion for the heart: {frame1} {frame2} {frame3}.": each frame shows the scene
 * with the target at the next position; the positions must be visited in that order.
 */
export const followMotion: TaskFamily<FollowMotionGoal> = {
  name: 'follow_motion',
  templates: TEMPLATES,
  sample(rng, partition) {
    const [target, ...others] = pickLooks(rng, partition.looks, 1 + rng.int(1, 3));
    if (!target) throw new Error('unreachable: pickLooks returned too few');
    const taken: Disc[] = [];
    const scene: SpawnSpec[] = [target, ...others].map((l, i) =>
      spawnFree(rng, taken, `obj${i}`, l.shape, l.color, objectScale(rng)),
    );
    const first = scene[0];
    if (!first) throw new Error('unreachable: empty scene');
    const path = Array.from({ length: rng.int(2, 4) }, () =>
      placeFree(rng, first.shape, first.scale, taken),
    );
    const assets: Record<string, AssetSpec> = {};
    path.forEach((pose, i) => {
      assets[`frame${i + 1}`] = {
        kind: 'scene',
        objects: scene.map((s) => (s.id === first.id ? { ...s, pose } : s)),
      };
    });
    const frames = path.map((_, i) => `{frame${i + 1}}`).join(' ');
    const text = rng
      .pick(TEMPLATES)
      .replace('{target}', refer(rng, target, partition, 'target', assets))
      .replace('{frames}', frames);
    return {
      scene,
      instruction: instructionOf(text, assets),
      goal: { target: 'obj0', path },
      oracleSteps: path.length,
    };
  },
  success(goal, state) {
    return visited(goal, state) >= goal.path.length;
  },
  reserved(goal) {
    return goal.path.map((p) => ({ x: p.x, y: p.y, r: SPOT_CLEARANCE }));
  },
  oracle(goal, state) {
    const t: ObjectState | undefined = findObject(state.objects, goal.target);
    if (!t) throw new Error(`unreachable: ${goal.target} missing from the scene`);
    const next = goal.path[visited(goal, state)];
    return next ? moveTo(t, next) : stay(t);
  },
};
