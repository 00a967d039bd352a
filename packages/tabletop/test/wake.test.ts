import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PhysicsScene, loadRapier, type SpawnSpec } from '../src/index.js';

type Rapier = Awaited<ReturnType<typeof loadRapier>>;
let R: Rapier;
const scenes: PhysicsScene[] = [];

beforeAll(async () => {
  R = await loadRapier();
});
afterEach(() => {
  for (const s of scenes.splice(0)) s.free();
});

function spec(id: string, shape: string, x: number, y: number, scale = 1): SpawnSpec {
  return { id, shape, color: 'red', scale, pose: { x, y, theta: 0 } };
}

function make(specs: SpawnSpec[]): PhysicsScene {
  const scene = new PhysicsScene(R, specs);
  scenes.push(scene);
  scene.settle();
  return scene;
}

function height(scene: PhysicsScene, id: string): number {
  const obj = scene.objects.find((o) => o.spec.id === id);
  if (!obj) throw new Error(`no ${id}`);
  const b = scene.worldBounds(obj);
  return b.z1 - b.z0;
}

function position(scene: PhysicsScene, id: string): { x: number; y: number; z: number } {
  const obj = scene.objects.find((o) => o.spec.id === id);
  if (!obj) throw new Error(`no ${id}`);
  const t = scene.transformOf(obj).position;
  return { x: t.x, y: t.y, z: scene.worldBounds(obj).z0 };
}

describe('resting objects wake when an action reaches them', () => {
  it.each(['frame', 'pallet', 'bowl'])(
    'a second object dropped into a %s leaves the first in place',
    (container) => {
      const scene = make([
        spec('c', container, 0.5, 0.5),
        spec('a', 'block', 0.2, 0.2, 0.9),
        spec('b', 'block', 0.8, 0.8, 0.9),
      ]);
      scene.pickPlace({ x: 0.2, y: 0.2, theta: 0 }, { x: 0.46, y: 0.46, theta: 0 });
      const first = position(scene, 'a');
      scene.pickPlace({ x: 0.8, y: 0.8, theta: 0 }, { x: 0.54, y: 0.54, theta: 0 });
      const after = position(scene, 'a');
      expect(Math.hypot(after.x - first.x, after.y - first.y)).toBeLessThan(0.01);
      expect(after.z).toBeGreaterThan(-0.002);
    },
  );

  it('a push that starts close behind a resting object moves it', () => {
    const scene = make([spec('a', 'block', 0.3, 0.5, 0.6)]);
    scene.push({ x: 0.26, y: 0.5, theta: 0 }, { x: 0.6, y: 0.5, theta: 0 });
    expect(position(scene, 'a').x).toBeGreaterThan(0.5);
  });

  it('knocking over and setting upright: pick_place stands a tipped object on its base', () => {
    const scene = make([spec('a', 'block', 0.3, 0.5)]);
    scene.tip('a');
    expect(height(scene, 'a')).toBeGreaterThan(0.055);
    const at = position(scene, 'a');
    scene.pickPlace({ x: at.x, y: at.y, theta: 0 }, { x: 0.6, y: 0.5, theta: 0 });
    expect(height(scene, 'a')).toBeCloseTo(0.045, 2);
  });
});
