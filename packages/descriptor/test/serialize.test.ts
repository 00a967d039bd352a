import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  canonicalizeScene,
  compactVocabulary,
  parseScene,
  toCompact,
  toJson,
  type SceneDescriptor,
} from '../src/index.js';
import { bins, scene } from './arbitraries.js';

const example: SceneDescriptor = {
  version: 1,
  objects: [
    { object: 'block', color: 'red', x: 0.125, y: 0.375, theta: 0.5, id: 'o1' },
    { object: 'bowl', color: 'green', x: 0.875, y: 0.625, w: 0.125, h: 0.375, view: 'top' },
  ],
};

describe('canonical JSON', () => {
  it('writes keys in a fixed order whatever order they were given in', () => {
    const shuffled = {
      objects: [{ y: 0.5, id: 'a', x: 0.25, color: 'red', object: 'block' }],
      version: 1 as const,
    };
    expect(toJson(shuffled)).toBe(
      '{"version":1,"objects":[{"object":"block","color":"red","x":0.25,"y":0.5,"id":"a"}]}',
    );
    expect(toJson(shuffled, { indent: 2 })).toContain('\n  "objects"');
  });

  it('round-trips every valid scene exactly (property)', () => {
    fc.assert(
      fc.property(scene, (s) => {
        const result = parseScene(toJson(s), { format: 'json' });
        expect(result.problems).toEqual([]);
        // JSON has no negative zero; everything else comes back bit for bit.
        expect(result.scene).toEqual(JSON.parse(JSON.stringify(s)));
      }),
      { numRuns: 300 },
    );
  });

  it('refuses an invalid scene with DESCRIPTOR_INVALID_SCENE', () => {
    const bad = { version: 1, objects: [{ object: 'block', color: 'red', x: 2, y: 0 }] } as const;
    expect(() => toJson(bad)).toThrow(
      expect.objectContaining({ code: 'DESCRIPTOR_INVALID_SCENE' }),
    );
    expect(() => toCompact(bad)).toThrow(
      expect.objectContaining({ code: 'DESCRIPTOR_INVALID_SCENE' }),
    );
  });
});

describe('compact form', () => {
  it('writes one whitespace-separated token per field value', () => {
    expect(toCompact(example, { bins: 4 })).toBe(
      '<scene_v1> <obj> block red <x_0> <y_1> <t_0> <id> o1 </obj> <obj> bowl green <x_3> <y_2> <w_0> <h_1> <view_top> </obj> </scene>',
    );
  });

  it('uses only vocabulary tokens besides names', () => {
    fc.assert(
      fc.property(scene, bins, (s, n) => {
        const vocabulary = new Set(compactVocabulary(n));
        const names = new Set(s.objects.flatMap((o) => [o.object, o.color, o.id ?? '']));
        for (const token of toCompact(s, { bins: n }).split(' ')) {
          expect(vocabulary.has(token) || names.has(token)).toBe(true);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('round-trips scenes at bin resolution exactly, in both forms (property)', () => {
    fc.assert(
      fc.property(scene, bins, (raw, n) => {
        const s = canonicalizeScene(raw, { bins: n });
        const compact = parseScene(toCompact(s, { bins: n }), { bins: n });
        expect(compact).toEqual({ ok: true, format: 'compact', scene: s, problems: [] });
        const json = parseScene(toJson(s), { bins: n });
        expect(json).toEqual({ ok: true, format: 'json', scene: s, problems: [] });
      }),
      { numRuns: 1000 },
    );
  });

  it('quantizes a scene that is not at bin resolution', () => {
    const result = parseScene(
      toCompact(
        { version: 1, objects: [{ object: 'a', color: 'b', x: 0.3, y: 0.3 }] },
        { bins: 2 },
      ),
      { bins: 2 },
    );
    expect(result.scene?.objects[0]).toEqual({ object: 'a', color: 'b', x: 0.25, y: 0.25 });
  });

  it('lists the vocabulary: 7 structure tokens, then 5 fields of bins each', () => {
    const v = compactVocabulary(3);
    expect(v).toHaveLength(7 + 15);
    expect(v.slice(0, 7)).toEqual([
      '<scene_v1>',
      '</scene>',
      '<obj>',
      '</obj>',
      '<id>',
      '<view_top>',
      '<view_front>',
    ]);
    expect(v.slice(7, 10)).toEqual(['<x_0>', '<x_1>', '<x_2>']);
    expect(v.at(-1)).toBe('<t_2>');
    expect(new Set(compactVocabulary()).size).toBe(7 + 500);
  });
});
