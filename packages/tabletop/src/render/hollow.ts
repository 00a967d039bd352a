import type { Mesh } from '../objects/mesh.js';

/**
 * Where a mesh is hollow, found from its geometry alone (so any container shape, present or
 * future, gets the same treatment): a grid over the footprint holds the highest upward face
 * above each cell, and a cell is part of the hollow when higher geometry encloses it in all
 * four axis directions (a bowl's floor, not a pallet's deck nor a pan's handle).
 */
export interface Hollow {
  readonly x0: number;
  readonly y0: number;
  readonly cell: number;
  readonly n: number;
  /** 1 where the cell lies in the hollow. */
  readonly mask: Uint8Array;
}

/** Per triangle: how the renderer shades it. */
export const FACE_PLAIN = 0;
/** An upward face of a hollow mesh: floor or rim, decided per sample from the hollow mask. */
export const FACE_HOLLOW_TOP = 1;
/** A wall that faces into the hollow. */
export const FACE_INNER_WALL = 2;

export interface MeshFaces {
  readonly kinds: Uint8Array;
  readonly hollow: Hollow | null;
}

const GRID = 64;
/** Height difference (workspace units) that counts as a wall around a cell. */
const STEP = 0.004;
const cache = new WeakMap<Mesh, MeshFaces>();

/** The face kinds of a mesh, computed once per mesh. */
export function meshFaces(mesh: Mesh): MeshFaces {
  let f = cache.get(mesh);
  if (!f) {
    f = classify(mesh);
    cache.set(mesh, f);
  }
  return f;
}

function classify(mesh: Mesh): MeshFaces {
  const nt = mesh.triangles.length / 3;
  const kinds = new Uint8Array(nt);
  const hollow = findHollow(mesh);
  if (!hollow) return { kinds, hollow: null };
  const v = mesh.vertices;
  const t = mesh.triangles;
  const nrm = mesh.normals;
  for (let i = 0; i < nt; i++) {
    const nz = nrm[i * 3 + 2] ?? 0;
    if (nz > 0.9) {
      kinds[i] = FACE_HOLLOW_TOP;
      continue;
    }
    if (Math.abs(nz) > 0.1) continue;
    let cx = 0;
    let cy = 0;
    for (let k = 0; k < 3; k++) {
      const vi = t[i * 3 + k] ?? 0;
      cx += (v[vi * 3] ?? 0) / 3;
      cy += (v[vi * 3 + 1] ?? 0) / 3;
    }
    // A point a little in front of the wall: in the hollow for an inner wall only.
    const d = hollow.cell * 1.5;
    if (inHollow(hollow, cx + (nrm[i * 3] ?? 0) * d, cy + (nrm[i * 3 + 1] ?? 0) * d)) {
      kinds[i] = FACE_INNER_WALL;
    }
  }
  return { kinds, hollow };
}

export function inHollow(h: Hollow, x: number, y: number): boolean {
  const i = Math.floor((x - h.x0) / h.cell);
  const j = Math.floor((y - h.y0) / h.cell);
  if (i < 0 || j < 0 || i >= h.n || j >= h.n) return false;
  return h.mask[j * h.n + i] === 1;
}

function findHollow(mesh: Mesh): Hollow | null {
  const v = mesh.vertices;
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -Infinity;
  let y1 = -Infinity;
  for (let i = 0; i < v.length; i += 3) {
    x0 = Math.min(x0, v[i] ?? 0);
    x1 = Math.max(x1, v[i] ?? 0);
    y0 = Math.min(y0, v[i + 1] ?? 0);
    y1 = Math.max(y1, v[i + 1] ?? 0);
  }
  const cell = Math.max(x1 - x0, y1 - y0) / GRID;
  if (!(cell > 0)) return null;
  const height = topHeights(mesh, x0, y0, cell);
  const higher = enclosingHeights(height);
  const mask = new Uint8Array(GRID * GRID);
  let any = false;
  for (let c = 0; c < GRID * GRID; c++) {
    const z = height[c] ?? -Infinity;
    if (z !== -Infinity && (higher[c] ?? -Infinity) > z + STEP) {
      mask[c] = 1;
      any = true;
    }
  }
  return any ? { x0, y0, cell, n: GRID, mask } : null;
}

/** Highest upward face over each cell centre; -Infinity where the mesh has none. */
function topHeights(mesh: Mesh, x0: number, y0: number, cell: number): Float64Array {
  const h = new Float64Array(GRID * GRID).fill(-Infinity);
  const v = mesh.vertices;
  const t = mesh.triangles;
  for (let tri = 0; tri < t.length / 3; tri++) {
    if ((mesh.normals[tri * 3 + 2] ?? 0) < 0.9) continue;
    const a = (t[tri * 3] ?? 0) * 3;
    const b = (t[tri * 3 + 1] ?? 0) * 3;
    const c = (t[tri * 3 + 2] ?? 0) * 3;
    const z = v[a + 2] ?? 0;
    const ax = v[a] ?? 0;
    const ay = v[a + 1] ?? 0;
    const bx = v[b] ?? 0;
    const by = v[b + 1] ?? 0;
    const cx = v[c] ?? 0;
    const cy = v[c + 1] ?? 0;
    const i0 = Math.max(0, Math.floor((Math.min(ax, bx, cx) - x0) / cell));
    const i1 = Math.min(GRID - 1, Math.floor((Math.max(ax, bx, cx) - x0) / cell));
    const j0 = Math.max(0, Math.floor((Math.min(ay, by, cy) - y0) / cell));
    const j1 = Math.min(GRID - 1, Math.floor((Math.max(ay, by, cy) - y0) / cell));
    for (let j = j0; j <= j1; j++) {
      const py = y0 + (j + 0.5) * cell;
      for (let i = i0; i <= i1; i++) {
        const px = x0 + (i + 0.5) * cell;
        const e0 = (bx - ax) * (py - ay) - (by - ay) * (px - ax);
        const e1 = (cx - bx) * (py - by) - (cy - by) * (px - bx);
        const e2 = (ax - cx) * (py - cy) - (ay - cy) * (px - cx);
        const inside = (e0 >= 0 && e1 >= 0 && e2 >= 0) || (e0 <= 0 && e1 <= 0 && e2 <= 0);
        if (inside) h[j * GRID + i] = Math.max(h[j * GRID + i] ?? -Infinity, z);
      }
    }
  }
  return h;
}

/**
 * Per cell, the lowest of the four maxima of the heights beyond it along +x, -x, +y and -y:
 * the cell is enclosed when that exceeds its own height. Four running-max sweeps, O(cells).
 */
function enclosingHeights(h: Float64Array): Float64Array {
  const out = new Float64Array(GRID * GRID).fill(Infinity);
  const sweep = (start: (k: number) => number, step: number): void => {
    for (let k = 0; k < GRID; k++) {
      let best = -Infinity;
      for (let m = 0, c = start(k); m < GRID; m++, c += step) {
        out[c] = Math.min(out[c] ?? Infinity, best);
        best = Math.max(best, h[c] ?? -Infinity);
      }
    }
  };
  sweep((j) => j * GRID, 1); // beyond to the left (-x)
  sweep((j) => j * GRID + GRID - 1, -1); // to the right
  sweep((i) => i, GRID); // below (-y)
  sweep((i) => (GRID - 1) * GRID + i, -GRID); // above
  return out;
}
