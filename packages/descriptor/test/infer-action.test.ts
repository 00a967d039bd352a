import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { angleDifference, validateAction, type ObjectState } from '@actllm/core';
import { buildScene, inferAction, type SceneDescriptor } from '../src/index.js';
import { COLORS, SHAPES, objectState } from './arbitraries.js';

const coord = fc.double({ min: 0.02, max: 0.98, noNaN: true });
const yaw = fc.double({ min: -3.1, max: 3.1, noNaN: true });

/** 1 to 6 objects with distinct (shape, colour), one of which is moved by at least 4 bins. */
const singleMove = fc
  .record({
    bins: fc.integer({ min: 20, max: 200 }),
    kinds: fc.uniqueArray(fc.tuple(fc.constantFrom(...SHAPES), fc.constantFrom(...COLORS)), {
      minLength: 1,
      maxLength: 6,
      selector: ([s, c]) => `${s}/${c}`,
    }),
    poses: fc.array(fc.tuple(coord, coord, yaw), { minLength: 6, maxLength: 6 }),
    target: fc.tuple(coord, coord, yaw),
    which: fc.nat(),
    ids: fc.boolean(),
  })
  .filter(({ poses, target, which, kinds, bins }) => {
    const p = poses[which % kinds.length];
    return p !== undefined && Math.hypot(p[0] - target[0], p[1] - target[1]) >= 4 / bins;
  });

function states(
  kinds: readonly [string, string][],
  poses: readonly [number, number, number][],
): ObjectState[] {
  return kinds.map(([shape, color], i) => {
    const [x, y, t] = poses[i] ?? [0.5, 0.5, 0];
    return objectState(`o${i}`, shape, color, x, y, t);
  });
}

describe('inferAction on single-object moves', () => {
  it('recovers the generating pick_place within one bin (property)', () => {
    fc.assert(
      fc.property(singleMove, ({ bins, kinds, poses, target, which, ids }) => {
        const k = which % kinds.length;
        const moved = poses.slice(0, kinds.length).map((p, i) => (i === k ? target : p));
        const before = buildScene(states(kinds, poses), { bins, ids });
        const after = buildScene(states(kinds, moved), { bins, ids });
        const result = inferAction(before, after, { bins });
        expect(result.status).toBe('action');
        if (result.status !== 'action') return;
        const { action } = result;
        expect(validateAction(action).ok).toBe(true);
        expect(action.kind).toBe('pick_place');
        const from = poses[k] ?? [0, 0, 0];
        expect(Math.abs(action.from.x - from[0])).toBeLessThanOrEqual(1 / bins);
        expect(Math.abs(action.from.y - from[1])).toBeLessThanOrEqual(1 / bins);
        expect(Math.abs(angleDifference(action.from.theta, from[2]))).toBeLessThanOrEqual(
          (2 * Math.PI) / bins,
        );
        expect(Math.abs(action.to.x - target[0])).toBeLessThanOrEqual(1 / bins);
        expect(Math.abs(action.to.y - target[1])).toBeLessThanOrEqual(1 / bins);
        expect(Math.abs(angleDifference(action.to.theta, target[2]))).toBeLessThanOrEqual(
          (2 * Math.PI) / bins,
        );
      }),
      { numRuns: 1000 },
    );
  });
});

const at = (x: number, y: number, extra: object = {}) => ({
  object: 'block',
  color: 'red',
  x,
  y,
  ...extra,
});
const scene = (...objects: ReturnType<typeof at>[]): SceneDescriptor => ({ version: 1, objects });

describe('inferAction', () => {
  it('says none when nothing moved beyond the tolerance (one-bin jitter included)', () => {
    expect(inferAction(scene(at(0.2, 0.2)), scene(at(0.21, 0.2)))).toEqual({ status: 'none' });
    expect(inferAction(scene(), scene())).toEqual({ status: 'none' });
  });

  it('sees a rotation in place as a pick_place', () => {
    const r = inferAction(scene(at(0.2, 0.2, { theta: 0 })), scene(at(0.2, 0.2, { theta: 1 })));
    expect(r).toMatchObject({
      status: 'action',
      action: { kind: 'pick_place', from: { theta: 0 }, to: { theta: 1 } },
    });
  });

  it('matches identical objects by nearest position, and by id when given', () => {
    const before = scene(at(0.1, 0.1), at(0.9, 0.9));
    const r = inferAction(before, scene(at(0.9, 0.9), at(0.1, 0.5)));
    expect(r).toMatchObject({
      status: 'action',
      action: { from: { x: 0.1, y: 0.1 }, to: { x: 0.1, y: 0.5 } },
    });
    const withIds = inferAction(
      scene(at(0.1, 0.1, { id: 'a' }), at(0.9, 0.9, { id: 'b' })),
      scene(at(0.1, 0.1, { id: 'b' }), at(0.9, 0.9, { id: 'a' })),
    );
    expect(withIds).toMatchObject({ status: 'ambiguous', reason: 'several_moved' });
  });

  it('explains several objects moved along one line as a push', () => {
    const before = scene(at(0.2, 0.5), { ...at(0.3, 0.52), color: 'blue' });
    const after = scene(at(0.4, 0.5), { ...at(0.5, 0.52), color: 'blue' });
    const r = inferAction(before, after);
    expect(r.status).toBe('action');
    if (r.status !== 'action') return;
    expect(r.action.kind).toBe('push');
    expect(r.action.from).toMatchObject({ x: 0.2, y: 0.5, theta: 0 });
    expect(r.action.to).toMatchObject({ x: 0.5, y: 0.52 });
    expect(r.moved).toHaveLength(2);
  });

  it('is ambiguous when moves disagree or objects appear', () => {
    const crossed = inferAction(
      scene(at(0.2, 0.5), { ...at(0.8, 0.5), color: 'blue' }),
      scene(at(0.2, 0.9), { ...at(0.8, 0.1), color: 'blue' }),
    );
    expect(crossed).toMatchObject({ status: 'ambiguous', reason: 'several_moved' });
    const apart = inferAction(
      scene(at(0.2, 0.1), { ...at(0.2, 0.9), color: 'blue' }),
      scene(at(0.4, 0.1), { ...at(0.4, 0.9), color: 'blue' }),
    );
    expect(apart).toMatchObject({ status: 'ambiguous', reason: 'several_moved' });
    const appeared = inferAction(scene(at(0.2, 0.5)), scene(at(0.2, 0.5), at(0.6, 0.6)));
    expect(appeared).toEqual({ status: 'ambiguous', reason: 'objects_differ', moved: [] });
  });

  it('refuses invalid scenes and tolerances', () => {
    expect(() => inferAction(scene(at(2, 0)), scene())).toThrow(
      expect.objectContaining({ code: 'DESCRIPTOR_INVALID_SCENE' }),
    );
    expect(() => inferAction(scene(), scene(), { tolerance: -1 })).toThrow(
      expect.objectContaining({ code: 'DESCRIPTOR_INVALID_OPTIONS' }),
    );
  });
});
