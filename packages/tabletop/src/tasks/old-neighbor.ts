import type { Point2, Pose, Rng } from '@actllm/core';
import { TabletopError } from '../errors.js';
import type { SpawnSpec } from '../physics/spec.js';
import {
  clearIntruder,
  findObject,
  isInside,
  noIntruders,
  objectScale,
  pickLooks,
  spawnFree,
  stay,
} from './common.js';
import { discOf, placeFree, type Disc } from './placement.js';
import { instructionOf, refer } from './refer.js';
import { TWO_SLOT_SCALE, putInSlot, twoSlotContainers } from './slots.js';
import type { AssetSpec, TaskFamily, TaskState } from './types.js';

export interface OldNeighborGoal {
  readonly first: string;
  /** The object that was next to `first` at the start, in `direction`. */
  readonly second: string;
  readonly container: string;
  readonly direction: Direction;
}

/** Directions in the top view: left and right along x, front (towards the front camera) and back along y. */
export const DIRECTIONS = ['left', 'right', 'front', 'back'] as const;
export type Direction = (typeof DIRECTIONS)[number];

const UNIT: Readonly<Record<Direction, Point2>> = {
  left: { x: -1, y: 0 },
  right: { x: 1, y: 0 },
  front: { x: 0, y: -1 },
  back: { x: 0, y: 1 },
};
const WORDS: Readonly<Record<Direction, string>> = {
  left: 'to its left',
  right: 'to its right',
  front: 'in front of it',
  back: 'behind it',
};

const TEMPLATES = [
  'First put the {first} into the {container}, then put the object that was {where} into the same {container}.',
];
const PAIR_SCALE = 0.9; // both end in one container, side by side (see slots.ts)

/** True when `p` lies in the 90-degree cone from `a` in direction `d`. */
export function inCone(a: Point2, p: Point2, d: Direction): boolean {
  const u = UNIT[d];
  const along = (p.x - a.x) * u.x + (p.y - a.y) * u.y;
  const across = -(p.x - a.x) * u.y + (p.y - a.y) * u.x;
  return along > 0 && Math.abs(across) < along;
}

/** The first object, and its neighbour 0.13-0.2 away in direction `d`. */
function placePair(rng: Rng, shapes: [string, string], d: Direction, taken: Disc[]): [Pose, Pose] {
  const u = UNIT[d];
  for (let attempt = 0; attempt < 200; attempt++) {
    const trial = [...taken];
    const a = placeFree(rng, shapes[0], PAIR_SCALE, trial);
    const along = rng.float(0.13, 0.2);
    const across = rng.float(-0.03, 0.03);
    const n = {
      x: a.x + u.x * along - u.y * across,
      y: a.y + u.y * along + u.x * across,
      theta: rng.float(-Math.PI, Math.PI),
    };
    const disc = discOf(shapes[1], PAIR_SCALE, n);
    const m = 0.04 + disc.r;
    const inside = n.x > m && n.x < 1 - m && n.y > m && n.y < 1 - m;
    if (inside && trial.every((o) => Math.hypot(o.x - n.x, o.y - n.y) > o.r + disc.r + 0.02)) {
      taken.push(...trial.slice(taken.length), disc);
      return [a, n];
    }
  }
  throw new TabletopError(
    'TABLETOP_SAMPLING_FAILED',
    `Could not place an object with a neighbour ${WORDS[d]}.`,
  );
}

/** A distractor anywhere but in the first object's cone (so the neighbour is unique). */
function placeAway(
  rng: Rng,
  shape: string,
  scale: number,
  a: Pose,
  d: Direction,
  taken: Disc[],
): Pose {
  for (let attempt = 0; attempt < 200; attempt++) {
    const trial = [...taken];
    const p = placeFree(rng, shape, scale, trial);
    if (!inCone(a, p, d)) {
      taken.push(...trial.slice(taken.length));
      return p;
    }
  }
  throw new TabletopError(
    'TABLETOP_SAMPLING_FAILED',
    `Could not place a ${shape} outside the cone.`,
  );
}

