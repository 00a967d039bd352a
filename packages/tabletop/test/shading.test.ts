import { describe, expect, it } from 'vitest';
import {
  DEFAULT_VIEW_SIZES,
  buildMesh,
  frontCamera,
  getColor,
  getShape,
  render,
  topCamera,
  type Mesh,
  type RenderItem,
  type RenderResult,
} from '../src/index.js';

function item(shape: string, color: string, x: number, y: number, z = 0, yaw = 0): RenderItem {
  return {
    mesh: buildMesh(getShape(shape), 1),
    transform: {
      position: { x, y, z },
      rotation: { x: 0, y: 0, z: Math.sin(yaw / 2), w: Math.cos(yaw / 2) },
    },
    color: getColor(color),
  };
}

function luminance(r: RenderResult, p: number): number {
  const d = r.image.data;
  return 0.299 * (d[p * 3] ?? 0) + 0.587 * (d[p * 3 + 1] ?? 0) + 0.114 * (d[p * 3 + 2] ?? 0);
}

/** Mean RGB of the pixels where `keep(pixel index)` holds. */
function meanColour(r: RenderResult, keep: (p: number) => boolean): number[] {
  const sum = [0, 0, 0];
  let n = 0;
  for (let p = 0; p < r.segmentation.length; p++) {
    if (!keep(p)) continue;
    for (let c = 0; c < 3; c++) sum[c] = (sum[c] ?? 0) + (r.image.data[p * 3 + c] ?? 0);
    n++;
  }
  return sum.map((v) => v / Math.max(1, n));
}

/** A flat square covering the workspace [0, 1]^2, 0.5 mm above the table. */
function workspaceMesh(): Mesh {
  return {
    vertices: Float64Array.from([0, 0, 5e-4, 1, 0, 5e-4, 1, 1, 5e-4, 0, 1, 5e-4]),
    triangles: Uint32Array.from([0, 1, 2, 0, 2, 3]),
    normals: Float64Array.from([0, 0, 1, 0, 0, 1]),
  };
}

describe('anti-aliasing', () => {
  it('blends edge pixels between the object and the table', () => {
    // A block whose edges fall a third of the way into pixels.
    const r = render(topCamera({ width: 64, height: 64 }), [item('block', 'blue', 0.5052, 0.5)]);
    const lum = new Set<number>();
    for (let p = 0; p < r.segmentation.length; p++) lum.add(Math.round(luminance(r, p)));
    const inside = luminance(r, 32 * 64 + 32);
    const table = luminance(r, 2 * 64 + 2);
    const between = [...lum].filter((l) => l > inside + 5 && l < table - 5);
    expect(between.length).toBeGreaterThan(0);
  });

  it('keeps a striped object stable under sub-pixel motion', () => {
    // Without filtering, a pixel on a stripe of period 0.02 (1.8 px across the diagonal at
    // 128 px) flips between red and white as the block moves by a fraction of a pixel.
    const size = 128;
    const cam = topCamera({ width: size, height: size });
    let previous: Uint8Array | null = null;
    let worst = 0;
    for (let k = 0; k < 8; k++) {
      const r = render(cam, [item('block', 'red_and_white_stripe', 0.5 + k / (8 * size), 0.5)]);
      if (previous) {
        for (let y = 62; y <= 66; y++) {
          for (let x = 62; x <= 66; x++) {
            const p = (y * size + x) * 3 + 1; // green: high on white, low on red
            worst = Math.max(worst, Math.abs((r.image.data[p] ?? 0) - (previous[p] ?? 0)));
          }
        }
      }
      previous = r.image.data;
    }
    expect(worst).toBeLessThan(45);
  });
});

