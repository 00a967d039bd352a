import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { angleDifference } from '@actllm/core';
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

function spec(id: string, shape: string, x: number, y: number, theta = 0): SpawnSpec {
  return { id, shape, color: 'red', scale: 1, pose: { x, y, theta } };
}

function make(specs: SpawnSpec[]): PhysicsScene {
  const scene = new PhysicsScene(R, specs);
  scenes.push(scene);
  scene.settle();
  return scene;
}

function state(scene: PhysicsScene, id: string): { x: number; y: number; z: number; yaw: number } {
  const obj = scene.objects.find((o) => o.spec.id === id);
  if (!obj) throw new Error(`no ${id}`);
  const t = scene.transformOf(obj);
  return { x: t.position.x, y: t.position.y, z: scene.worldBounds(obj).z0, yaw: scene.yawOf(obj) };
}

describe('physics scene', () => {
  it('lets spawned objects come to rest on the table where they were put', () => {
    const scene = make([spec('a', 'block', 0.3, 0.3, 0.4), spec('b', 'heart', 0.7, 0.6, -1)]);
    const a = state(scene, 'a');
    expect(a.x).toBeCloseTo(0.3, 3);
    expect(a.z).toBeCloseTo(0, 2);
    expect(a.yaw).toBeCloseTo(0.4, 2);
    expect(state(scene, 'b').yaw).toBeCloseTo(-1, 2);
  });

  it('pick_place carries the object to the target with the requested turn', () => {
    const scene = make([spec('a', 'letter_l', 0.3, 0.3, 0.2)]);
    const picked = scene.pickPlace({ x: 0.3, y: 0.3, theta: 0.5 }, { x: 0.7, y: 0.6, theta: 1.5 });
    expect(picked).toBe('a');
    const a = state(scene, 'a');
    expect(a.x).toBeCloseTo(0.7, 2);
    expect(a.y).toBeCloseTo(0.6, 2);
    expect(angleDifference(a.yaw, 1.2)).toBeCloseTo(0, 1);
    expect(a.z).toBeCloseTo(0, 2);
  });

  it('pick_place on empty table picks nothing and moves nothing', () => {
    const scene = make([spec('a', 'block', 0.3, 0.3)]);
    const before = state(scene, 'a');
    expect(scene.pickPlace({ x: 0.8, y: 0.8, theta: 0 }, { x: 0.3, y: 0.3, theta: 1 })).toBeNull();
    expect(state(scene, 'a')).toEqual(before);
  });

  it('picks the topmost object of a stack, and a ring by its rim', () => {
    const scene = make([spec('low', 'pallet', 0.5, 0.5), spec('ring', 'ring', 0.2, 0.2)]);
    scene.pickPlace({ x: 0.2, y: 0.2, theta: 0 }, { x: 0.5, y: 0.5, theta: 0 });
    const ring = state(scene, 'ring');
    expect(ring.z).toBeGreaterThan(0.015); // resting on the pallet's deck
    expect(scene.pickPlace({ x: 0.5, y: 0.5, theta: 0 }, { x: 0.2, y: 0.8, theta: 0 })).toBe(
      'ring',
    );
    expect(state(scene, 'low').x).toBeCloseTo(0.5, 3);
  });

  it('drops an object into a bowl, where it rests on the bowl floor', () => {
    const scene = make([spec('bowl', 'bowl', 0.6, 0.6), spec('b', 'block', 0.2, 0.2)]);
    scene.pickPlace({ x: 0.2, y: 0.2, theta: 0 }, { x: 0.6, y: 0.6, theta: 0 });
    const b = state(scene, 'b');
    expect(Math.hypot(b.x - 0.6, b.y - 0.6)).toBeLessThan(0.02);
    expect(b.z).toBeGreaterThan(0.004);
    expect(b.z).toBeLessThan(0.02);
  });

  it('push sweeps an object along the segment and leaves others alone', () => {
    const scene = make([spec('a', 'block', 0.4, 0.5), spec('far', 'hexagon', 0.8, 0.2)]);
    const far = state(scene, 'far');
    scene.push({ x: 0.3, y: 0.5, theta: 0 }, { x: 0.7, y: 0.5, theta: 0 });
    const a = state(scene, 'a');
    expect(a.x).toBeGreaterThan(0.65);
    expect(Math.abs(a.y - 0.5)).toBeLessThan(0.03);
    expect(state(scene, 'far').x).toBeCloseTo(far.x, 4);
  });

  it('push through empty space changes nothing', () => {
    const scene = make([spec('a', 'block', 0.4, 0.5)]);
    const before = state(scene, 'a');
    scene.push({ x: 0.1, y: 0.9, theta: 0 }, { x: 0.9, y: 0.9, theta: 0 });
    expect(state(scene, 'a')).toEqual(before);
  });

  it('is deterministic: the same inputs give the same state', () => {
    const run = (): unknown => {
      const scene = make([spec('a', 'star', 0.4, 0.5, 0.3), spec('b', 'cross', 0.55, 0.5)]);
      scene.push({ x: 0.3, y: 0.5, theta: 0 }, { x: 0.8, y: 0.52, theta: 0 });
      return [state(scene, 'a'), state(scene, 'b')];
    };
    expect(run()).toEqual(run());
  });
});
