import type { Camera } from './camera.js';

/**
 * Sub-pixel sample positions of the rotated-grid 4x supersampling pattern (RGSS): every
 * sample has its own row and column, so near-horizontal and near-vertical edges get four
 * coverage levels instead of the two of an axis-aligned 2x2 grid.
 */
export const SAMPLE_X: readonly number[] = [0.375, 0.875, 0.125, 0.625];
export const SAMPLE_Y: readonly number[] = [0.125, 0.375, 0.625, 0.875];
export const SAMPLES = SAMPLE_X.length;

/** A rectangle of pixels, inclusive integer bounds inside the image. */
export interface PixelRect {
  readonly x0: number;
  readonly y0: number;
  readonly x1: number;
  readonly y1: number;
  /** Highest world point of what was drawn there (used by the top view's shadows). */
  readonly zMax: number;
}

/** The samples of one view, or the table alone: colour, closeness and object id. */
export interface SampleLayer {
  /** RGB per sample, as floats so that shading never rounds twice. */
  readonly rgb: Float32Array;
  /** Larger is closer (see `Camera.project`); -Infinity where nothing was drawn. */
  readonly closeness: Float32Array;
  /** 0 for the table or background, i + 1 for item i. */
  readonly id: Uint16Array;
}

/**
 * Per-camera render state, reused from one render to the next. The table never changes, so
 * it is drawn and resolved once (`base`, `baseImage`, `baseTop`); a render restores only the
 * pixels the previous one drew objects on (`dirty`), and resolves only the pixels it draws.
 */
export interface SampleBuffers extends SampleLayer {
  readonly width: number;
  readonly height: number;
  readonly base: SampleLayer;
  /** The table alone, resolved: RGB per pixel. */
  readonly baseImage: Uint8Array;
  /** Per pixel: the closest closeness among its samples (the top view's height image). */
  readonly pixelTop: Float32Array;
  readonly baseTop: Float32Array;
  /** Per pixel scratch flags (see `topShadows`). */
  readonly pixelFlags: Uint8Array;
  /** Where the previous render drew objects. */
  dirty: PixelRect[];
}

const cache = new WeakMap<Camera, SampleBuffers>();

function layer(n: number): SampleLayer {
  return {
    rgb: new Float32Array(n * 3),
    closeness: new Float32Array(n).fill(-Infinity),
    id: new Uint16Array(n),
  };
}

/**
 * The buffers of a camera, created the first time it renders: `drawBase` draws the table
 * into the samples and `resolveBase` turns them into the base image. Rendering runs to
 * completion synchronously, so one set per camera is enough.
 */
export function buffersFor(
  cam: Camera,
  drawBase: (b: SampleBuffers, cam: Camera) => void,
  resolveBase: (b: SampleBuffers) => void,
): SampleBuffers {
  const cached = cache.get(cam);
  if (cached) return cached;
  const pixels = cam.width * cam.height;
  const b: SampleBuffers = {
    width: cam.width,
    height: cam.height,
    ...layer(pixels * SAMPLES),
    base: layer(pixels * SAMPLES),
    baseImage: new Uint8Array(pixels * 3),
    pixelTop: new Float32Array(pixels),
    baseTop: new Float32Array(pixels),
    pixelFlags: new Uint8Array(pixels),
    dirty: [],
  };
  drawBase(b, cam);
  b.base.rgb.set(b.rgb);
  b.base.closeness.set(b.closeness);
  resolveBase(b);
  b.baseTop.set(b.pixelTop);
  cache.set(cam, b);
  return b;
}

/** Back to the table alone, restoring only the pixels the previous render drew on. */
export function clearToBase(b: SampleBuffers): void {
  for (const r of b.dirty) {
    for (let y = r.y0; y <= r.y1; y++) {
      const s0 = (y * b.width + r.x0) * SAMPLES;
      const s1 = (y * b.width + r.x1 + 1) * SAMPLES;
      b.rgb.set(b.base.rgb.subarray(s0 * 3, s1 * 3), s0 * 3);
      b.closeness.set(b.base.closeness.subarray(s0, s1), s0);
      b.id.fill(0, s0, s1);
    }
  }
  b.dirty = [];
}
