import type { ViewName } from '@actllm/core';
import { TabletopError } from '../errors.js';

/**
 * Projects world points (x, y on the table, z up) to pixels. `w` is a closeness value that
 * is linear in screen space (z for the orthographic view, 1/depth for the perspective one),
 * so the rasterizer can interpolate it and keep the larger value.
 */
export interface Camera {
  readonly width: number;
  readonly height: number;
  /** Writes px, py, w into out[0..2]; returns false when the point is behind the camera. */
  project(x: number, y: number, z: number, out: Float64Array): boolean;
  /** Writes into out[0..2] a vector from the world point towards the camera (for back-face culling). */
  toCamera(x: number, y: number, z: number, out: Float64Array): void;
  readonly kind: 'orthographic' | 'perspective';
}

export interface ViewSize {
  readonly width: number;
  readonly height: number;
}

/**
 * Default image sizes (width x height), sized for a learned policy: at 192x192 a small
 * object covers about 150 pixels of the top view; the front view has VIMA-Bench's 2:1 shape.
 */
export const DEFAULT_VIEW_SIZES: Readonly<Record<ViewName, ViewSize>> = {
  top: { width: 192, height: 192 },
  front: { width: 256, height: 128 },
};

/** Refuses a view size that is not a pair of integers from 8 to 4096. */
export function checkViewSize(size: ViewSize, view: string): void {
  if (
    typeof size !== 'object' ||
    size === null ||
    !Number.isInteger(size.width) ||
    !Number.isInteger(size.height) ||
    size.width < 8 ||
    size.height < 8 ||
    size.width > 4096 ||
    size.height > 4096
  ) {
    throw new TabletopError(
      'TABLETOP_INVALID_OPTION',
      `View "${view}" size ${JSON.stringify(size)} is invalid; use { width, height }, integers from 8 to 4096.`,
    );
  }
}

/**
 * The top view looks straight down; the image covers the workspace exactly, so pixel
 * (u, v) / size equals (x, 1 - y): bounding boxes in this view are workspace coordinates.
 */
export function topCamera(size: ViewSize): Camera {
  checkViewSize(size, 'top');
  const { width, height } = size;
  return {
    width,
    height,
    kind: 'orthographic',
    project(x, y, z, out) {
      out[0] = x * width;
      out[1] = (1 - y) * height;
      out[2] = z;
      return true;
    },
    toCamera(_x, _y, _z, out) {
      out[0] = 0;
      out[1] = 0;
      out[2] = 1;
    },
  };
}

/**
 * The front view: a pinhole camera in front of the table (y < 0), above it, looking at the
 * workspace. The long lens and the framing are chosen so that at the 2:1 aspect the
 * workspace spans about 87% of the columns (near edge) and 84% of the rows, with room above
 * the far edge for a stack of objects.
 */
export function frontCamera(size: ViewSize): Camera {
  checkViewSize(size, 'front');
  const { width, height } = size;
  const eye = [0.5, -0.86, 1.0] as const;
  const target = [0.5, 0.44, 0] as const;
  const f = normalize([target[0] - eye[0], target[1] - eye[1], target[2] - eye[2]]);
  const r = normalize([f[1], -f[0], 0]); // f x up
  const u = [
    r[1] * f[2] - r[2] * f[1],
    r[2] * f[0] - r[0] * f[2],
    r[0] * f[1] - r[1] * f[0],
  ] as const;
  const fovY = (25 * Math.PI) / 180;
  const focal = height / 2 / Math.tan(fovY / 2);
  return {
    width,
    height,
    kind: 'perspective',
    project(x, y, z, out) {
      const dx = x - eye[0];
      const dy = y - eye[1];
      const dz = z - eye[2];
      const depth = dx * f[0] + dy * f[1] + dz * f[2];
      if (depth <= 1e-6) return false;
      out[0] = width / 2 + ((dx * r[0] + dy * r[1] + dz * r[2]) / depth) * focal;
      out[1] = height / 2 - ((dx * u[0] + dy * u[1] + dz * u[2]) / depth) * focal;
      out[2] = 1 / depth;
      return true;
    },
    toCamera(x, y, z, out) {
      out[0] = eye[0] - x;
      out[1] = eye[1] - y;
      out[2] = eye[2] - z;
    },
  };
}

function normalize(v: readonly [number, number, number]): [number, number, number] {
  const n = Math.hypot(v[0], v[1], v[2]);
  return [v[0] / n, v[1] / n, v[2] / n];
}
