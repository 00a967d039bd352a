import { angleDifference, type Action, type ObjectState } from '@actllm/core';
import { getShape } from '../objects/shapes.js';
import { containerCentre, moveTo, scaleOf } from './common.js';

/**
 * Offset of the two slots from the region's centre, along both of the container's own axes
 * (opposite corners of the square region), at container scale 1. Tasks that fill two slots
 * draw the container at `TWO_SLOT_SCALE`: the slots then lie 0.147 apart, so two objects at
 * scale 0.9 never touch, and their sides stay clear of the frame's walls.
 */
const SLOT_OFFSET = 0.04;
export const TWO_SLOT_SCALE = 1.3;

/** Containers that hold two objects side by side (a 0.14 square region: frame, pallet). */
export function twoSlotContainers(shapes: readonly string[]): string[] {
  return shapes.filter((s) => {
    const region = getShape(s).container;
    return region?.kind === 'rect' && region.hx >= 0.07 && region.hy >= 0.07;
  });
}

/**
 * Puts `o` into slot `index` of `count` (1 or 2) of container `c`, square to the container
 * (so its extent towards the walls is its half-width, not its corner).
 */
export function putInSlot(o: ObjectState, c: ObjectState, index: number, count: number): Action {
  const centre = containerCentre(c);
  if (count < 2) return moveTo(o, centre);
  const d = (index === 0 ? -SLOT_OFFSET : SLOT_OFFSET) * scaleOf(c);
  const cos = Math.cos(c.pose.theta);
  const sin = Math.sin(c.pose.theta);
  const to = { x: centre.x + d * (cos - sin), y: centre.y + d * (sin + cos) };
  return moveTo(o, to, angleDifference(o.pose.theta, c.pose.theta));
}
