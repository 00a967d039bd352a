import { normalizeAngle, type Pose } from '@actllm/core';
import { TabletopError } from '../errors.js';
import type { SpawnSpec } from './spec.js';

/** How far from the workspace a pose may lie: the table spans [-0.5, 1.5] on both axes. */
const TABLE_MIN = -0.5;
const TABLE_MAX = 1.5;

/**
 * A pose the physics can use: finite, on the table, its yaw brought into (-pi, pi]. A yaw
 * of 1e300 is the same turn as its remainder; left as it is, differences of two such yaws
 * overflow to Infinity and the rotation they build becomes NaN.
 */
export function physicsPose(pose: Pose, what: string): Pose {
  const { x, y, theta } = pose;
  if (![x, y, theta].every((v) => typeof v === 'number' && Number.isFinite(v))) {
    throw new TabletopError(
      'TABLETOP_INVALID_OPTION',
      `${what} must have finite x, y and theta; got ${JSON.stringify(pose)}.`,
    );
  }
  if (x < TABLE_MIN || x > TABLE_MAX || y < TABLE_MIN || y > TABLE_MAX) {
    throw new TabletopError(
      'TABLETOP_INVALID_OPTION',
      `${what} (${x}, ${y}) is off the table; use x and y from ${TABLE_MIN} to ${TABLE_MAX}.`,
    );
  }
  return { x, y, theta: normalizeAngle(theta) };
}

/** Checks what physics reads from a spawn spec: its pose, scale, height and base height. */
export function checkSpawn(spec: SpawnSpec): Pose {
  const pose = physicsPose(spec.pose, `Object ${spec.id}'s pose`);
  const positive = (v: number | undefined): boolean =>
    v === undefined || (Number.isFinite(v) && v > 0 && v <= 10);
  if (!positive(spec.scale) || spec.scale === undefined || !positive(spec.height)) {
    throw new TabletopError(
      'TABLETOP_INVALID_OPTION',
      `Object ${spec.id}: scale and height must be finite numbers in (0, 10].`,
    );
  }
  if (spec.z !== undefined && !(Number.isFinite(spec.z) && spec.z >= 0 && spec.z <= 1)) {
    throw new TabletopError(
      'TABLETOP_INVALID_OPTION',
      `Object ${spec.id}: z must be from 0 to 1; got ${spec.z}.`,
    );
  }
  return pose;
}
