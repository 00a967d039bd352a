import { VIEW_NAMES, type ObjectState } from '@actllm/core';
import fc from 'fast-check';
import type { DescribedObject, SceneDescriptor } from '../src/index.js';

export const SHAPES = ['block', 'bowl', 'letter_r', 'pan', 'L-block', 'ring.2'] as const;
export const COLORS = ['red', 'green', 'blue', 'yellow', 'red_and_blue_stripe'] as const;

const unit = fc.double({ min: 0, max: 1, noNaN: true, noDefaultInfinity: true });
const yaw = fc
  .double({ min: -Math.PI, max: Math.PI, noNaN: true, noDefaultInfinity: true })
  .filter((t) => t > -Math.PI);
const name = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,10}$/);

/** Any valid object, every optional field present or not. */
export const describedObject: fc.Arbitrary<DescribedObject> = fc.record(
  {
    object: fc.oneof(fc.constantFrom(...SHAPES), name),
    color: fc.oneof(fc.constantFrom(...COLORS), name),
    x: unit,
    y: unit,
    w: unit,
    h: unit,
    theta: yaw,
    id: name,
    view: fc.constantFrom(...VIEW_NAMES),
  },
  { requiredKeys: ['object', 'color', 'x', 'y'] },
);

export const scene: fc.Arbitrary<SceneDescriptor> = fc
  .array(describedObject, { maxLength: 8 })
  .map((objects) => ({ version: 1 as const, objects }));

export const bins = fc.integer({ min: 1, max: 300 });

/** A ground-truth object as the simulator would give it. */
export function objectState(
  id: string,
  shape: string,
  color: string,
  x: number,
  y: number,
  theta: number,
): ObjectState {
  return {
    id,
    shape,
    color,
    pose: { x, y, theta },
    z: 0,
    size: { x: 0.08, y: 0.06, z: 0.04 },
    bbox: { top: { x0: x - 0.04, y0: y - 0.03, x1: x + 0.04, y1: y + 0.03 }, front: null },
  };
}
