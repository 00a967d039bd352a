import type { ShapeDef, ShapePart, P2 } from './shapes.js';

/**
 * A triangle mesh in the object's own frame (origin at the footprint centre, base at z = 0),
 * flat-shaded: one outward normal per triangle.
 */
export interface Mesh {
  /** x, y, z per vertex. */
  readonly vertices: Float64Array;
  /** Three vertex indices per triangle. */
  readonly triangles: Uint32Array;
  /** x, y, z of the outward unit normal per triangle. */
  readonly normals: Float64Array;
}

function ccw(polygon: readonly P2[]): readonly P2[] {
  let area = 0;
  for (let i = 0; i < polygon.length; i++) {
    const [x0, y0] = polygon[i] as P2;
    const [x1, y1] = polygon[(i + 1) % polygon.length] as P2;
    area += x0 * y1 - x1 * y0;
  }
  return area >= 0 ? polygon : polygon.slice().reverse();
}

/** The corner points of one prism, scaled: the input of a convex-hull collider. */
export function partHullPoints(part: ShapePart, scale: number): Float32Array {
  const out = new Float32Array(part.polygon.length * 6);
  part.polygon.forEach(([x, y], i) => {
    out.set([x * scale, y * scale, part.z0 * scale, x * scale, y * scale, part.z1 * scale], i * 6);
  });
  return out;
}

/** Builds the mesh of every prism of a shape at the given scale. */
export function buildMesh(def: ShapeDef, scale: number): Mesh {
  const vertices: number[] = [];
  const triangles: number[] = [];
  const normals: number[] = [];
  for (const part of def.parts) {
    const poly = ccw(part.polygon);
    const n = poly.length;
    const base = vertices.length / 3;
    for (const [x, y] of poly) vertices.push(x * scale, y * scale, part.z0 * scale);
    for (const [x, y] of poly) vertices.push(x * scale, y * scale, part.z1 * scale);
    for (let i = 1; i < n - 1; i++) {
      triangles.push(base + n, base + n + i, base + n + i + 1); // top, CCW seen from above
      normals.push(0, 0, 1);
      triangles.push(base, base + i + 1, base + i); // bottom
      normals.push(0, 0, -1);
    }
    for (let i = 0; i < n; i++) {
      const j = (i + 1) % n;
      const [ax, ay] = poly[i] as P2;
      const [bx, by] = poly[j] as P2;
      const len = Math.hypot(by - ay, ax - bx) || 1;
      const nx = (by - ay) / len;
      const ny = (ax - bx) / len;
      triangles.push(base + i, base + j, base + n + j, base + i, base + n + j, base + n + i);
      normals.push(nx, ny, 0, nx, ny, 0);
    }
  }
  return {
    vertices: Float64Array.from(vertices),
    triangles: Uint32Array.from(triangles),
    normals: Float64Array.from(normals),
  };
}
