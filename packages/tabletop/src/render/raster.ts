import { surfaceColor, type ColorDef } from '../objects/colors.js';
import { inHollow, type Hollow } from './hollow.js';
import { INSIDE, RIM } from './shading.js';
import { SAMPLES, SAMPLE_X, SAMPLE_Y, type SampleBuffers } from './samples.js';

/**
 * How the samples of one triangle get their colour. One instance is reused for every
 * triangle (the renderer fills it in), so the inner loop allocates nothing.
 */
export interface TriangleShader {
  /** Colour after shading when neither a pattern nor a hollow needs the surface point. */
  r: number;
  g: number;
  b: number;
  /** Shading multiplier, for the per-sample path. */
  shade: number;
  /** The item's look, read per sample when `perSample` is set. */
  color: ColorDef;
  /** Set when the colour depends on the point on the surface (pattern, hollow floor or rim). */
  perSample: boolean;
  hollow: Hollow | null;
  /** Object-frame coordinates of the three vertices (x, y, z each), for the per-sample path. */
  readonly local: Float64Array;
}

export function newShader(color: ColorDef): TriangleShader {
  return {
    r: 0,
    g: 0,
    b: 0,
    shade: 1,
    color,
    perSample: false,
    hollow: null,
    local: new Float64Array(9),
  };
}

/**
 * Fills the samples inside the screen triangle (a, b, c), keeping the closest surface.
 * `p` holds px, py, w of the three vertices; w (closeness) is interpolated linearly.
 */
export function fillTriangle(
  buf: SampleBuffers,
  p: Float64Array,
  id: number,
  sh: TriangleShader,
): void {
  const ax = p[0] ?? 0;
  const ay = p[1] ?? 0;
  const aw = p[2] ?? 0;
  const bx = p[3] ?? 0;
  const by = p[4] ?? 0;
  const bw = p[5] ?? 0;
  const cx = p[6] ?? 0;
  const cy = p[7] ?? 0;
  const cw = p[8] ?? 0;
  const area = (bx - ax) * (cy - ay) - (by - ay) * (cx - ax);
  if (!(Math.abs(area) > 1e-12)) return;
  const { width, height, rgb, closeness, id: ids } = buf;
  const minX = Math.max(0, Math.floor(Math.min(ax, bx, cx)));
  const maxX = Math.min(width - 1, Math.floor(Math.max(ax, bx, cx)));
  const minY = Math.max(0, Math.floor(Math.min(ay, by, cy)));
  const maxY = Math.min(height - 1, Math.floor(Math.max(ay, by, cy)));
  if (minX > maxX || minY > maxY) return;
  const inv = 1 / area;
  // Barycentric weights as affine functions of the sample position: w = k0 + kx * x + ky * y.
  const aKx = (by - cy) * inv;
  const aKy = (cx - bx) * inv;
  const aK0 = (bx * cy - cx * by) * inv;
  const bKx = (cy - ay) * inv;
  const bKy = (ax - cx) * inv;
  const bK0 = (cx * ay - ax * cy) * inv;
  const cKx = -aKx - bKx;
  const cKy = -aKy - bKy;
  const cK0 = 1 - aK0 - bK0;
  const perSample = sh.perSample;
  const L = sh.local;
  if (perSample && sh.color.pattern) {
    // How the surface point moves per pixel step: the pattern taps spread along it.
    for (let c = 0; c < 3; c++) {
      grad[c] = aKx * (L[c] ?? 0) + bKx * (L[3 + c] ?? 0) + cKx * (L[6 + c] ?? 0);
      grad[3 + c] = aKy * (L[c] ?? 0) + bKy * (L[3 + c] ?? 0) + cKy * (L[6 + c] ?? 0);
    }
  }
  for (let py = minY; py <= maxY; py++) {
    for (let k = 0; k < SAMPLES; k++) {
      const ox = SAMPLE_X[k] ?? 0;
      const sy = py + (SAMPLE_Y[k] ?? 0);
      // Each weight is linear in x along this sample row: intersect where all three are >= 0.
      const a0 = aK0 + aKy * sy;
      const b0 = bK0 + bKy * sy;
      const c0 = cK0 + cKy * sy;
      span[0] = -Infinity;
      span[1] = Infinity;
      clip(a0, aKx, span);
      clip(b0, bKx, span);
      clip(c0, cKx, span);
      const px0 = Math.max(minX, Math.ceil((span[0] ?? 0) - ox));
      const px1 = Math.min(maxX, Math.floor((span[1] ?? 0) - ox));
      for (let px = px0; px <= px1; px++) {
        const sx = px + ox;
        const wa = Math.max(0, a0 + aKx * sx);
        const wb = Math.max(0, b0 + bKx * sx);
        const wc = Math.max(0, 1 - wa - wb);
        const s = (py * width + px) * SAMPLES + k;
        const w = wa * aw + wb * bw + wc * cw;
        if (w <= (closeness[s] ?? Infinity)) continue;
        closeness[s] = w;
        ids[s] = id;
        if (!perSample) {
          rgb[s * 3] = sh.r;
          rgb[s * 3 + 1] = sh.g;
          rgb[s * 3 + 2] = sh.b;
          continue;
        }
        const lx = wa * (L[0] ?? 0) + wb * (L[3] ?? 0) + wc * (L[6] ?? 0);
        const ly = wa * (L[1] ?? 0) + wb * (L[4] ?? 0) + wc * (L[7] ?? 0);
        const lz = wa * (L[2] ?? 0) + wb * (L[5] ?? 0) + wc * (L[8] ?? 0);
        shadeSample(sh, lx, ly, lz, rgb, s * 3);
      }
    }
  }
}

