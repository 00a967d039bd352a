import type { Action, ObjectState, Point2, Rng } from '@actllm/core';
import { TabletopError } from '../errors.js';
import { footprintRadius, getShape } from '../objects/shapes.js';
import type { SpawnSpec } from '../physics/spec.js';
import { specItem, toObjectState } from '../env/state.js';
import {
  containerCentre,
  findObject,
  isInside,
  isMarking,
  noIntruders,
  scaleOf,
} from './common.js';
export { isMarking } from './common.js';
import type { Disc } from './placement.js';
import { planPushes, pushClear, pushTo, type Puck } from './push-plan.js';
import type { PartitionSpec, TaskSample } from './types.js';

/** What the sweep families share in their goals: the blocks, the zone, the spots inside it. */
export interface SweepGoal {
  /** The blocks of the named look; `count` of them must end inside (all of them for "all"). */
  readonly targets: readonly string[];
  readonly count: number;
  readonly zone: string;
  /** Where the oracle puts the blocks, in the order it fills them (workspace points). */
  readonly slots: readonly Point2[];
}

/** A spot is free when a block put there stays this far from every other object. */
const BLOCK_CLEARANCE = 0.005;

/** Spawn specs seen as ground truth, for planning at sampling time. */
export function statesOf(specs: readonly SpawnSpec[]): ObjectState[] {
  return specs.map((s) => toObjectState(specItem(s).state, {}));
}

function puckOf(o: ObjectState): Puck {
  return { x: o.pose.x, y: o.pose.y, side: Math.min(o.size.x, o.size.y), theta: o.pose.theta };
}

/** How the rule wants the planner to keep clear: margin around each object, where blocks may go. */
export interface SweepRules {
  readonly margin: (o: ObjectState) => number;
  readonly allowed: (p: Point2) => boolean;
}

type Choice = { block: ObjectState; legs: readonly Point2[]; cost: number };

/**
 * Spots inside the zone on a 5 x 5 grid, 0.02 within its edge: where a block may also go
 * when a disturbance left no clear way to a slot (inside is all the rule asks).
 */
function zoneSpots(zone: ObjectState): Point2[] {
  const region = getShape(zone.shape).container;
  if (region?.kind !== 'rect') return [];
  const centre = containerCentre(zone);
  const hx = region.hx * scaleOf(zone) - 0.02;
  const hy = region.hy * scaleOf(zone) - 0.02;
  const c = Math.cos(zone.pose.theta);
  const s = Math.sin(zone.pose.theta);
  const steps = [-1, -0.5, 0, 0.5, 1];
  return steps.flatMap((i) =>
    steps.map((j) => ({
      x: centre.x + c * i * hx - s * j * hy,
      y: centre.y + s * i * hx + c * j * hy,
    })),
  );
}

interface Option {
  readonly block: ObjectState;
  readonly discs: readonly Disc[];
  /** Free spots, each with its rank: the goal's slots in order, then any spot in the zone. */
  readonly free: readonly { readonly spot: Point2; readonly rank: number }[];
}

/** Each block still outside the zone, what it must keep clear of, and where it may go. */
function options(
  goal: SweepGoal,
  zone: ObjectState,
  solid: readonly ObjectState[],
  rules: SweepRules,
): Option[] {
  const spots = [...goal.slots, ...zoneSpots(zone)];
  if (insideCount(goal, solid, zone) >= goal.count) return [];
  return solid
    .filter((o) => goal.targets.includes(o.id) && !isInside(o, zone))
    .map((block) => {
      const discs = discsAround(solid, block, rules);
      const r = BLOCK_CLEARANCE + Math.max(block.size.x, block.size.y) / Math.SQRT2;
      const free = spots
        .map((spot, i) => ({ spot, rank: i < goal.slots.length ? i * 0.1 : 1 }))
        .filter(({ spot }) => discs.every((d) => Math.hypot(d.x - spot.x, d.y - spot.y) > d.r + r));
      return { block, discs, free };
    });
}

/** The best single clear push into a free spot (a better rank, then a shorter way). */
function directPush(list: readonly Option[]): Choice | null {
  let best: Choice | null = null;
  for (const { block, discs, free } of list) {
    for (const { spot, rank } of free) {
      const cost = rank + Math.hypot(block.pose.x - spot.x, block.pose.y - spot.y);
      if ((!best || cost < best.cost) && pushClear(puckOf(block), spot, discs))
        best = { block, legs: [spot], cost };
    }
  }
  return best;
}

/** The best two-push plan; failing that, the partial plan that ends nearest a free spot. */
function plannedPush(list: readonly Option[], rules: SweepRules): Choice | null {
  let best: Choice | null = null;
  let partial: Choice | null = null;
  for (const { block, discs, free } of list) {
    for (const { spot, rank } of free) {
      const plan = planPushes(puckOf(block), spot, discs, rules.allowed);
      const end = plan?.legs[plan.legs.length - 1];
      if (!plan || !end) continue;
      const cost = rank + Math.hypot(block.pose.x - spot.x, block.pose.y - spot.y);
      const gap = Math.hypot(end.x - spot.x, end.y - spot.y);
      if (plan.complete && (!best || cost < best.cost)) best = { block, legs: plan.legs, cost };
      if (!plan.complete && (!partial || gap < partial.cost))
        partial = { block, legs: plan.legs, cost: gap };
    }
  }
  return best ?? partial;
}

