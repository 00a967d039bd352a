import { angleDifference, distance, normalizeAngle, type Action, type Pose } from '@actllm/core';
import { z } from 'zod';
import { assign } from './hungarian.js';
import { pairIdentical } from './identical.js';
import { binsOption, nonNegative, readOptions } from './options.js';
import { DEFAULT_BINS } from './quantize.js';
import { assertScene, type DescribedObject, type SceneDescriptor } from './schema.js';

/** One object seen in both scenes whose position or yaw changed beyond the tolerance. */
export interface MovedObject {
  readonly before: DescribedObject;
  readonly after: DescribedObject;
  /** Distance between the two centres. */
  readonly distance: number;
  /** Signed yaw change in (-pi, pi]; 0 when a scene has no yaw for it. */
  readonly rotation: number;
}

export type AmbiguityReason =
  /** The scenes do not hold the same objects (one appeared, vanished or changed attributes). */
  | 'objects_differ'
  /** Several objects moved, and not as one push would move them. */
  | 'several_moved';

/** What {@link inferAction} concluded. */
export type Transition =
  | { readonly status: 'action'; readonly action: Action; readonly moved: readonly MovedObject[] }
  | { readonly status: 'none' }
  | {
      readonly status: 'ambiguous';
      readonly reason: AmbiguityReason;
      readonly moved: readonly MovedObject[];
    };

export interface InferOptions {
  /** Bin count the scenes were quantized with; sets the default tolerances (default 100). */
  readonly bins?: number;
  /** A centre that moves farther than this moved (default 1.5 bins, so one-bin jitter is not a move). */
  readonly tolerance?: number;
  /** A yaw that turns more than this (radians) moved (default 1.5 yaw bins). */
  readonly angleTolerance?: number;
  /** Largest angle (radians) between one pushed object's motion and the mean motion (default pi/6). */
  readonly pushMaxAngle?: number;
  /** Largest distance of a pushed object from the push line, i.e. half the spatula width (default 0.1). */
  readonly pushMaxOffset?: number;
}

const InferOptionsSchema = z.strictObject({
  bins: binsOption.optional(),
  tolerance: nonNegative.optional(),
  angleTolerance: nonNegative.optional(),
  pushMaxAngle: nonNegative.max(Math.PI).optional(),
  pushMaxOffset: nonNegative.optional(),
});

/**
 * Explains the change from `before` to `after` as one action. Objects are matched by `id`
 * when both scenes give one, the rest by shape, colour and view, and nearest first
 * (a minimum-distance assignment within each group).
 * - Nothing moved beyond the tolerances: `none`.
 * - One object moved: `pick_place` from its old pose to its new one (`from.theta` is its old
 *   yaw, `to.theta` its new one, as core's `Action` documents). A push of a single object
 *   looks the same and is reported as `pick_place`.
 * - Several moved, all in about the same direction and lying along one line: `push` from the
 *   rearmost object's old centre to the foremost object's new centre, with `theta` the push
 *   direction. Anything else: `ambiguous`.
 * Scenes hold at most MAX_SCENE_OBJECTS objects, and objects that did not move are paired
 * before the assignment, which then only sees the objects that moved (cubic in their number).
 * Throws `DESCRIPTOR_INVALID_SCENE` for an invalid scene, `DESCRIPTOR_INVALID_OPTIONS` for an
 * unknown option or a value outside its domain (tolerances are finite numbers >= 0,
 * `pushMaxAngle` at most pi).
 */
export function inferAction(
  before: SceneDescriptor,
  after: SceneDescriptor,
  options: InferOptions = {},
): Transition {
  const checked = readOptions(InferOptionsSchema, options, 'inferAction');
  const bins = checked.bins ?? DEFAULT_BINS;
  const tolerance = checked.tolerance ?? 1.5 / bins;
  const angleTolerance = checked.angleTolerance ?? (1.5 * 2 * Math.PI) / bins;
  const pairs = matchObjects(assertScene(before).objects, assertScene(after).objects);
  const moved = pairs.matched
    .map(([b, a]) => movement(b, a))
    .filter((m) => m.distance > tolerance || Math.abs(m.rotation) > angleTolerance);
  if (!pairs.complete) return { status: 'ambiguous', reason: 'objects_differ', moved };
  const [first] = moved;
  if (first === undefined) return { status: 'none' };
  if (moved.length === 1) return { status: 'action', action: pickPlace(first), moved };
  const push = explainPush(
    moved,
    checked.pushMaxAngle ?? Math.PI / 6,
    checked.pushMaxOffset ?? 0.1,
  );
  if (push === undefined) return { status: 'ambiguous', reason: 'several_moved', moved };
  return { status: 'action', action: push, moved };
}