/** Tiny widening of every span, so that a sample on an edge shared by two triangles is never missed by both. */
const EDGE_EPS = 1e-7;

const span = new Float64Array(2);

/** Narrows the interval span = [lo, hi] to where c0 + cx * x >= 0. */
function clip(c0: number, cx: number, sp: Float64Array): void {
  if (cx > 0) sp[0] = Math.max(sp[0] ?? 0, -c0 / cx - EDGE_EPS);
  else if (cx < 0) sp[1] = Math.min(sp[1] ?? 0, -c0 / cx + EDGE_EPS);
  else if (c0 < -EDGE_EPS) sp[1] = -Infinity;
}

/** d(local)/d(screen x) in [0..2], d(local)/d(screen y) in [3..5], for the current triangle. */
const grad = new Float64Array(6);
/**
 * Offsets (in pixels) of the pattern taps around a sample: with the 4 samples of a pixel they
 * make a 4x4 grid, so a pattern finer than the samples (a stripe seen from afar) is averaged
 * instead of aliased into moire.
 */
const TAP_X = [-0.125, 0.125, -0.125, 0.125];
const TAP_Y = [-0.125, -0.125, 0.125, 0.125];

function shadeSample(
  sh: TriangleShader,
  lx: number,
  ly: number,
  lz: number,
  rgb: Float32Array,
  at: number,
): void {
  let f = sh.shade;
  if (sh.hollow) f *= inHollow(sh.hollow, lx, ly) ? INSIDE : RIM;
  let r = 0;
  let g = 0;
  let b = 0;
  if (sh.color.pattern) {
    for (let k = 0; k < 4; k++) {
      const ox = TAP_X[k] ?? 0;
      const oy = TAP_Y[k] ?? 0;
      const c = surfaceColor(
        sh.color,
        lx + ox * (grad[0] ?? 0) + oy * (grad[3] ?? 0),
        ly + ox * (grad[1] ?? 0) + oy * (grad[4] ?? 0),
        lz + ox * (grad[2] ?? 0) + oy * (grad[5] ?? 0),
      );
      r += (c[0] ?? 0) / 4;
      g += (c[1] ?? 0) / 4;
      b += (c[2] ?? 0) / 4;
    }
  } else {
    [r, g, b] = sh.color.base;
  }
  rgb[at] = Math.min(255, r * f);
  rgb[at + 1] = Math.min(255, g * f);
  rgb[at + 2] = Math.min(255, b * f);
}