/** Index of the first state in the episode memory (after reset) where `id` is in the container. */
function firstInside(goal: OldNeighborGoal, state: TaskState, id: string): number {
  const history = state.history ?? [state.objects];
  for (let i = 1; i < history.length; i++) {
    const objects = history[i] ?? [];
    const o = findObject(objects, id);
    const c = findObject(objects, goal.container);
    if (o && c && isInside(o, c)) return i;
  }
  return Infinity;
}

/** The neighbour went in before the first object did: the order is broken for good. */
function outOfOrder(goal: OldNeighborGoal, state: TaskState): boolean {
  const second = firstInside(goal, state, goal.second);
  return second !== Infinity && second <= firstInside(goal, state, goal.first);
}

/**
 * "First put the red block into the frame, then put the object that was to its left into the
 * same frame.": the direction is one of four, and the first object must go in first, so once
 * it has moved, "its left" exists only in the memory of the first scene.
 */
export const manipulateOldNeighbor: TaskFamily<OldNeighborGoal> = {
  name: 'manipulate_old_neighbor',
  templates: TEMPLATES,
  sample(rng, partition) {
    const box = {
      shape: rng.pick(twoSlotContainers(partition.containerShapes)),
      color: rng.pick(partition.containerColors),
    };
    const direction = rng.pick(DIRECTIONS);
    // Two or three distractors besides the pair: a guess from the scene as it is now rarely
    // finds the old neighbour.
    const [first, neighbour, ...others] = pickLooks(rng, partition.looks, 2 + rng.int(2, 4));
    if (!first || !neighbour) throw new Error('unreachable: pickLooks returned too few');
    const taken: Disc[] = [];
    const container = spawnFree(rng, taken, 'obj0', box.shape, box.color, TWO_SLOT_SCALE);
    const [a, n] = placePair(rng, [first.shape, neighbour.shape], direction, taken);
    const scene: SpawnSpec[] = [
      container,
      { id: 'obj1', ...first, scale: PAIR_SCALE, pose: a },
      { id: 'obj2', ...neighbour, scale: PAIR_SCALE, pose: n },
    ];
    for (const l of others) {
      const scale = objectScale(rng);
      const pose = placeAway(rng, l.shape, scale, a, direction, taken);
      scene.push({ id: `obj${scene.length}`, ...l, scale, pose });
    }
    const assets: Record<string, AssetSpec> = {};
    const firstWords = refer(rng, first, partition, 'first', assets);
    const boxWords = refer(rng, box, partition, 'container', assets);
    const text = (TEMPLATES[0] ?? '')
      .replace('{first}', firstWords)
      .replace('{where}', WORDS[direction])
      .replaceAll('{container}', boxWords);
    return {
      scene,
      instruction: instructionOf(text, assets),
      goal: { first: 'obj1', second: 'obj2', container: 'obj0', direction },
      oracleSteps: 2,
    };
  },
  success(goal, state) {
    const c = findObject(state.objects, goal.container);
    const both = [goal.first, goal.second];
    return (
      !!c &&
      both.every((id) => {
        const o = findObject(state.objects, id);
        return !!o && isInside(o, c);
      }) &&
      noIntruders(state.objects, c, both) &&
      !outOfOrder(goal, state)
    );
  },
  failed(goal, state) {
    return outOfOrder(goal, state);
  },
  oracle(goal, state) {
    const c = findObject(state.objects, goal.container);
    if (!c) throw new Error(`unreachable: ${goal.container} missing from the scene`);
    const clear = clearIntruder(state.objects, c, [goal.first, goal.second]);
    if (clear) return clear;
    for (const [slot, id] of [goal.first, goal.second].entries()) {
      const o = findObject(state.objects, id);
      if (o && !isInside(o, c)) return putInSlot(o, c, slot, 2);
    }
    const o = findObject(state.objects, goal.first);
    if (!o) throw new Error('unreachable: first object missing');
    return stay(o);
  },
};
