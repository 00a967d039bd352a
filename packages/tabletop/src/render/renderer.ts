import type { BoundingBox, Image } from '@actllm/core';
import type { Mesh } from '../objects/mesh.js';
import { surfaceColor, type ColorDef, type Rgb } from '../objects/colors.js';
import { applyTransform, rotateVec, type Transform } from '../math/quat.js';
import type { Camera } from './camera.js';

/** One object to draw: its mesh in its own frame, where it is, and how it looks. */
export interface RenderItem {
  readonly mesh: Mesh;
  readonly transform: Transform;
  readonly color: ColorDef;
}

/** RGB image, instance segmentation (0 table or background, i + 1 for item i) and boxes. */
export interface RenderResult {
  readonly image: Image;
  readonly segmentation: Uint16Array;
  /** Per item: the box of its projected mesh, clipped to the image, or null when off-image. */
  readonly boxes: readonly (BoundingBox | null)[];
}

const TABLE: Rgb = [196, 170, 130];
const BACKGROUND: Rgb = [55, 58, 66];
const LIGHT = (() => {
  const l = [0.35, -0.45, 0.82];
  const n = Math.hypot(l[0] ?? 0, l[1] ?? 0, l[2] ?? 0);
  return l.map((c) => c / n) as [number, number, number];
})();
const TABLE_HALF = 1; // the table spans [-0.5, 1.5]^2: beyond the workspace on every side

interface Target {
  readonly cam: Camera;
  readonly rgb: Uint8Array;
  readonly seg: Uint16Array;
  readonly closeness: Float64Array;
}

/** Draws the table and the items with a z-buffer; flat Lambert shading, textures in object space. */
export function render(cam: Camera, items: readonly RenderItem[]): RenderResult {
  const { width, height } = cam;
  const target: Target = {
    cam,
    rgb: new Uint8Array(width * height * 3),
    seg: new Uint16Array(width * height),
    closeness: new Float64Array(width * height).fill(-Infinity),
  };
  for (let i = 0; i < width * height; i++) target.rgb.set(BACKGROUND, i * 3);
  drawTable(target);
  const boxes = items.map((item, i) => drawItem(target, item, i + 1));
  return { image: { width, height, data: target.rgb }, segmentation: target.seg, boxes };
}

function drawTable(t: Target): void {
  const lo = 0.5 - TABLE_HALF;
  const hi = 0.5 + TABLE_HALF;
  const shade = 0.5 + 0.5 * LIGHT[2];
  const corners = [
    [lo, lo],
    [hi, lo],
    [hi, hi],
    [lo, hi],
  ] as const;
  const p = corners.map(([x, y]) => project(t.cam, x, y, 0));
  const color: Rgb = [TABLE[0] * shade, TABLE[1] * shade, TABLE[2] * shade];
  const [a, b, c, d] = p;
  if (a && b && c && d) {
    fillTriangle(t, a, b, c, 0, () => color);
    fillTriangle(t, a, c, d, 0, () => color);
  }
}

type Projected = readonly [number, number, number];

function project(cam: Camera, x: number, y: number, z: number): Projected | null {
  const out = new Float64Array(3);
  return cam.project(x, y, z, out) ? [out[0] ?? 0, out[1] ?? 0, out[2] ?? 0] : null;
}

