import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { angleDifference, isActllmError } from '@actllm/core';
import {
  PhysicsScene,
  TabletopEnv,
  loadRapier,
  type PhysicsOptions,
  type SpawnSpec,
} from '../src/index.js';

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

function refusal(run: () => unknown): unknown {
  try {
    run();
  } catch (e) {
    return e;
  }
  return undefined;
}

describe('physics hardening', () => {
  it('takes extreme but finite yaws without corrupting the state', () => {
    const scene = make([spec('a', 'letter_l', 0.3, 0.3, 1e300), spec('b', 'block', 0.7, 0.7)]);
    const huge = Number.MAX_VALUE;
    // Their difference overflows to Infinity unless the yaws are normalised first.
    scene.pickPlace({ x: 0.3, y: 0.3, theta: -huge }, { x: 0.5, y: 0.5, theta: huge });
    scene.teleport('b', { x: 0.7, y: 0.7, theta: -1e308 });
    scene.push({ x: 0.4, y: 0.5, theta: 1e300 }, { x: 0.6, y: 0.5, theta: -1e300 });
    for (const id of ['a', 'b']) {
      const s = state(scene, id);
      for (const v of Object.values(s)) expect(Number.isFinite(v)).toBe(true);
      const obj = scene.objects.find((o) => o.spec.id === id);
      const q = obj?.body.rotation();
      expect(Math.hypot(q?.x ?? NaN, q?.y ?? NaN, q?.z ?? NaN, q?.w ?? NaN)).toBeCloseTo(1, 6);
    }
    // pi is the remainder of MAX_VALUE's turn difference: normalised, not garbage.
    expect(Math.abs(state(scene, 'b').yaw)).toBeLessThanOrEqual(Math.PI);
  });

  it('refuses non-finite or off-table poses with a typed error', () => {
    const scene = make([spec('a', 'block', 0.3, 0.3)]);
    const ok = { x: 0.5, y: 0.5, theta: 0 };
    for (const bad of [
      { x: NaN, y: 0.5, theta: 0 },
      { x: 0.5, y: 0.5, theta: Infinity },
      { x: 1e300, y: 0.5, theta: 0 },
    ]) {
      expect(
        isActllmError(
          refusal(() => scene.push(ok, bad)),
          'TABLETOP_INVALID_OPTION',
        ),
      ).toBe(true);
      expect(
        isActllmError(
          refusal(() => scene.pickPlace(bad, ok)),
          'TABLETOP_INVALID_OPTION',
        ),
      ).toBe(true);
    }
    expect(
      isActllmError(
        refusal(() => new PhysicsScene(R, [spec('x', 'block', 0.5, 0.5, NaN)])),
        'TABLETOP_INVALID_OPTION',
      ),
    ).toBe(true);
    expect(state(scene, 'a').x).toBeCloseTo(0.3, 3);
  });

  it('validates physics options: zero or tiny speeds and timesteps, absurd iterations', async () => {
    const cases: PhysicsOptions[] = [
      { pushSpeed: 0 },
      { pushSpeed: 1e-9 },
      { timestep: 0 },
      { timestep: -1 / 60 },
      { solverIterations: 1e9 },
      { solverIterations: 2.5 },
      { maxSettleSteps: Infinity },
      { gravity: 1 } as PhysicsOptions,
    ];
    for (const physics of cases) {
      const e = refusal(() => new PhysicsScene(R, [], physics));
      expect(isActllmError(e, 'TABLETOP_INVALID_OPTION'), JSON.stringify(physics)).toBe(true);
      let envError: unknown;
      try {
        await TabletopEnv.create({ physics });
      } catch (err) {
        envError = err;
      }
      expect(isActllmError(envError, 'TABLETOP_INVALID_OPTION'), JSON.stringify(physics)).toBe(
        true,
      );
    }
    expect(() => new PhysicsScene(R, [], { timestep: 1 / 120, pushSpeed: 1 }).free()).not.toThrow();
  });

  it('validates view options with typed errors', async () => {
    for (const views of [
      { top: { width: 0, height: 64 } },
      { top: { width: 64.5, height: 64 } },
      { side: { width: 64, height: 64 } },
      { top: null },
      { front: { width: 64, height: 64, depth: 3 } },
      'big',
    ]) {
      let caught: unknown;
      try {
        await TabletopEnv.create({ views: views as never });
      } catch (e) {
        caught = e;
      }
      expect(isActllmError(caught, 'TABLETOP_INVALID_OPTION'), JSON.stringify(views)).toBe(true);
    }
  });
});
