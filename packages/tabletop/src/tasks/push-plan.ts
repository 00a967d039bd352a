import type { Action, Point2 } from '@actllm/core';
import { SPATULA } from '../physics/scene.js';
import type { Disc } from './placement.js';

/** A pushable object as the planner sees it: where it is, how wide, how it is turned. */
export interface Puck {
  readonly x: number;
  readonly y: number;
  /** Side of the (square) footprint. */
  readonly side: number;
  readonly theta: number;
}

/**
 * The spatula starts this far behind the object's back face: enough that it never starts
 * inside the object it is about to push, short enough to stay clear of what lies behind.
 */
const START_GAP = 0.012;
/** Waypoints are searched on a grid of this pitch inside the workspace. */
const GRID = 0.025;
/** Waypoints keep this far inside the workspace, so the spatula's pose behind them is valid. */
const EDGE = 0.06;

const sub = (a: Point2, b: Point2): Point2 => ({ x: a.x - b.x, y: a.y - b.y });

/** Half the extent of a square footprint along the unit direction `u` (corner first). */
function reach(p: Puck, u: Point2): number {
  const a = Math.atan2(u.y, u.x) - p.theta;
  return (p.side / 2) * (Math.abs(Math.cos(a)) + Math.abs(Math.sin(a)));
}

/** Where the spatula's centre starts and stops to slide the object's centre from `p` to `to`. */
function spatulaPath(p: Puck, to: Point2): { from: Point2; end: Point2; u: Point2 } {
  const d = sub(to, p);
  const len = Math.hypot(d.x, d.y) || 1;
  const u = { x: d.x / len, y: d.y / len };
  // The plate squares a turned object up against itself, so it stops half a side behind
  // the goal; it starts behind the corner that may face it now.
  const back = reach(p, u) + SPATULA.hx + START_GAP;
  const stop = p.side / 2 + SPATULA.hx;
  return {
    from: { x: p.x - u.x * back, y: p.y - u.y * back },
    end: { x: to.x - u.x * stop, y: to.y - u.y * stop },
    u,
  };
}

/** The push action that slides the object's centre from where it is to `to`. */
export function pushTo(p: Puck, to: Point2): Action {
  const { from, end } = spatulaPath(p, to);
  return { kind: 'push', from: inWorkspace(from), to: inWorkspace(end) };
}

/** Actions take poses in the workspace; an object at the edge is pushed from just inside it. */
function inWorkspace(p: Point2): { x: number; y: number; theta: number } {
  const clamp = (v: number): number => Math.min(1, Math.max(0, v));
  return { x: clamp(p.x), y: clamp(p.y), theta: 0 };
}

function segmentDistance(c: Point2, a: Point2, b: Point2): number {
  const ab = sub(b, a);
  const len2 = ab.x * ab.x + ab.y * ab.y;
  const t =
    len2 === 0 ? 0 : Math.max(0, Math.min(1, ((c.x - a.x) * ab.x + (c.y - a.y) * ab.y) / len2));
  return Math.hypot(a.x + t * ab.x - c.x, a.y + t * ab.y - c.y);
}

/** Distance from `c` to the rectangle the plate sweeps between `from` and `end`. */
function plateDistance(c: Point2, from: Point2, end: Point2, u: Point2): number {
  const len = Math.hypot(end.x - from.x, end.y - from.y);
  const rel = sub(c, from);
  const along = rel.x * u.x + rel.y * u.y;
  const across = -rel.x * u.y + rel.y * u.x;
  const da = Math.max(-SPATULA.hx - along, 0, along - len - SPATULA.hx);
  const dc = Math.max(Math.abs(across) - SPATULA.hy, 0);
  return Math.hypot(da, dc);
}

/**
 * True when sliding the object from `p` to `to` keeps the plate and the object itself clear
 * of every disc (each disc's radius already holds the margin wanted around it).
 */
export function pushClear(p: Puck, to: Point2, discs: readonly Disc[]): boolean {
  const { from, end, u } = spatulaPath(p, to);
  const r = (p.side / 2) * Math.SQRT2;
  return discs.every(
    (d) => plateDistance(d, from, end, u) > d.r && segmentDistance(d, p, to) > d.r + r,
  );
}

/** A plan: the pushes' end points; `complete` when the last one is the goal itself. */
export interface PushPlan {
  readonly legs: readonly Point2[];
  readonly complete: boolean;
}

function gridPoints(): Point2[] {
  const out: Point2[] = [];
  for (let y = EDGE; y <= 1 - EDGE + 1e-9; y += GRID)
    for (let x = EDGE; x <= 1 - EDGE + 1e-9; x += GRID) out.push({ x, y });
  return out;
}
const GRID_POINTS = gridPoints();

/** Grid points the object may stop at: allowed and clear of every disc. */
function stops(p: Puck, discs: readonly Disc[], allowed: (q: Point2) => boolean): Point2[] {
  const r = (p.side / 2) * Math.SQRT2;
  return GRID_POINTS.filter(
    (w) => allowed(w) && discs.every((d) => Math.hypot(d.x - w.x, d.y - w.y) > d.r + r),
  );
}

/** The shortest clear two-leg path through a grid waypoint, or null. */
function viaWaypoint(
  p: Puck,
  goal: Point2,
  candidates: readonly Point2[],
  discs: readonly Disc[],
): Point2 | null {
  let best: { w: Point2; cost: number } | null = null;
  for (const w of candidates) {
    const cost = Math.hypot(w.x - p.x, w.y - p.y) + Math.hypot(goal.x - w.x, goal.y - w.y);
    if (best && cost >= best.cost) continue;
    if (!pushClear(p, w, discs)) continue;
    // Squared up by the first push, the object meets the second plate face first.
    const turned = { ...p, x: w.x, y: w.y, theta: Math.atan2(w.y - p.y, w.x - p.x) };
    if (pushClear(turned, goal, discs)) best = { w, cost };
  }
  return best?.w ?? null;
}

/**
 * The pushes that bring the object to `goal`: straight when that is clear, else through the
 * grid waypoint with the shortest clear two-leg path; failing both, one clear push to the
 * grid point nearest the goal (progress; the next step plans again from there). Null when
 * not even that gets 0.02 closer. `allowed` says where the object's centre may stop (a push
 * is straight, so the path stays allowed when the region is convex, as a half-plane is).
 */
export function planPushes(
  p: Puck,
  goal: Point2,
  discs: readonly Disc[],
  allowed: (q: Point2) => boolean,
): PushPlan | null {
  if (pushClear(p, goal, discs)) return { legs: [goal], complete: true };
  const candidates = stops(p, discs, allowed);
  const w = viaWaypoint(p, goal, candidates, discs);
  if (w) return { legs: [w, goal], complete: true };
  const now = Math.hypot(goal.x - p.x, goal.y - p.y);
  const closer = candidates
    .map((q) => ({ q, left: Math.hypot(goal.x - q.x, goal.y - q.y) }))
    .filter((c) => c.left < now - 0.02)
    .sort((a, b) => a.left - b.left);
  const step = closer.find((c) => pushClear(p, c.q, discs));
  return step ? { legs: [step.q], complete: false } : null;
}
