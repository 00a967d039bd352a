import { distance } from '@actllm/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assign } from '../src/hungarian.js';
import { pairIdentical } from '../src/identical.js';
import {
  MAX_SCENE_OBJECTS,
  compare,
  inferAction,
  parseScene,
  toCompact,
  toJson,
  type DescribedObject,
  type SceneDescriptor,
} from '../src/index.js';

// Inputs a fuzzer or a model stuck in a loop produces. No timing assertions: each case must
// finish (within vitest's default timeout) and return problems instead of throwing.

const deep = (n: number, open: string, close: string, inner = '1') =>
  open.repeat(n) + inner + close.repeat(n);

const block = (x: number, y: number): DescribedObject => ({ object: 'block', color: 'red', x, y });

// Sizes, not speed: generous timeouts so a loaded CI machine does not fail them.
describe('parseScene on hostile text', { timeout: 120_000 }, () => {
  const n = 200_000;
  it.each([
    ['a deeply nested version', `{"version":${deep(n, '[', ']', '')},"objects":[]}`],
    ['a deeply nested object', `{"version":1,"objects":[${deep(n, '[', ']', '')}]}`],
    ['a deeply nested field', `{"version":1,"objects":[{"object":${deep(n, '{"a":', '}')}}]}`],
    ['a deeply nested unknown key', `{"version":1,"objects":[],"zz":${deep(n, '{"a":', '}')}}`],
    ['truncated deep nesting', `{"version":1,"objects":[${'['.repeat(n)}`],
    ['a deeply nested document', deep(n, '[', ']')],
  ])('%s: reports problems, never throws', (_, text) => {
    for (const mode of ['strict', 'tolerant'] as const) {
      const result = parseScene(text, { mode });
      expect(result.ok).toBe(false);
      expect(result.problems.length).toBeGreaterThan(0);
      for (const p of result.problems) expect(p.message.length).toBeLessThan(400);
    }
  });

  it('locates 10^5 unknown keys in one pass (this was quadratic)', () => {
    const keys = Array.from({ length: 100_000 }, (_, i) => `,"k${i}":1`).join('');
    const result = parseScene(`{"version":1,"objects":[]${keys}}`);
    expect(result.problems).toHaveLength(100_000);
    expect(result.problems[99_999]).toMatchObject({ code: 'unknown_field', length: 8 });
    const inObject = parseScene(
      `{"version":1,"objects":[{"object":"a","color":"b","x":0,"y":0${keys}}]}`,
    );
    expect(inObject.problems).toHaveLength(1);
    expect(inObject.problems[0]!.message).toContain('and 99995 more');
  });

  it('keeps the first MAX_SCENE_OBJECTS of 10^5 repeated objects, in both forms', () => {
    const objects = Array.from({ length: 100_000 }, () => block(0.505, 0.505));
    const tooMany = { version: 1, objects } as unknown as SceneDescriptor;
    const capped: SceneDescriptor = { version: 1, objects: objects.slice(0, MAX_SCENE_OBJECTS) };
    const texts = [
      toCompact(capped).replace(
        ' </scene>',
        ' <obj> block red <x_50> <y_50> </obj>'.repeat(100_000 - MAX_SCENE_OBJECTS) + ' </scene>',
      ),
      JSON.stringify(tooMany),
      JSON.stringify(tooMany).slice(0, -3), // broken JSON: recovered leaf by leaf
    ];
    for (const text of texts) {
      const result = parseScene(text, { mode: 'tolerant' });
      expect(result.scene?.objects).toHaveLength(MAX_SCENE_OBJECTS);
      expect(result.problems.map((p) => p.code)).toContain('too_many_objects');
      expect(parseScene(text).scene).toBeNull();
    }
    expect(parseScene(toJson(capped)).ok).toBe(true);
  });
});

describe('matching at the object cap', { timeout: 120_000 }, () => {
  const full = (dx: number): SceneDescriptor => ({
    version: 1,
    objects: Array.from({ length: MAX_SCENE_OBJECTS }, (_, i) =>
      block(((i % 16) + 0.5 + dx) / 17, (Math.floor(i / 16) + 0.5) / 17),
    ),
  });

  it('inferAction and compare finish on full scenes, moved and unmoved', () => {
    expect(inferAction(full(0), full(0))).toEqual({ status: 'none' });
    const all = inferAction(full(0), full(0.3));
    expect(all).toMatchObject({ status: 'ambiguous', reason: 'several_moved' });
    expect(all.status === 'ambiguous' && all.moved).toHaveLength(MAX_SCENE_OBJECTS);
    const one = full(0).objects.map((o, i) => (i === 100 ? block(0.99, 0.99) : o));
    expect(inferAction(full(0), { version: 1, objects: one })).toMatchObject({
      status: 'action',
      action: { kind: 'pick_place', to: { x: 0.99, y: 0.99 } },
    });
    expect(compare(full(0), full(0)).f1).toBe(1);
    expect(compare(full(0), full(0.3)).truePositives).toBe(MAX_SCENE_OBJECTS);
  });

  it('pairing identical objects first keeps the assignment optimal (property)', () => {
    const point = fc.record({
      x: fc.integer({ min: 0, max: 4 }).map((i) => i / 4),
      y: fc.integer({ min: 0, max: 4 }).map((i) => i / 4),
    });
    fc.assert(
      fc.property(fc.array(point, { maxLength: 8 }), fc.array(point, { maxLength: 8 }), (a, b) => {
        const key = (p: { x: number; y: number }) => `${p.x},${p.y}`;
        const plain = assign(a.map((p) => b.map((q) => distance(p, q)))).total;
        const rest = pairIdentical(a, b, key, []);
        const after = assign(rest.before.map((p) => rest.after.map((q) => distance(p, q)))).total;
        expect(after).toBeCloseTo(plain, 9);
      }),
    );
  });
});
