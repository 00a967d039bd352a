import type { Pose, Rng } from '@actllm/core';
import { TabletopError } from '../errors.js';
import type { SpawnSpec } from '../physics/spec.js';
import {
  describe,
  findObject,
  isInside,
  objectScale,
  pickLooks,
  spawnFree,
  stay,
} from './common.js';
import { discOf, placeFree, type Disc } from './placement.js';
import { instructionOf, refer } from './refer.js';
import { TWO_SLOT_SCALE, putInSlot, twoSlotContainers } from './slots.js';
import type { AssetSpec, TaskFamily } from './types.js';

export interface OldNeighborGoal {
  readonly first: string;
  /** The object that was left of `first` at the start. */
  readonly second: string;
  readonly container: string;
}

const TEMPLATES = [
  'First put the {first} into the {container}, then put the object that was to its left into the same {container}.',
];
const PAIR_SCALE = 0.9; // both end in one container, side by side (see slots.ts)

/** True when `p` lies in the 90-degree cone to the left (smaller x) of `a`. */
function leftOf(a: Pose, p: { x: number; y: number }): boolean {
  const dx = a.x - p.x;
  return dx > 0 && Math.abs(p.y - a.y) < dx;
}

/** The first object, and its neighbour 0.13-0.2 to its left at about the same y. */
function placePair(rng: Rng, shapes: [string, string], taken: Disc[]): [Pose, Pose] {
  for (let attempt = 0; attempt < 200; attempt++) {
    const trial = [...taken];
    const a = placeFree(rng, shapes[0], PAIR_SCALE, trial);
    const n = {
      x: a.x - rng.float(0.13, 0.2),
      y: a.y + rng.float(-0.03, 0.03),
      theta: rng.float(-Math.PI, Math.PI),
    };
    const disc = discOf(shapes[1], PAIR_SCALE, n);
    const inside = disc.x - disc.r > 0.04 && disc.y - disc.r > 0.04 && disc.y + disc.r < 0.96;
    if (inside && trial.every((d) => Math.hypot(d.x - n.x, d.y - n.y) > d.r + disc.r + 0.02)) {
      taken.push(...trial.slice(taken.length), disc);
      return [a, n];
    }
  }
  throw new TabletopError(
    'TABLETOP_SAMPLING_FAILED',
    'Could not place an object with a left neighbour.',
  );
}

/** A distractor anywhere but in the first object's left cone (so the neighbour is unique). */
function placeAway(rng: Rng, shape: string, scale: number, a: Pose, taken: Disc[]): Pose {
  for (let attempt = 0; attempt < 200; attempt++) {
    const trial = [...taken];
    const p = placeFree(rng, shape, scale, trial);
    if (!leftOf(a, p)) {
      taken.push(...trial.slice(taken.length));
      return p;
    }
  }
  throw new TabletopError(
    'TABLETOP_SAMPLING_FAILED',
    `Could not place a ${shape} outside the left cone.`,
  );
}

/**
 * "First put the red block into the frame, then put the object that was to its left into the
 * same frame.": once the first object has moved, "its left" exists only in memory of the
 * first scene.
 */
export const manipulateOldNeighbor: TaskFamily<OldNeighborGoal> = {
  name: 'manipulate_old_neighbor',
  templates: TEMPLATES,
  sample(rng, partition) {
    const box = {
      shape: rng.pick(twoSlotContainers(partition.containerShapes)),
      color: rng.pick(partition.containerColors),
    };
    const [first, neighbour, ...others] = pickLooks(rng, partition.looks, 2 + rng.int(1, 3));
    if (!first || !neighbour) throw new Error('unreachable: pickLooks returned too few');
    const taken: Disc[] = [];
    const container = spawnFree(rng, taken, 'obj0', box.shape, box.color, TWO_SLOT_SCALE);
    const [a, n] = placePair(rng, [first.shape, neighbour.shape], taken);
    const scene: SpawnSpec[] = [
      container,
      { id: 'obj1', ...first, scale: PAIR_SCALE, pose: a },
      { id: 'obj2', ...neighbour, scale: PAIR_SCALE, pose: n },
    ];
    for (const l of others) {
      const scale = objectScale(rng);
      scene.push({
        id: `obj${scene.length}`,
        ...l,
        scale,
        pose: placeAway(rng, l.shape, scale, a, taken),
      });
    }
    const assets: Record<string, AssetSpec> = {};
    const text = (TEMPLATES[0] ?? '')
      .replace('{first}', refer(first, partition, 'first', assets))
      .replaceAll('{container}', describe(box));
    return {
      scene,
      instruction: instructionOf(text, assets),
      goal: { first: 'obj1', second: 'obj2', container: 'obj0' },
      oracleSteps: 2,
    };
  },
  success(goal, state) {
    const c = findObject(state.objects, goal.container);
    return (
      !!c &&
      [goal.first, goal.second].every((id) => {
        const o = findObject(state.objects, id);
        return !!o && isInside(o, c);
      })
    );
  },
  oracle(goal, state) {
    const c = findObject(state.objects, goal.container);
    if (!c) throw new Error(`unreachable: ${goal.container} missing from the scene`);
    for (const [slot, id] of [goal.first, goal.second].entries()) {
      const o = findObject(state.objects, id);
      if (o && !isInside(o, c)) return putInSlot(o, c, slot, 2);
    }
    const o = findObject(state.objects, goal.first);
    if (!o) throw new Error('unreachable: first object missing');
    return stay(o);
  },
};