function movement(before: DescribedObject, after: DescribedObject): MovedObject {
  const rotation =
    before.theta === undefined || after.theta === undefined
      ? 0
      : angleDifference(before.theta, after.theta);
  return { before, after, distance: distance(before, after), rotation };
}

function pickPlace(m: MovedObject): Action {
  return {
    kind: 'pick_place',
    from: { x: m.before.x, y: m.before.y, theta: m.before.theta ?? 0 },
    to: { x: m.after.x, y: m.after.y, theta: m.after.theta ?? 0 },
  };
}

/** A push, when every moved object went about the same way from about one line. */
function explainPush(
  moved: readonly MovedObject[],
  maxAngle: number,
  maxOffset: number,
): Action | undefined {
  let sx = 0;
  let sy = 0;
  for (const m of moved) {
    if (m.distance === 0) return undefined; // turned in place: a push does not do that alone
    sx += (m.after.x - m.before.x) / m.distance;
    sy += (m.after.y - m.before.y) / m.distance;
  }
  const norm = Math.hypot(sx, sy);
  if (norm === 0) return undefined;
  const d = { x: sx / norm, y: sy / norm };
  const minCos = Math.cos(maxAngle);
  const along = (p: DescribedObject): number => p.x * d.x + p.y * d.y;
  const across = (p: DescribedObject): number => p.y * d.x - p.x * d.y;
  const rear = moved.reduce((r, m) => (along(m.before) < along(r.before) ? m : r));
  for (const m of moved) {
    const cos = ((m.after.x - m.before.x) * d.x + (m.after.y - m.before.y) * d.y) / m.distance;
    if (cos < minCos || Math.abs(across(m.before) - across(rear.before)) > maxOffset)
      return undefined;
  }
  const front = moved.reduce((f, m) => (along(m.after) > along(f.after) ? m : f));
  const theta = normalizeAngle(Math.atan2(d.y, d.x));
  const from: Pose = { x: rear.before.x, y: rear.before.y, theta };
  const to: Pose = { x: front.after.x, y: front.after.y, theta };
  return { kind: 'push', from, to };
}

interface Matching {
  readonly matched: [DescribedObject, DescribedObject][];
  /** False when some object of one scene has no counterpart in the other. */
  readonly complete: boolean;
}

/** Objects at the same place have distance 0: they can be paired before the assignment. */
function positionKey(o: DescribedObject): string {
  return `${o.x}\u0000${o.y}`;
}

/** Matches by id first, then by shape, colour and view with a minimum total distance. */
export function matchObjects(
  before: readonly DescribedObject[],
  after: readonly DescribedObject[],
): Matching {
  const matched: [DescribedObject, DescribedObject][] = [];
  const afterById = new Map<string, DescribedObject>();
  for (const a of after) if (a.id !== undefined) afterById.set(a.id, a);
  const usedAfter = new Set<DescribedObject>();
  const restBefore: DescribedObject[] = [];
  for (const b of before) {
    const a = b.id === undefined ? undefined : afterById.get(b.id);
    if (a !== undefined && !usedAfter.has(a)) {
      matched.push([b, a]);
      usedAfter.add(a);
    } else {
      restBefore.push(b);
    }
  }
  const groups = new Map<string, { before: DescribedObject[]; after: DescribedObject[] }>();
  const group = (o: DescribedObject): { before: DescribedObject[]; after: DescribedObject[] } => {
    const key = `${o.object}\u0000${o.color}\u0000${o.view ?? ''}`;
    let g = groups.get(key);
    if (g === undefined) groups.set(key, (g = { before: [], after: [] }));
    return g;
  };
  for (const b of restBefore) group(b).before.push(b);
  for (const a of after) if (!usedAfter.has(a)) group(a).after.push(a);
  let complete = true;
  for (const g of groups.values()) {
    if (g.before.length !== g.after.length) complete = false;
    const rest = pairIdentical(g.before, g.after, positionKey, matched);
    const cost = rest.before.map((b) => rest.after.map((a) => distance(b, a)));
    for (const [i, j] of assign(cost).pairs)
      matched.push([rest.before[i] as DescribedObject, rest.after[j] as DescribedObject]);
  }
  return { matched, complete };
}
