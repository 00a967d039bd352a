import { describe, expect, it } from 'vitest';
import { isActllmError } from '@actllm/core';
import {
  DARK_VARIANTS,
  PhysicsScene,
  floorHeight,
  loadRapier,
  shapeExtents,
  withHeight,
  COLOR_NAMES,
  COLORS,
  CONTAINER_SHAPES,
  MARKING_SHAPES,
  OBJECT_SHAPES,
  SHAPES,
  buildMesh,
  getColor,
  getShape,
  surfaceColor,
} from '../src/index.js';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return isActllmError(e) ? e.code : 'untyped';
  }
  return undefined;
}

describe('objects', () => {
  it('has at least 12 shapes, containers among them, and at least 10 colours with 2 patterns', () => {
    expect(SHAPES.size).toBeGreaterThanOrEqual(12);
    expect(CONTAINER_SHAPES).toEqual(expect.arrayContaining(['bowl', 'pan', 'frame', 'pallet']));
    expect(OBJECT_SHAPES.length + CONTAINER_SHAPES.length + MARKING_SHAPES.length).toBe(
      SHAPES.size,
    );
    expect([...COLORS.values()].filter((c) => !c.pattern).length).toBeGreaterThanOrEqual(10);
    expect([...COLORS.values()].filter((c) => c.pattern).length).toBeGreaterThanOrEqual(2);
    expect(new Set(COLOR_NAMES).size).toBe(COLOR_NAMES.length);
  });

  it('builds closed meshes whose side normals point outwards', () => {
    for (const def of SHAPES.values()) {
      const mesh = buildMesh(def, 1);
      expect(mesh.triangles.length % 3).toBe(0);
      expect(mesh.normals.length).toBe(mesh.triangles.length);
      // Every triangle's normal agrees with its winding (right-hand rule).
      for (let t = 0; t < mesh.triangles.length / 3; t++) {
        const v = [0, 1, 2].map((k) => {
          const i = mesh.triangles[t * 3 + k] ?? 0;
          return [
            mesh.vertices[i * 3] ?? 0,
            mesh.vertices[i * 3 + 1] ?? 0,
            mesh.vertices[i * 3 + 2] ?? 0,
          ];
        }) as [number[], number[], number[]];
        const e1 = v[1].map((c, k) => c - (v[0][k] ?? 0));
        const e2 = v[2].map((c, k) => c - (v[0][k] ?? 0));
        const cross = [
          (e1[1] ?? 0) * (e2[2] ?? 0) - (e1[2] ?? 0) * (e2[1] ?? 0),
          (e1[2] ?? 0) * (e2[0] ?? 0) - (e1[0] ?? 0) * (e2[2] ?? 0),
          (e1[0] ?? 0) * (e2[1] ?? 0) - (e1[1] ?? 0) * (e2[0] ?? 0),
        ];
        const dot = cross.reduce((s, c, k) => s + c * (mesh.normals[t * 3 + k] ?? 0), 0);
        expect(dot, `${def.name} triangle ${t}`).toBeGreaterThan(0);
      }
    }
  });

  it('scales meshes uniformly', () => {
    const a = buildMesh(getShape('star'), 1);
    const b = buildMesh(getShape('star'), 2);
    expect(b.vertices[3]).toBeCloseTo((a.vertices[3] ?? 0) * 2);
  });

  it('draws patterns with two colours and solids with one', () => {
    const seen = (name: string): number => {
      const set = new Set<string>();
      for (let x = 0; x < 0.1; x += 0.003)
        for (let y = 0; y < 0.1; y += 0.003)
          set.add(surfaceColor(getColor(name), x, y, 0.01).join());
      return set.size;
    };
    expect(seen('red')).toBe(1);
    for (const name of [
      'red_and_white_stripe',
      'blue_and_yellow_checker',
      'green_and_white_polka_dot',
    ])
      expect(seen(name)).toBe(2);
  });

  it('names unknown shapes and colours with typed errors', () => {
    expect(codeOf(() => getShape('dodecahedron'))).toBe('TABLETOP_UNKNOWN_SHAPE');
    expect(codeOf(() => getColor('ultraviolet'))).toBe('TABLETOP_UNKNOWN_COLOR');
  });

  it('gives every light colour with a dark variant a darker one', () => {
    expect(DARK_VARIANTS.size).toBeGreaterThanOrEqual(6);
    for (const [light, dark] of DARK_VARIANTS) {
      const sum = (c: string) => getColor(c).base.reduce((a, b) => a + b, 0);
      expect(sum(dark), `${light} / ${dark}`).toBeLessThan(0.7 * sum(light));
    }
  });

  it('finds container floors and makes tall and short variants', () => {
    expect(floorHeight(getShape('bowl'))).toBeCloseTo(0.008, 6);
    expect(floorHeight(getShape('pan'))).toBeCloseTo(0.008, 6);
    expect(floorHeight(getShape('pallet'))).toBeCloseTo(0.02, 6);
    expect(floorHeight(getShape('frame'))).toBe(0);
    expect(floorHeight(getShape('box'))).toBe(0);
    const block = getShape('block');
    expect(shapeExtents(withHeight(block, 1.6), 1).z).toBeCloseTo(0.072, 6);
    expect(shapeExtents(withHeight(block, 0.5), 1).x).toBeCloseTo(shapeExtents(block, 1).x, 9);
  });

  it('simulates every small shape at rest, upright, with finite poses (tall variants too)', async () => {
    const R = await loadRapier();
    const specs = OBJECT_SHAPES.map((shape, i) => ({
      id: `obj${i}`,
      shape,
      color: 'red',
      scale: 1,
      ...(i % 3 === 0 ? { height: 1.6 } : {}),
      pose: { x: 0.1 + 0.2 * (i % 5), y: 0.1 + 0.2 * Math.floor(i / 5), theta: i },
    }));
    const scene = new PhysicsScene(R, specs, {});
    scene.settle();
    for (const obj of scene.objects) {
      const t = scene.transformOf(obj);
      const spec = specs.find((s) => s.id === obj.spec.id);
      expect(Number.isFinite(t.position.x + t.position.y + t.position.z), obj.spec.shape).toBe(
        true,
      );
      expect(Math.abs(t.position.z), obj.spec.shape).toBeLessThan(0.005);
      expect(
        Math.hypot(t.position.x - (spec?.pose.x ?? 0), t.position.y - (spec?.pose.y ?? 0)),
      ).toBeLessThan(0.005);
      expect(Math.abs(t.rotation.x) + Math.abs(t.rotation.y), obj.spec.shape).toBeLessThan(0.01);
    }
    scene.free();
  });
});
