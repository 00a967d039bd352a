import type { ObjectState } from '@actllm/core';
import type { SpawnSpec } from '../physics/spec.js';
import { getShape, shapeExtents } from '../objects/shapes.js';
import { findObject, moveTo, objectScale, pickLooks, spawnFree, stay } from './common.js';
import { discsOf, firstFreeSpot, type Disc } from './placement.js';
import type { AssetSpec, TaskFamily } from './types.js';

export interface FollowOrderGoal {
  /** Bottom first. */
  readonly order: readonly string[];
}

/** Single convex prisms with flat tops: they stack stably centre on centre. */
const STACKABLE = ['block', 'diamond', 'triangle', 'pentagon', 'hexagon'];
const CENTRE_TOLERANCE = 0.03;
const TEMPLATES = ['Stack objects in this order: {frames}.', 'Build a stack as shown: {frames}.'];

/** True when `upper` rests on `lower`: centred over it and above its top half. */
function restsOn(upper: ObjectState, lower: ObjectState): boolean {
  const dx = upper.pose.x - lower.pose.x;
  const dy = upper.pose.y - lower.pose.y;
  return Math.hypot(dx, dy) <= CENTRE_TOLERANCE && upper.z >= lower.z + 0.5 * lower.size.z;
}

/** How many objects from the bottom already stand in the shown order (1: just the base). */
function stackedPrefix(goal: FollowOrderGoal, objects: readonly ObjectState[]): number {
  let k = 1;
  while (k < goal.order.length) {
    const lower = findObject(objects, goal.order[k - 1] ?? '');
    const upper = findObject(objects, goal.order[k] ?? '');
    if (!lower || !upper || !restsOn(upper, lower)) break;
    k += 1;
  }
  return k;
}

/**
 * "Stack objects in this order: {frame1} {frame2} {frame3}.": frame k shows the first k
 * objects stacked on the first one's spot (the others where they start).
 */
export const followOrder: TaskFamily<FollowOrderGoal> = {
  name: 'follow_order',
  templates: TEMPLATES,
  sample(rng, partition) {
    const stackable = partition.looks.filter((l) => STACKABLE.includes(l.shape));
    const looks = pickLooks(rng, stackable, rng.int(2, 4));
    const distractor = pickLooks(rng, partition.looks, 1, looks);
    const taken: Disc[] = [];
    const scene: SpawnSpec[] = [...looks, ...distractor].map((l, i) =>
      spawnFree(rng, taken, `obj${i}`, l.shape, l.color, objectScale(rng)),
    );
    const base = scene[0];
    if (!base) throw new Error('unreachable: empty scene');
    const assets: Record<string, AssetSpec> = {};
    let z = 0;
    const stacked: SpawnSpec[] = [];
    looks.forEach((_, k) => {
      const s = scene[k];
      if (!s) return;
      stacked.push({ ...s, pose: { ...base.pose, theta: s.pose.theta }, z });
      z += shapeExtents(getShape(s.shape), s.scale).z;
      const rest = scene.filter((o) => !stacked.some((t) => t.id === o.id));
      assets[`frame${k + 1}`] = { kind: 'scene', objects: [...stacked, ...rest] };
    });
    const frames = looks.map((_, k) => `{frame${k + 1}}`).join(' ');
    return {
      scene,
      instruction: { text: rng.pick(TEMPLATES).replace('{frames}', frames), assets },
      goal: { order: looks.map((_, i) => `obj${i}`) },
      oracleSteps: looks.length - 1,
    };
  },
  success(goal, state) {
    return stackedPrefix(goal, state.objects) >= goal.order.length;
  },
  oracle(goal, state) {
    const k = stackedPrefix(goal, state.objects);
    const lower = findObject(state.objects, goal.order[k - 1] ?? '');
    const upper = findObject(state.objects, goal.order[k] ?? '');
    if (!lower || !upper) {
      const base = findObject(state.objects, goal.order[0] ?? '');
      if (!base) throw new Error('unreachable: follow_order goal without objects');
      return stay(base);
    }
    // Something out of order on top of the good part of the stack goes back to the table first.
    const onTop = state.objects.find((o) => o.id !== upper.id && restsOn(o, lower));
    if (onTop) {
      const spot = firstFreeSpot(discsOf([onTop])[0]?.r ?? 0.05, discsOf(state.objects));
      return moveTo(onTop, spot);
    }
    return moveTo(upper, lower.pose, 0);
  },
};
