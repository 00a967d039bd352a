import type { BoundingBox, Image } from '@actllm/core';
import type { Mesh } from '../objects/mesh.js';
import type { ColorDef } from '../objects/colors.js';
import type { Transform } from '../math/quat.js';
import type { Camera } from './camera.js';
import { FACE_HOLLOW_TOP, FACE_INNER_WALL, meshFaces } from './hollow.js';
import { fillTriangle, newShader, type TriangleShader } from './raster.js';
import { resolve } from './resolve.js';
import { buffersFor, clearToBase, type PixelRect, type SampleBuffers } from './samples.js';
import { BACKGROUND_RGB, faceShade, INSIDE, TABLE_RGB, WORKSPACE_RGB } from './shading.js';
import { topShadows } from './shadow.js';

/** One object to draw: its mesh in its own frame, where it is, and how it looks. */
export interface RenderItem {
  readonly mesh: Mesh;
  readonly transform: Transform;
  readonly color: ColorDef;
}

/** RGB image, instance segmentation (0 table or background, i + 1 for item i) and boxes. */
export interface RenderResult {
  readonly image: Image;
  /** Per pixel, the item that covers most of the pixel's samples (0: table or background). */
  readonly segmentation: Uint16Array;
  /** Per item: the box of its projected mesh, clipped to the image, or null when off-image. */
  readonly boxes: readonly (BoundingBox | null)[];
}

const TABLE_HALF = 1; // the table spans [-0.5, 1.5]^2: beyond the workspace on every side

/** Scratch shared by every render (rendering is synchronous and never re-entered). */
const scratch = {
  tri: new Float64Array(9),
  out: new Float64Array(3),
  screen: new Float64Array(0),
  visible: new Uint8Array(0),
};

/**
 * Draws the table and the items with a z-buffer over 4 samples per pixel (rotated grid),
 * shaded from a fixed light (container insides darker, rims brighter), textures in object
 * space; the top view adds soft contact shadows. Allocates only the returned arrays.
 */
export function render(cam: Camera, items: readonly RenderItem[]): RenderResult {
  const { width, height } = cam;
  const buf = buffersFor(cam, drawTable, resolveBase);
  clearToBase(buf);
  const rects: PixelRect[] = [];
  const boxes = items.map((item, i) => drawItem(buf, cam, item, i + 1, rects));
  buf.dirty = rects;
  // Pixels no object touched are the table's: copied, not recomputed.
  const data = buf.baseImage.slice();
  const segmentation = new Uint16Array(width * height);
  buf.pixelTop.set(buf.baseTop);
  for (const r of rects) resolve(buf, r, data, segmentation, buf.pixelTop);
  if (cam.kind === 'orthographic') {
    topShadows(data, buf.pixelTop, width, height, rects, buf.pixelFlags);
  }
  return { image: { width, height, data }, segmentation, boxes };
}

/** The static part of a view: background, table, and the lighter workspace square on it. */
function drawTable(buf: SampleBuffers, cam: Camera): void {
  for (let i = 0; i < buf.rgb.length; i += 3) buf.rgb.set(BACKGROUND_RGB, i);
  const sh = newShader({ name: 'table', base: TABLE_RGB });
  drawQuad(buf, cam, 0.5 - TABLE_HALF, 0.5 + TABLE_HALF, 0, TABLE_RGB, sh);
  // A hair above the table, so that it wins the depth test everywhere without z-fighting.
  drawQuad(buf, cam, 0, 1, 1e-4, WORKSPACE_RGB, sh);
}

function resolveBase(buf: SampleBuffers): void {
  const all = { x0: 0, y0: 0, x1: buf.width - 1, y1: buf.height - 1, zMax: 0 };
  resolve(buf, all, buf.baseImage, new Uint16Array(buf.width * buf.height), buf.pixelTop);
}

function drawQuad(
  buf: SampleBuffers,
  cam: Camera,
  lo: number,
  hi: number,
  z: number,
  rgb: readonly [number, number, number],
  sh: TriangleShader,
): void {
  const shade = faceShade(0, 0, 1);
  sh.r = rgb[0] * shade;
  sh.g = rgb[1] * shade;
  sh.b = rgb[2] * shade;
  const corners = [lo, lo, hi, lo, hi, hi, lo, hi];
  const p = new Float64Array(12);
  for (let k = 0; k < 4; k++) {
    if (!cam.project(corners[k * 2] ?? 0, corners[k * 2 + 1] ?? 0, z, scratch.out)) return;
    p.set(scratch.out, k * 3);
  }
  const tri = scratch.tri;
  tri.set(p.subarray(0, 9));
  fillTriangle(buf, tri, 0, sh);
  tri.set(p.subarray(0, 3), 0);
  tri.set(p.subarray(6, 12), 3);
  fillTriangle(buf, tri, 0, sh);
}