describe('shading', () => {
  it('keeps a red block in a red bowl visible against the bowl', () => {
    const r = render(topCamera(DEFAULT_VIEW_SIZES.top), [
      item('bowl', 'red', 0.5, 0.5),
      item('block', 'red', 0.5, 0.5, 0.008),
    ]);
    const block = meanColour(r, (p) => r.segmentation[p] === 2);
    const bowl = meanColour(r, (p) => r.segmentation[p] === 1);
    expect(r.segmentation.includes(2)).toBe(true);
    const diff = Math.hypot(...block.map((v, c) => v - (bowl[c] ?? 0)));
    expect(diff).toBeGreaterThan(30);
  });

  it('does the same in a red pan, in the front view too', () => {
    for (const cam of [topCamera(DEFAULT_VIEW_SIZES.top), frontCamera(DEFAULT_VIEW_SIZES.front)]) {
      const r = render(cam, [
        item('pan', 'red', 0.5, 0.5),
        item('block', 'red', 0.465, 0.5, 0.008),
      ]);
      const block = meanColour(r, (p) => r.segmentation[p] === 2);
      const pan = meanColour(r, (p) => r.segmentation[p] === 1);
      expect(Math.hypot(...block.map((v, c) => v - (pan[c] ?? 0)))).toBeGreaterThan(20);
    }
  });

  it("shows a bowl's hollow: its floor darker than its rim", () => {
    const size = 192;
    const r = render(topCamera({ width: size, height: size }), [item('bowl', 'white', 0.5, 0.5)]);
    const at = (x: number, y: number): number =>
      luminance(r, Math.floor((1 - y) * size) * size + Math.floor(x * size));
    const floor = at(0.5, 0.5);
    const rim = at(0.5 + 0.08, 0.5); // on the wall top, between radii 0.074 and 0.085
    expect(rim - floor).toBeGreaterThan(40);
  });

  it('gives upward faces and walls different brightness in the front view', () => {
    const r = render(frontCamera(DEFAULT_VIEW_SIZES.front), [item('block', 'gray', 0.5, 0.4)]);
    const lum: number[] = [];
    r.segmentation.forEach((id, p) => {
      if (id === 1) lum.push(luminance(r, p));
    });
    lum.sort((a, b) => a - b);
    const q = (f: number): number => lum[Math.floor(f * (lum.length - 1))] ?? 0;
    expect(q(0.9) - q(0.1)).toBeGreaterThan(25);
  });

  it('casts a soft contact shadow on the table in the top view, away from the light', () => {
    const size = 128;
    const r = render(topCamera({ width: size, height: size }), [item('block', 'white', 0.5, 0.5)]);
    const at = (x: number, y: number): number =>
      luminance(r, Math.floor((1 - y) * size) * size + Math.floor(x * size));
    // The light comes from +x, -y: the shadow falls towards -x, +y.
    expect(at(0.1, 0.9) - at(0.47 - 0.01, 0.53 + 0.01)).toBeGreaterThan(15);
    expect(at(0.1, 0.9) - at(0.56, 0.44)).toBeLessThan(3); // the lit side has none
  });
});

describe('default views', () => {
  it('are sized for a learned policy', () => {
    expect(DEFAULT_VIEW_SIZES.top.width).toBeGreaterThanOrEqual(128);
    expect(DEFAULT_VIEW_SIZES.top.height).toBeGreaterThanOrEqual(128);
  });

  it('frame the workspace in the front view: at least 70% of its rows and columns', () => {
    const { width, height } = DEFAULT_VIEW_SIZES.front;
    const r = render(frontCamera(DEFAULT_VIEW_SIZES.front), [
      { mesh: workspaceMesh(), transform: identity(), color: getColor('white') },
    ]);
    const rows = new Set<number>();
    const cols = new Set<number>();
    r.segmentation.forEach((id, p) => {
      if (id !== 1) return;
      rows.add(Math.floor(p / width));
      cols.add(p % width);
    });
    expect(rows.size / height).toBeGreaterThanOrEqual(0.7);
    expect(cols.size / width).toBeGreaterThanOrEqual(0.7);
    // ... and all of it is in the picture, with room above the far edge.
    expect(r.boxes[0]?.y0).toBeGreaterThan(0.02);
    expect(r.boxes[0]?.y1).toBeLessThan(1);
  });
});

function identity(): RenderItem['transform'] {
  return { position: { x: 0, y: 0, z: 0 }, rotation: { x: 0, y: 0, z: 0, w: 1 } };
}
