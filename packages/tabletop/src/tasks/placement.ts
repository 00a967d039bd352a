import type { Pose, Rng } from '@actllm/core';
import { TabletopError } from '../errors.js';
import { footprintRadius, getShape } from '../objects/shapes.js';

/** A disc already taken on the table. */
export interface Disc {
  readonly x: number;
  readonly y: number;
  readonly r: number;
}

const EDGE = 0.04; // keep objects this far inside the workspace
const GAP = 0.02; // free space between footprints

/** The disc that holds a shape at a pose. */
export function discOf(shape: string, scale: number, pose: { x: number; y: number }): Disc {
  return { x: pose.x, y: pose.y, r: footprintRadius(getShape(shape), scale) };
}

/** A random pose whose footprint stays in the workspace and clear of `taken` (which it extends). */
export function placeFree(rng: Rng, shape: string, scale: number, taken: Disc[]): Pose {
  const r = footprintRadius(getShape(shape), scale);
  for (let attempt = 0; attempt < 500; attempt++) {
    const x = rng.float(EDGE + r, 1 - EDGE - r);
    const y = rng.float(EDGE + r, 1 - EDGE - r);
    if (taken.every((d) => Math.hypot(d.x - x, d.y - y) > d.r + r + GAP)) {
      taken.push({ x, y, r });
      return { x, y, theta: rng.float(-Math.PI, Math.PI) };
    }
  }
  throw new TabletopError(
    'TABLETOP_SAMPLING_FAILED',
    `Could not place a ${shape} clear of ${taken.length} other objects; use fewer or smaller objects.`,
  );
}
