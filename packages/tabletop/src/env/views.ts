import {
  VIEW_NAMES,
  type BoundingBox,
  type Image,
  type ObjectState,
  type ViewName,
} from '@actllm/core';
import {
  DEFAULT_VIEW_SIZES,
  checkViewSize,
  frontCamera,
  topCamera,
  type Camera,
  type ViewSize,
} from '../render/camera.js';
import { render, type RenderItem } from '../render/renderer.js';
import { toObjectState, type StateInput } from './state.js';
import { TabletopError } from '../errors.js';

/** The two cameras of the environment, built once from the configured sizes. */
export type Cameras = Readonly<Record<ViewName, Camera>>;

/**
 * Checks view options: an object whose keys are view names, each a `{ width, height }` of
 * integers from 8 to 4096. Returns them with defaults filled in.
 */
export function checkViews(
  sizes: Partial<Record<ViewName, ViewSize>> | undefined,
): Readonly<Record<ViewName, ViewSize>> {
  if (sizes === undefined) return DEFAULT_VIEW_SIZES;
  if (typeof sizes !== 'object' || sizes === null || Array.isArray(sizes)) {
    throw invalid(`views must be an object such as { top: { width: 192, height: 192 } }.`);
  }
  for (const [view, size] of Object.entries(sizes)) {
    if (!(VIEW_NAMES as readonly string[]).includes(view)) {
      throw invalid(`Unknown view "${view}"; use ${VIEW_NAMES.join(', ')}.`);
    }
    if (size === undefined) continue;
    if (typeof size !== 'object' || size === null) {
      throw invalid(`views.${view} must be { width, height }.`);
    }
    const extra = Object.keys(size).filter((k) => k !== 'width' && k !== 'height');
    if (extra.length > 0) throw invalid(`views.${view} has unknown keys ${extra.join(', ')}.`);
  }
  const out = {
    top: sizes.top ?? DEFAULT_VIEW_SIZES.top,
    front: sizes.front ?? DEFAULT_VIEW_SIZES.front,
  };
  for (const view of VIEW_NAMES) checkViewSize(out[view], view);
  return out;
}

function invalid(message: string): TabletopError {
  return new TabletopError('TABLETOP_INVALID_OPTION', message);
}

export function makeCameras(sizes: Partial<Record<ViewName, ViewSize>> = {}): Cameras {
  const checked = checkViews(sizes);
  return { top: topCamera(checked.top), front: frontCamera(checked.front) };
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
