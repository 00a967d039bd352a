import { normalizeAngle, type Action, type ObjectState, type Point2, type Rng } from '@actllm/core';
import { getShape, shapeExtents } from '../objects/shapes.js';
import type { SpawnSpec } from '../physics/spec.js';
import type { Disc } from './placement.js';
import type { Look, PartitionSpec } from './types.js';
import { TabletopError } from '../errors.js';
import { discsOf, firstFreeSpot, placeFree } from './placement.js';

/** "block", "letter L": the shape's word. */
export function shapeName(shape: string): string {
  return shape.startsWith('letter_') ? `letter ${shape.slice(7).toUpperCase()}` : shape;
}

/** "red block", "red and white stripe letter L". */
export function describe(o: { readonly shape: string; readonly color: string }): string {
  const shape = o.shape.startsWith('letter_')
    ? `letter ${o.shape.slice(7).toUpperCase()}`
    : o.shape.replace(/_/g, ' ');
  return `${o.color.replace(/_/g, ' ')} ${shape}`;
}

/** Markings (a zone, a line) are paint: never picked, never inside, never out of place. */
export const isMarking = (o: { shape: string }): boolean => getShape(o.shape).marking === true;

/**
 * True when no object but the container itself and the `allowed` ones lies inside the
 * container: the distractor check of the container families (dumping everything in fails).
 */
export function noIntruders(
  objects: readonly ObjectState[],
  container: ObjectState,
  allowed: readonly string[],
): boolean {
  return objects.every(
    (o) =>
      o.id === container.id || allowed.includes(o.id) || isMarking(o) || !isInside(o, container),
  );
}

/**
 * The oracle's first move in a container family: an object that must not be in the container
 * is taken out to the first free spot (a disturbance or an earlier mistake put it there).
 */
export function clearIntruder(
  objects: readonly ObjectState[],
  container: ObjectState,
  allowed: readonly string[],
): Action | null {
  const intruder = objects.find(
    (o) =>
      o.id !== container.id && !allowed.includes(o.id) && !isMarking(o) && isInside(o, container),
  );
  if (!intruder) return null;
  const spot = firstFreeSpot(discsOf([intruder])[0]?.r ?? 0.05, discsOf(objects));
  return moveTo(intruder, spot);
}

export function findObject(objects: readonly ObjectState[], id: string): ObjectState | undefined {
  return objects.find((o) => o.id === id);
}

/** Scale of an object from its measured size (the shape's base size times the scale). */
export function scaleOf(o: ObjectState): number {
  return o.size.x / shapeExtents(getShape(o.shape), 1).x;
}

/** The centre of a container's holding region, in the workspace. */
export function containerCentre(c: ObjectState): Point2 {
  const region = getShape(c.shape).container;
  if (!region) return c.pose;
  const s = scaleOf(c);
  const cos = Math.cos(c.pose.theta);
  const sin = Math.sin(c.pose.theta);
  return {
    x: c.pose.x + s * (cos * region.cx - sin * region.cy),
    y: c.pose.y + s * (sin * region.cx + cos * region.cy),
  };
}

/**
 * True when the object's centre lies over the container's holding region and its base is
 * no higher than the container's rim (so it is in it, not balanced on top of something).
 */
export function isInside(o: ObjectState, c: ObjectState): boolean {
  const region = getShape(c.shape).container;
  if (!region) return false;
  if (o.z > c.z + c.size.z + 0.01 || o.z < -0.02) return false;
  const s = scaleOf(c);
  const dx = o.pose.x - c.pose.x;
  const dy = o.pose.y - c.pose.y;
  const cos = Math.cos(-c.pose.theta);
  const sin = Math.sin(-c.pose.theta);
  const lx = (cos * dx - sin * dy) / s - region.cx;
  const ly = (sin * dx + cos * dy) / s - region.cy;
  return region.kind === 'circle'
    ? Math.hypot(lx, ly) <= region.r
    : Math.abs(lx) <= region.hx && Math.abs(ly) <= region.hy;
}

/** Pick the object at its centre and put its centre on `to`, turned by `turn` radians. */
export function moveTo(o: ObjectState, to: Point2, turn = 0): Action {
  return {
    kind: 'pick_place',
    from: { x: o.pose.x, y: o.pose.y, theta: o.pose.theta },
    to: { x: to.x, y: to.y, theta: normalizeAngle(o.pose.theta + turn) },
  };
}

/** Lift the object and put it back where it is: what the oracle answers when nothing is left to do. */
export function stay(o: ObjectState): Action {
  return moveTo(o, o.pose, 0);
}

/** Random scale of a small object. */
export function objectScale(rng: Rng): number {
  return Math.round(rng.float(0.9, 1.1) * 1000) / 1000;
}

/** Builds a spawn spec at a free random pose. */
export function spawnFree(
  rng: Rng,
  taken: Disc[],
  id: string,
  shape: string,
  color: string,
  scale: number,
): SpawnSpec {
  return { id, shape, color, scale, pose: placeFree(rng, shape, scale, taken) };
}

/** `count` looks drawn from `looks`, all different from each other and from `avoid`. */
export function pickLooks(
  rng: Rng,
  looks: readonly Look[],
  count: number,
  avoid: readonly Look[] = [],
): Look[] {
  const used = new Set(avoid.map(lookKey));
  const out = rng.shuffle(looks.filter((l) => !used.has(lookKey(l)))).slice(0, count);
  if (out.length < count) {
    throw new TabletopError(
      'TABLETOP_SAMPLING_FAILED',
      `Needed ${count} distinct objects but the partition offers ${out.length}; use fewer objects.`,
    );
  }
  return out;
}

/** One look drawn from `looks`; throws when there is none. */
export function pickLook(rng: Rng, looks: readonly Look[], avoid: readonly Look[] = []): Look {
  const [look] = pickLooks(rng, looks, 1, avoid);
  if (!look) throw new Error('unreachable: pickLooks returned too few');
  return look;
}

export function lookKey(l: Look): string {
  return `${l.shape}/${l.color}`;
}

/** A container look: any container shape in a colour of the partition's furniture. */
export function containerLook(rng: Rng, partition: PartitionSpec): Look {
  return { shape: rng.pick(partition.containerShapes), color: rng.pick(partition.containerColors) };
}
