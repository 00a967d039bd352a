import {
  VIEW_NAMES,
  type BoundingBox,
  type Image,
  type ObjectState,
  type ViewName,
} from '@actllm/core';
import {
  DEFAULT_VIEW_SIZES,
  frontCamera,
  topCamera,
  type Camera,
  type ViewSize,
} from '../render/camera.js';
import { render, type RenderItem } from '../render/renderer.js';
import { toObjectState, type StateInput } from './state.js';

/** The two cameras of the environment, built once from the configured sizes. */
export type Cameras = Readonly<Record<ViewName, Camera>>;

export function makeCameras(sizes: Partial<Record<ViewName, ViewSize>> = {}): Cameras {
  return {
    top: topCamera(sizes.top ?? DEFAULT_VIEW_SIZES.top),
    front: frontCamera(sizes.front ?? DEFAULT_VIEW_SIZES.front),
  };
}

export interface Snapshot {
  readonly views: Readonly<Record<ViewName, Image>>;
  readonly segmentation: Readonly<Record<ViewName, Uint16Array>>;
  readonly objects: readonly ObjectState[];
}

/** Renders every view and reads the ground truth, with each object's boxes from the same projection. */
export function snapshot(
  cameras: Cameras,
  items: readonly RenderItem[],
  inputs: readonly StateInput[],
): Snapshot {
  const views = {} as Record<ViewName, Image>;
  const segmentation = {} as Record<ViewName, Uint16Array>;
  const boxes: Partial<Record<ViewName, BoundingBox | null>>[] = inputs.map(() => ({}));
  for (const view of VIEW_NAMES) {
    const result = render(cameras[view], items);
    views[view] = result.image;
    segmentation[view] = result.segmentation;
    result.boxes.forEach((b, i) => {
      const entry = boxes[i];
      if (entry) entry[view] = b;
    });
  }
  const objects = inputs.map((input, i) => toObjectState(input, boxes[i] ?? {}));
  return { views, segmentation, objects };
}
