import { SAMPLES, type PixelRect, type SampleBuffers } from './samples.js';

/**
 * Averages the samples of each pixel of `rect` into RGB (the anti-aliasing) and gives each
 * pixel the object that covers most of its samples (ties: the closest of them), so the
 * segmentation agrees with what the pixel mostly shows. `top` receives each pixel's
 * closest closeness. Resolving a pixel twice gives the same result.
 */
export function resolve(
  buf: SampleBuffers,
  rect: PixelRect,
  rgbOut: Uint8Array,
  segOut: Uint16Array,
  top: Float32Array,
): void {
  for (let y = rect.y0; y <= rect.y1; y++) {
    for (let p = y * buf.width + rect.x0, end = y * buf.width + rect.x1; p <= end; p++) {
      resolvePixel(buf, p, rgbOut, segOut, top);
    }
  }
}

function resolvePixel(
  buf: SampleBuffers,
  p: number,
  rgbOut: Uint8Array,
  segOut: Uint16Array,
  top: Float32Array,
): void {
  const { rgb, closeness, id } = buf;
  const s = p * SAMPLES;
  let r = 0;
  let g = 0;
  let b = 0;
  for (let k = 0; k < SAMPLES; k++) {
    const j = (s + k) * 3;
    r += rgb[j] ?? 0;
    g += rgb[j + 1] ?? 0;
    b += rgb[j + 2] ?? 0;
  }
  rgbOut[p * 3] = r / SAMPLES + 0.5; // samples are at most 255, so this rounds and never wraps
  rgbOut[p * 3 + 1] = g / SAMPLES + 0.5;
  rgbOut[p * 3 + 2] = b / SAMPLES + 0.5;
  segOut[p] = majority(id, closeness, s);
  top[p] = Math.max(
    closeness[s] ?? -Infinity,
    closeness[s + 1] ?? -Infinity,
    closeness[s + 2] ?? -Infinity,
    closeness[s + 3] ?? -Infinity,
  );
}

function majority(id: Uint16Array, closeness: Float32Array, s: number): number {
  const a = id[s] ?? 0;
  if (a === id[s + 1] && a === id[s + 2] && a === id[s + 3]) return a;
  let best = a;
  let bestCount = 0;
  let bestClose = -Infinity;
  for (let k = 0; k < SAMPLES; k++) {
    const v = id[s + k] ?? 0;
    let count = 0;
    let close = -Infinity;
    for (let m = 0; m < SAMPLES; m++) {
      if (id[s + m] === v) {
        count++;
        close = Math.max(close, closeness[s + m] ?? -Infinity);
      }
    }
    if (count > bestCount || (count === bestCount && close > bestClose)) {
      best = v;
      bestCount = count;
      bestClose = close;
    }
  }
  return best;
}
