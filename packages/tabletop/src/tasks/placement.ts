import type { Pose, Rng } from '@actllm/core';
import { TabletopError } from '../errors.js';
import { footprintRadius, getShape, shapeExtents } from '../objects/shapes.js';

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

/**
 * The first point of a 0.05 grid (row by row) where a footprint of radius `r` is clear of
 * `taken`: a deterministic free spot for oracles, which have no random stream.
 */
export function firstFreeSpot(r: number, taken: readonly Disc[]): { x: number; y: number } {
  for (let y = EDGE + r; y <= 1 - EDGE - r; y += 0.05) {
    for (let x = EDGE + r; x <= 1 - EDGE - r; x += 0.05) {
      if (taken.every((d) => Math.hypot(d.x - x, d.y - y) > d.r + r + GAP)) return { x, y };
    }
  }
  throw new TabletopError(
    'TABLETOP_SAMPLING_FAILED',
    `No free spot of radius ${r.toFixed(3)} left among ${taken.length} objects.`,
  );
}

/** Discs of the objects as they stand now. */
export function discsOf(
  objects: readonly { shape: string; pose: { x: number; y: number }; size: { x: number } }[],
): Disc[] {
  return objects.map((o) => ({
    x: o.pose.x,
    y: o.pose.y,
    r: footprintRadius(getShape(o.shape), o.size.x / shapeWidth(o.shape)),
  }));
}

function shapeWidth(shape: string): number {
  return shapeExtents(getShape(shape), 1).x;
}
