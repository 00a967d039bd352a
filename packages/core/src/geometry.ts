import { InvalidArgumentError } from './errors.js';
import { requireNumber, requirePoint, requirePose } from './checks.js';

/**
 * Geometry in the normalized workspace: `x` and `y` run over [0, 1] across the table top
 * (x to the right, y away from the robot, as seen in the top view), `theta` is the yaw in
 * radians, counter-clockwise, normalized to (-pi, pi].
 */

export interface Point2 {
  readonly x: number;
  readonly y: number;
}

/** A planar pose on the table: position in the normalized workspace and yaw. */
export interface Pose extends Point2 {
  readonly theta: number;
}

/** The normalized workspace: both coordinates in [0, 1], bounds included. */
export const WORKSPACE = { xMin: 0, xMax: 1, yMin: 0, yMax: 1 } as const;

const TWO_PI = 2 * Math.PI;

/** True when the point lies inside the workspace (bounds included). */
export function isInWorkspace(p: Point2): boolean {
  // A predicate: NaN coordinates are simply outside; only a non-point is an error.
  if (typeof p !== 'object' || p === null) {
    throw new InvalidArgumentError(`isInWorkspace(p) needs a point { x, y }; got ${String(p)}.`);
  }
  return (
    p.x >= WORKSPACE.xMin && p.x <= WORKSPACE.xMax && p.y >= WORKSPACE.yMin && p.y <= WORKSPACE.yMax
  );
}

/** The nearest point of the workspace; NaN stays NaN. */
export function clampToWorkspace<P extends Point2>(p: P): P {
  requirePoint(p, 'clampToWorkspace(p)');
  return {
    ...p,
    x: Math.min(WORKSPACE.xMax, Math.max(WORKSPACE.xMin, p.x)),
    y: Math.min(WORKSPACE.yMax, Math.max(WORKSPACE.yMin, p.y)),
  };
}

/** Maps any finite angle to (-pi, pi]. */
export function normalizeAngle(theta: number): number {
  requireNumber(theta, 'An angle');
  let a = theta % TWO_PI; // (-2pi, 2pi)
  if (a <= -Math.PI) a += TWO_PI;
  else if (a > Math.PI) a -= TWO_PI;
  return a;
}

/** The signed shortest rotation from `from` to `to`, in (-pi, pi]. */
export function angleDifference(from: number, to: number): number {
  requireNumber(from, 'angleDifference(from)');
  requireNumber(to, 'angleDifference(to)');
  return normalizeAngle(to - from);
}

/**
 * The smallest rotation between two yaws of an object with `order`-fold rotational
 * symmetry (1: none, 4: a square block, ...). Always in [0, pi / order].
 */
export function symmetricAngleDistance(a: number, b: number, order = 1): number {
  if (!Number.isSafeInteger(order) || order < 1) {
    throw new InvalidArgumentError(
      `symmetricAngleDistance: order is a positive integer (the rotational symmetry); got ${String(order)}.`,
    );
  }
  const period = TWO_PI / order;
  const d = Math.abs(angleDifference(a, b)) % period;
  return Math.min(d, period - d);
}

/** Euclidean distance between two points of the workspace. */
export function distance(a: Point2, b: Point2): number {
  requirePoint(a, 'distance(a)');
  requirePoint(b, 'distance(b)');
  return Math.hypot(a.x - b.x, a.y - b.y);
}

/** Linear interpolation between two poses; the yaw takes the shortest way round. */
export function interpolatePose(a: Pose, b: Pose, t: number): Pose {
  requirePose(a, 'interpolatePose(a)');
  requirePose(b, 'interpolatePose(b)');
  requireNumber(t, 'interpolatePose(t)');
  return {
    x: a.x + (b.x - a.x) * t,
    y: a.y + (b.y - a.y) * t,
    theta: normalizeAngle(a.theta + angleDifference(a.theta, b.theta) * t),
  };
}
