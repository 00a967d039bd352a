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
  readonly kind: 'orthographic' | 'perspective';
}

export interface ViewSize {
  readonly width: number;
  readonly height: number;
}

/** Default image sizes: small enough for a CPU policy. */
export const DEFAULT_VIEW_SIZES: Readonly<Record<ViewName, ViewSize>> = {
  top: { width: 64, height: 64 },
  front: { width: 128, height: 64 },
};

function checkSize(size: ViewSize, view: string): void {
  if (
    !Number.isInteger(size.width) ||
    !Number.isInteger(size.height) ||
    size.width < 8 ||
    size.height < 8 ||
    size.width > 4096 ||
    size.height > 4096
  ) {
    throw new TabletopError(
      'TABLETOP_INVALID_OPTION',
      `View "${view}" size ${size.width}x${size.height} is invalid; use integers from 8 to 4096.`,
    );
  }
}

/**
 * The top view looks straight down; the image covers the workspace exactly, so pixel
 * (u, v) / size equals (x, 1 - y): bounding boxes in this view are workspace coordinates.
 */
export function topCamera(size: ViewSize): Camera {
  checkSize(size, 'top');
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
  };
}

/** The front view: a pinhole camera in front of the table (y < 0), above it, looking at its centre. */
export function frontCamera(size: ViewSize): Camera {
  checkSize(size, 'front');
  const { width, height } = size;
  const eye = [0.5, -0.7, 0.8] as const;
  const target = [0.5, 0.48, 0] as const;
  const f = normalize([target[0] - eye[0], target[1] - eye[1], target[2] - eye[2]]);
  const r = normalize([f[1], -f[0], 0]); // f x up
  const u = [
    r[1] * f[2] - r[2] * f[1],
    r[2] * f[0] - r[0] * f[2],
    r[0] * f[1] - r[1] * f[0],
  ] as const;
  const fovY = (38 * Math.PI) / 180;
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
  };
}

function normalize(v: readonly [number, number, number]): [number, number, number] {
  const n = Math.hypot(v[0], v[1], v[2]);
  return [v[0] / n, v[1] / n, v[2] / n];
}
