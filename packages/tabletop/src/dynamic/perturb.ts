import { isActllmError, type ObjectState, type Pose, type Rng } from '@actllm/core';
import { footprintRadius, getShape } from '../objects/shapes.js';
import type { PhysicsScene } from '../physics/scene.js';
import { isInside, objectScale, scaleOf } from '../tasks/common.js';
import { goalIds } from '../tasks/goal-ids.js';
import { placeFree, type Disc } from '../tasks/placement.js';
import type { PartitionSpec } from '../tasks/types.js';
import type { PerturbationKind } from './schedule.js';

/** What a perturbation did, reported in `info.perturbation`. */
export interface Perturbation {
  readonly kind: PerturbationKind;
  /** The object displaced, knocked over, moved or added. */
  readonly object: string;
  /** Where it was put (not set for `knock_over`, which leaves it where it stood). */
  readonly to?: Pose;
}

export interface PerturbContext {
  readonly scene: PhysicsScene;
  readonly objects: readonly ObjectState[];
  readonly goal: unknown;
  readonly partition: PartitionSpec;
  /** Areas a moved or added object must keep clear of (goal spots of the task). */
  readonly reserved: readonly Disc[];
  /** Objects never moved: their pose is part of the task's rule (an obstacle not to touch). */
  readonly keep: readonly string[];
  readonly rng: Rng;
}

/** Base height under which an object counts as standing on the table or a container floor. */
const LOW = 0.015;

const isContainer = (o: ObjectState): boolean => getShape(o.shape).container !== undefined;

/** Markings are paint on the table, and kept objects are part of the rule: neither is moved. */
const fixed = (ctx: PerturbContext, o: ObjectState): boolean =>
  getShape(o.shape).marking === true || ctx.keep.includes(o.id);

/** True when another object rests on `o` (moving it would wreck a stack, not one step). */
function supports(o: ObjectState, objects: readonly ObjectState[]): boolean {
  const r = footprintRadius(getShape(o.shape), scaleOf(o));
  return objects.some(
    (p) =>
      p.id !== o.id &&
      p.z > o.z + o.size.z / 2 &&
      Math.hypot(p.pose.x - o.pose.x, p.pose.y - o.pose.y) < r,
  );
}

/** The candidates of the goal if there are any (a perturbation should matter), else all. */
function preferGoal(candidates: ObjectState[], goal: unknown): ObjectState[] {
  const ids = new Set(goalIds(goal));
  const relevant = candidates.filter((o) => ids.has(o.id));
  return relevant.length > 0 ? relevant : candidates;
}

function freeSpot(ctx: PerturbContext, shape: string, scale: number): Pose {
  const taken: Disc[] = [
    ...ctx.reserved,
    ...ctx.objects.map((o) => ({
      x: o.pose.x,
      y: o.pose.y,
      r: footprintRadius(getShape(o.shape), scaleOf(o)),
    })),
  ];
  return placeFree(ctx.rng, shape, scale, taken);
}

function movable(ctx: PerturbContext): ObjectState[] {
  const small = ctx.objects.filter(
    (o) => !isContainer(o) && !fixed(ctx, o) && !supports(o, ctx.objects),
  );
  return preferGoal(small, ctx.goal);
}

function displace(ctx: PerturbContext): Perturbation | null {
  const list = movable(ctx);
  if (list.length === 0) return null;
  const o = ctx.rng.pick(list);
  const to = freeSpot(ctx, o.shape, scaleOf(o));
  ctx.scene.teleport(o.id, to);
  return { kind: 'displace', object: o.id, to };
}

/**
 * Knocks over an object standing low (on the table or a container floor). One resting on
 * another object is left alone: tipped on a stack it would look like a stacked object, since
 * ground truth has no tilt, and a policy could not tell why its next stack slid off.
 */
function knockOver(ctx: PerturbContext): Perturbation | null {
  const list = movable(ctx).filter((o) => o.z < LOW);
  if (list.length === 0) return null;
  const o = ctx.rng.pick(list);
  ctx.scene.tip(o.id);
  return { kind: 'knock_over', object: o.id };
}

/**
 * Slides a container (the goal's, when it has one) to a free spot, carrying what is in it:
 * the place to put things moves, what was already put in stays put in.
 */
function moveContainer(ctx: PerturbContext): Perturbation | null {
  const containers = ctx.objects.filter((o) => isContainer(o) && !fixed(ctx, o));
  if (containers.length === 0) return null;
  const c = ctx.rng.pick(preferGoal(containers, ctx.goal));
  const inside = ctx.objects.filter((o) => !isContainer(o) && isInside(o, c));
  const spot = freeSpot(ctx, c.shape, scaleOf(c));
  const ids = [c.id, ...inside.map((o) => o.id)];
  ctx.scene.translate(ids, spot.x - c.pose.x, spot.y - c.pose.y);
  return { kind: 'move_container', object: c.id, to: { ...spot, theta: c.pose.theta } };
}

/** Adds an object whose shape and colour are both new to the scene, so no reference changes. */
function addDistractor(ctx: PerturbContext): Perturbation | null {
  const shapes = new Set(ctx.objects.map((o) => o.shape));
  const colors = new Set(ctx.objects.map((o) => o.color));
  const looks = ctx.partition.looks.filter((l) => !shapes.has(l.shape) && !colors.has(l.color));
  if (looks.length === 0) return null;
  const look = ctx.rng.pick(looks);
  const scale = objectScale(ctx.rng);
  const to = freeSpot(ctx, look.shape, scale);
  const id = `obj${ctx.scene.objects.length}`;
  ctx.scene.add({ id, ...look, scale, pose: to });
  return { kind: 'add_distractor', object: id, to };
}

const APPLY: Readonly<Record<PerturbationKind, (ctx: PerturbContext) => Perturbation | null>> = {
  displace,
  add_distractor: addDistractor,
  move_container: moveContainer,
  knock_over: knockOver,
};

/** Applies a perturbation, falling back to `displace` when the kind has nothing to act on. */
export function applyPerturbation(
  kind: PerturbationKind,
  ctx: PerturbContext,
): Perturbation | null {
  try {
    return APPLY[kind](ctx) ?? (kind === 'displace' ? null : displace(ctx));
  } catch (e) {
    // A scene too crowded for a free spot is left alone: skipping is a valid schedule outcome.
    if (isActllmError(e, 'TABLETOP_SAMPLING_FAILED')) return null;
    throw e;
  }
}