function drawItem(
  buf: SampleBuffers,
  cam: Camera,
  item: RenderItem,
  id: number,
  rects: PixelRect[],
): BoundingBox | null {
  const { mesh, transform } = item;
  const nv = mesh.vertices.length / 3;
  if (scratch.screen.length < nv * 3) {
    scratch.screen = new Float64Array(nv * 3);
    scratch.visible = new Uint8Array(nv);
  }
  const { screen, visible, out } = scratch;
  const q = transform.rotation;
  const t = transform.position;
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -Infinity;
  let y1 = -Infinity;
  let zMax = -Infinity;
  const v = mesh.vertices;
  for (let i = 0; i < nv; i++) {
    rotate(q, v[i * 3] ?? 0, v[i * 3 + 1] ?? 0, v[i * 3 + 2] ?? 0, out);
    zMax = Math.max(zMax, (out[2] ?? 0) + t.z);
    const ok = cam.project((out[0] ?? 0) + t.x, (out[1] ?? 0) + t.y, (out[2] ?? 0) + t.z, out);
    visible[i] = ok ? 1 : 0;
    if (!ok) continue;
    screen.set(out, i * 3);
    x0 = Math.min(x0, out[0] ?? 0);
    x1 = Math.max(x1, out[0] ?? 0);
    y0 = Math.min(y0, out[1] ?? 0);
    y1 = Math.max(y1, out[1] ?? 0);
  }
  const b = box(cam, x0, y0, x1, y1);
  if (!b) return null;
  rects.push({
    x0: Math.max(0, Math.floor(x0)),
    y0: Math.max(0, Math.floor(y0)),
    x1: Math.min(cam.width - 1, Math.floor(x1)),
    y1: Math.min(cam.height - 1, Math.floor(y1)),
    zMax,
  });
  drawTriangles(buf, cam, item, id, screen, visible);
  return b;
}

function drawTriangles(
  buf: SampleBuffers,
  cam: Camera,
  item: RenderItem,
  id: number,
  screen: Float64Array,
  visible: Uint8Array,
): void {
  const { mesh, transform, color } = item;
  const faces = meshFaces(mesh);
  const sh = newShader(color);
  const { tri, out } = scratch;
  const v = mesh.vertices;
  const nrm = mesh.normals;
  const q = transform.rotation;
  const t = transform.position;
  const nt = mesh.triangles.length / 3;
  for (let f = 0; f < nt; f++) {
    const ia = mesh.triangles[f * 3] ?? 0;
    const ib = mesh.triangles[f * 3 + 1] ?? 0;
    const ic = mesh.triangles[f * 3 + 2] ?? 0;
    if (!visible[ia] || !visible[ib] || !visible[ic]) continue;
    rotate(q, nrm[f * 3] ?? 0, nrm[f * 3 + 1] ?? 0, nrm[f * 3 + 2] ?? 0, out);
    const nx = out[0] ?? 0;
    const ny = out[1] ?? 0;
    const nz = out[2] ?? 0;
    // Back faces are hidden behind front faces of the same closed mesh: skip them.
    rotate(q, v[ia * 3] ?? 0, v[ia * 3 + 1] ?? 0, v[ia * 3 + 2] ?? 0, out);
    cam.toCamera((out[0] ?? 0) + t.x, (out[1] ?? 0) + t.y, (out[2] ?? 0) + t.z, out);
    if (nx * (out[0] ?? 0) + ny * (out[1] ?? 0) + nz * (out[2] ?? 0) <= 0) continue;
    const kind = faces.kinds[f] ?? 0;
    sh.shade = faceShade(nx, ny, nz) * (kind === FACE_INNER_WALL ? INSIDE : 1);
    sh.hollow = kind === FACE_HOLLOW_TOP ? faces.hollow : null;
    sh.perSample = color.pattern !== undefined || sh.hollow !== null;
    sh.r = Math.min(255, color.base[0] * sh.shade);
    sh.g = Math.min(255, color.base[1] * sh.shade);
    sh.b = Math.min(255, color.base[2] * sh.shade);
    corner(tri, sh.local, 0, ia, screen, v);
    corner(tri, sh.local, 1, ib, screen, v);
    corner(tri, sh.local, 2, ic, screen, v);
    fillTriangle(buf, tri, id, sh);
  }
}

/** Copies vertex vi's screen position and object-frame position into corner k of a triangle. */
function corner(
  tri: Float64Array,
  local: Float64Array,
  k: number,
  vi: number,
  screen: Float64Array,
  v: Float64Array,
): void {
  for (let c = 0; c < 3; c++) {
    tri[k * 3 + c] = screen[vi * 3 + c] ?? 0;
    local[k * 3 + c] = v[vi * 3 + c] ?? 0;
  }
}

/** out = q * (x, y, z) * q^-1 for a unit quaternion q. */
function rotate(
  q: { x: number; y: number; z: number; w: number },
  x: number,
  y: number,
  z: number,
  out: Float64Array,
): void {
  const tx = 2 * (q.y * z - q.z * y);
  const ty = 2 * (q.z * x - q.x * z);
  const tz = 2 * (q.x * y - q.y * x);
  out[0] = x + q.w * tx + (q.y * tz - q.z * ty);
  out[1] = y + q.w * ty + (q.z * tx - q.x * tz);
  out[2] = z + q.w * tz + (q.x * ty - q.y * tx);
}

function box(cam: Camera, x0: number, y0: number, x1: number, y1: number): BoundingBox | null {
  const cx0 = Math.max(0, x0);
  const cy0 = Math.max(0, y0);
  const cx1 = Math.min(cam.width, x1);
  const cy1 = Math.min(cam.height, y1);
  if (!(cx1 > cx0 && cy1 > cy0)) return null;
  return { x0: cx0 / cam.width, y0: cy0 / cam.height, x1: cx1 / cam.width, y1: cy1 / cam.height };
}
