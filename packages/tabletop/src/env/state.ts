import { normalizeAngle, type BoundingBox, type ObjectState, type ViewName } from '@actllm/core';
import { quatYaw, yawQuat, type Transform } from '../math/quat.js';
import { buildMesh } from '../objects/mesh.js';
import { getColor } from '../objects/colors.js';
import { getShape, shapeExtents, withHeight } from '../objects/shapes.js';
import type { SpawnSpec } from '../physics/spec.js';
import type { RenderItem } from '../render/renderer.js';

/** Ground truth is reported to 1e-4 workspace units: stable text for datasets and descriptors. */
export function round4(v: number): number {
  return Math.round(v * 1e4) / 1e4 + 0; // + 0 turns -0 into 0
}

export interface StateInput {
  readonly spec: SpawnSpec;
  readonly transform: Transform;
  /** Lowest point of the object above the table. */
  readonly baseZ: number;
  readonly size: { readonly x: number; readonly y: number; readonly z: number };
}

/** One ObjectState from the simulator's (or a spec's) view of an object and its boxes. */
export function toObjectState(
  input: StateInput,
  boxes: Partial<Record<ViewName, BoundingBox | null>>,
): ObjectState {
  const { spec, transform, baseZ, size } = input;
  const bbox: Partial<Record<ViewName, BoundingBox | null>> = {};
  for (const [view, b] of Object.entries(boxes) as [ViewName, BoundingBox | null][]) {
    bbox[view] = b && { x0: round4(b.x0), y0: round4(b.y0), x1: round4(b.x1), y1: round4(b.y1) };
  }
  return {
    id: spec.id,
    shape: spec.shape,
    color: spec.color,
    pose: {
      x: round4(transform.position.x),
      y: round4(transform.position.y),
      theta: normalizeAngle(round4(quatYaw(transform.rotation))),
    },
    z: round4(Math.abs(baseZ) < 1e-3 ? 0 : baseZ),
    size: { x: round4(size.x), y: round4(size.y), z: round4(size.z) },
    bbox,
  };
}

/** How a spec looks when drawn where it stands, upright on the table (prompt assets). */
export function specItem(spec: SpawnSpec): { item: RenderItem; state: StateInput } {
  const def = withHeight(getShape(spec.shape), spec.height ?? 1);
  const transform: Transform = {
    position: { x: spec.pose.x, y: spec.pose.y, z: spec.z ?? 0 },
    rotation: yawQuat(spec.pose.theta),
  };
  return {
    item: { mesh: buildMesh(def, spec.scale), transform, color: getColor(spec.color) },
    state: { spec, transform, baseZ: spec.z ?? 0, size: shapeExtents(def, spec.scale) },
  };
}