/**
 * The next block to push and its pushes. One push straight into a free spot comes first (a
 * disturbance leaves the oracle no spare steps), then the shortest two-push plan, else a
 * partial plan; null when no push is clear.
 */
export function nextSweep(
  goal: SweepGoal,
  objects: readonly ObjectState[],
  rules: SweepRules,
): { block: ObjectState; legs: readonly Point2[] } | null {
  const zone = findObject(objects, goal.zone);
  if (!zone) return null;
  const solid = objects.filter((o) => !isMarking(o));
  const list = options(goal, zone, solid, rules);
  return directPush(list) ?? plannedPush(list, rules);
}

/** The other solid objects as discs, each widened by the margin the rule wants around it. */
function discsAround(solid: readonly ObjectState[], block: ObjectState, rules: SweepRules): Disc[] {
  return solid
    .filter((o) => o.id !== block.id)
    .map((o) => ({
      x: o.pose.x,
      y: o.pose.y,
      r: footprintRadius(getShape(o.shape), scaleOf(o)) + rules.margin(o),
    }));
}

/** The oracle's push: the first leg of the plan, planned again from the scene every step. */
export function sweepAction(
  goal: SweepGoal,
  objects: readonly ObjectState[],
  rules: SweepRules,
): Action {
  const plan = nextSweep(goal, objects, rules);
  if (plan?.legs[0]) return pushTo(puckOf(plan.block), plan.legs[0]);
  // No clear push (the rule is already broken, or a disturbance boxed a block in): a short
  // push through empty table waits a step rather than risk what the rule forbids.
  return idlePush(objects);
}

/**
 * A 0.05 push far from every solid object: it moves nothing. The first point of a 0.05 grid
 * whose sweep keeps 0.1 clear of every footprint; the workspace corner when there is none.
 */
export function idlePush(objects: readonly ObjectState[]): Action {
  const solid = objects.filter((o) => !isMarking(o));
  for (let y = 0.05; y <= 0.95; y += 0.05) {
    for (let x = 0.05; x <= 0.9; x += 0.05) {
      const clear = solid.every(
        (o) =>
          Math.hypot(o.pose.x - x - 0.025, o.pose.y - y) >
          footprintRadius(getShape(o.shape), scaleOf(o)) + 0.1,
      );
      if (clear)
        return { kind: 'push', from: { x, y, theta: 0 }, to: { x: x + 0.05, y, theta: 0 } };
    }
  }
  return { kind: 'push', from: { x: 0, y: 0, theta: 0 }, to: { x: 0.05, y: 0, theta: 0 } };
}

/** How many of the target blocks lie inside the zone. */
function insideCount(goal: SweepGoal, objects: readonly ObjectState[], zone: ObjectState): number {
  return goal.targets.filter((id) => {
    const o = findObject(objects, id);
    return o !== undefined && isInside(o, zone);
  }).length;
}

/**
 * Pushes the oracle makes on the sampled scene when every push lands where planned; null
 * when some block has no clear plan (the sampler then draws another layout).
 */
export function plannedSteps(
  goal: SweepGoal,
  specs: readonly SpawnSpec[],
  rules: SweepRules,
): number | null {
  let objects = statesOf(specs);
  for (let step = 0; step < 8; step++) {
    const zone = findObject(objects, goal.zone);
    if (!zone) return null;
    if (insideCount(goal, objects, zone) >= goal.count) return step;
    const plan = nextSweep(goal, objects, rules);
    const to = plan?.legs[0];
    if (!plan || !to) return null;
    const theta = Math.atan2(to.y - plan.block.pose.y, to.x - plan.block.pose.x);
    objects = objects.map((o) => (o.id === plan.block.id ? { ...o, pose: { ...to, theta } } : o));
  }
  return null;
}

/**
 * The sweep is done: exactly `count` of the target blocks inside the zone (no more: "two"
 * means two), and no other object in it (the distractors must stay out).
 */
export function swept(goal: SweepGoal, objects: readonly ObjectState[]): boolean {
  const zone = findObject(objects, goal.zone);
  if (!zone) return false;
  return (
    insideCount(goal, objects, zone) === goal.count && noIntruders(objects, zone, goal.targets)
  );
}

/**
 * A sweep scene: `layout` draws one and may reject it (the blocks, the zone and the rule's
 * marking must all fit clear of each other); up to 300 draws are tried.
 */
export function sampleLayout<G>(
  task: string,
  rng: Rng,
  partition: PartitionSpec,
  layout: (rng: Rng, partition: PartitionSpec) => TaskSample<G> | null,
): TaskSample<G> {
  for (let attempt = 0; attempt < 300; attempt++) {
    const sample = layout(rng, partition);
    if (sample) return sample;
  }
  throw new TabletopError(
    'TABLETOP_SAMPLING_FAILED',
    `Could not lay out a ${task} scene in 300 attempts.`,
  );
}