function drawItem(t: Target, item: RenderItem, id: number): BoundingBox | null {
  const { mesh, transform, color } = item;
  const nv = mesh.vertices.length / 3;
  const screen: (Projected | null)[] = [];
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -Infinity;
  let y1 = -Infinity;
  for (let v = 0; v < nv; v++) {
    const w = applyTransform(transform, {
      x: mesh.vertices[v * 3] ?? 0,
      y: mesh.vertices[v * 3 + 1] ?? 0,
      z: mesh.vertices[v * 3 + 2] ?? 0,
    });
    const p = project(t.cam, w.x, w.y, w.z);
    screen.push(p);
    if (p) {
      x0 = Math.min(x0, p[0]);
      x1 = Math.max(x1, p[0]);
      y0 = Math.min(y0, p[1]);
      y1 = Math.max(y1, p[1]);
    }
  }
  for (let tri = 0; tri < mesh.triangles.length / 3; tri++) {
    const ia = mesh.triangles[tri * 3] ?? 0;
    const ib = mesh.triangles[tri * 3 + 1] ?? 0;
    const ic = mesh.triangles[tri * 3 + 2] ?? 0;
    const a = screen[ia];
    const b = screen[ib];
    const c = screen[ic];
    if (!a || !b || !c) continue;
    const n = rotateVec(transform.rotation, {
      x: mesh.normals[tri * 3] ?? 0,
      y: mesh.normals[tri * 3 + 1] ?? 0,
      z: mesh.normals[tri * 3 + 2] ?? 0,
    });
    const shade = 0.5 + 0.5 * Math.max(0, n.x * LIGHT[0] + n.y * LIGHT[1] + n.z * LIGHT[2]);
    const local = (i: number, k: number): number => mesh.vertices[i * 3 + k] ?? 0;
    const colorAt = color.pattern
      ? (wa: number, wb: number, wc: number): Rgb => {
          const lx = wa * local(ia, 0) + wb * local(ib, 0) + wc * local(ic, 0);
          const ly = wa * local(ia, 1) + wb * local(ib, 1) + wc * local(ic, 1);
          const lz = wa * local(ia, 2) + wb * local(ib, 2) + wc * local(ic, 2);
          const s = surfaceColor(color, lx, ly, lz);
          return [s[0] * shade, s[1] * shade, s[2] * shade];
        }
      : constant([color.base[0] * shade, color.base[1] * shade, color.base[2] * shade]);
    fillTriangle(t, a, b, c, id, colorAt);
  }
  return box(t.cam, x0, y0, x1, y1);
}

function constant(c: Rgb): () => Rgb {
  return () => c;
}

function box(cam: Camera, x0: number, y0: number, x1: number, y1: number): BoundingBox | null {
  const cx0 = Math.max(0, x0);
  const cy0 = Math.max(0, y0);
  const cx1 = Math.min(cam.width, x1);
  const cy1 = Math.min(cam.height, y1);
  if (!(cx1 > cx0 && cy1 > cy0)) return null;
  return { x0: cx0 / cam.width, y0: cy0 / cam.height, x1: cx1 / cam.width, y1: cy1 / cam.height };
}

/** Fills the pixels whose centres lie inside the triangle, keeping the closest surface. */
function fillTriangle(
  t: Target,
  a: Projected,
  b: Projected,
  c: Projected,
  id: number,
  colorAt: (wa: number, wb: number, wc: number) => Rgb,
): void {
  const { width, height } = t.cam;
  const area = (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0]);
  if (Math.abs(area) < 1e-12) return;
  const minX = Math.max(0, Math.floor(Math.min(a[0], b[0], c[0])));
  const maxX = Math.min(width - 1, Math.ceil(Math.max(a[0], b[0], c[0])));
  const minY = Math.max(0, Math.floor(Math.min(a[1], b[1], c[1])));
  const maxY = Math.min(height - 1, Math.ceil(Math.max(a[1], b[1], c[1])));
  const inv = 1 / area;
  for (let py = minY; py <= maxY; py++) {
    const sy = py + 0.5;
    for (let px = minX; px <= maxX; px++) {
      const sx = px + 0.5;
      const wa = ((b[0] - sx) * (c[1] - sy) - (b[1] - sy) * (c[0] - sx)) * inv;
      const wb = ((c[0] - sx) * (a[1] - sy) - (c[1] - sy) * (a[0] - sx)) * inv;
      const wc = 1 - wa - wb;
      if (wa < 0 || wb < 0 || wc < 0) continue;
      const w = wa * a[2] + wb * b[2] + wc * c[2];
      const idx = py * width + px;
      if (w <= (t.closeness[idx] ?? Infinity)) continue;
      t.closeness[idx] = w;
      t.seg[idx] = id;
      const rgb = colorAt(wa, wb, wc);
      t.rgb[idx * 3] = Math.min(255, Math.round(rgb[0]));
      t.rgb[idx * 3 + 1] = Math.min(255, Math.round(rgb[1]));
      t.rgb[idx * 3 + 2] = Math.min(255, Math.round(rgb[2]));
    }
  }
}
