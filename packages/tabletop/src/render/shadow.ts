import type { PixelRect } from './samples.js';
import { LIGHT } from './shading.js';

/** How much a fully shadowed pixel loses of its brightness. */
const DARKEN = 0.38;
/** Height (workspace units) over which a shadow goes from none to full: its soft edge. */
const SOFT = 0.012;
/** Tallest occluder considered: longer shadows are cut off (they would only cost time). */
const MAX_HEIGHT = 0.08;

/**
 * Soft contact shadows for the top view, from its height image (an orthographic camera's
 * closeness is the height z): a pixel is shadowed by whatever stands higher than the ray
 * from it towards the light. Only pixels in `rects` (the objects' boxes, widened by the
 * longest shadow) are examined, and each once, so the cost follows the objects, not the image.
 */
export function topShadows(
  rgb: Uint8Array,
  top: Float32Array,
  width: number,
  height: number,
  rects: readonly PixelRect[],
  done: Uint8Array,
): void {
  // Screen direction towards the light, one pixel per step (image rows grow as y falls).
  const sx = LIGHT[0] * width;
  const sy = -LIGHT[1] * height;
  const len = Math.hypot(sx, sy);
  const dx = sx / len;
  const dy = sy / len;
  // How much the ray towards the light rises per step (a step covers |L_xy| / len units).
  const rise = LIGHT[2] / len;
  let zTop = 0;
  for (const r of rects) zTop = Math.max(zTop, Math.min(MAX_HEIGHT, r.zMax));
  done.fill(0);
  for (const r of rects) {
    // The box and where its shadow falls: away from the light, as far as its height casts.
    const reach = Math.ceil(Math.min(MAX_HEIGHT, r.zMax) / rise);
    const x0 = Math.max(0, Math.floor(Math.min(r.x0, r.x0 - dx * reach)));
    const x1 = Math.min(width - 1, Math.ceil(Math.max(r.x1, r.x1 - dx * reach)));
    const y0 = Math.max(0, Math.floor(Math.min(r.y0, r.y0 - dy * reach)));
    const y1 = Math.min(height - 1, Math.ceil(Math.max(r.y1, r.y1 - dy * reach)));
    for (let y = y0; y <= y1; y++) {
      for (let x = x0; x <= x1; x++) {
        const p = y * width + x;
        if (done[p]) continue;
        done[p] = 1;
        const h = top[p] ?? 0;
        // Nothing stands higher than zTop: the ray is clear once it passes that height.
        const steps = Math.ceil((zTop - h) / rise);
        if (steps <= 0) continue;
        const amount = occlusion(top, width, height, x, y, h, dx, dy, rise, steps);
        if (amount <= 0) continue;
        const f = 1 - DARKEN * amount;
        rgb[p * 3] = (rgb[p * 3] ?? 0) * f;
        rgb[p * 3 + 1] = (rgb[p * 3 + 1] ?? 0) * f;
        rgb[p * 3 + 2] = (rgb[p * 3 + 2] ?? 0) * f;
      }
    }
  }
}

function occlusion(
  top: Float32Array,
  width: number,
  height: number,
  x: number,
  y: number,
  h: number,
  dx: number,
  dy: number,
  rise: number,
  steps: number,
): number {
  let amount = 0;
  for (let t = 1; t <= steps; t++) {
    const qx = Math.floor(x + 0.5 + dx * t);
    const qy = Math.floor(y + 0.5 + dy * t);
    if (qx < 0 || qy < 0 || qx >= width || qy >= height) break;
    const above = (top[qy * width + qx] ?? 0) - h - t * rise;
    if (above > 0) amount = Math.max(amount, Math.min(1, above / SOFT));
    if (amount >= 1) break;
  }
  return amount;
}
