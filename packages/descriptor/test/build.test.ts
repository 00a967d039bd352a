import { describe, expect, it } from 'vitest';
import type { ObjectState } from '@actllm/core';
import { buildScene, canonicalizeScene, fromBin, quantizeAngle } from '../src/index.js';
import { objectState } from './arbitraries.js';

const states: ObjectState[] = [
  objectState('o1', 'bowl', 'green', 0.7, 0.2, 1),
  objectState('o2', 'block', 'red', 0.3, 0.6, -0.5),
  objectState('o3', 'block', 'blue', 0.1, 0.2, 0),
];

describe('buildScene', () => {
  it('describes the workspace frame from pose (and size when asked), quantized', () => {
    const scene = buildScene(states, { bins: 10, size: true, ids: true });
    expect(scene.version).toBe(1);
    expect(scene.objects[2]).toEqual({
      object: 'block',
      color: 'red',
      x: fromBin(3, 10),
      y: fromBin(6, 10),
      w: fromBin(0, 10),
      h: fromBin(0, 10),
      theta: quantizeAngle(-0.5, 10),
      id: 'o2',
    });
  });

  it('orders objects by y bin, then x bin, then name, whatever the input order', () => {
    const a = buildScene(states, { bins: 10 });
    const b = buildScene([...states].reverse(), { bins: 10 });
    expect(a).toEqual(b);
    expect(a.objects.map((o) => o.object + ':' + o.color)).toEqual([
      'block:blue',
      'bowl:green',
      'block:red',
    ]);
  });

  it('describes a view from bounding-box centres and leaves out objects not visible there', () => {
    const hidden: ObjectState = {
      ...objectState('o4', 'pan', 'red', 0.5, 0.5, 0),
      bbox: { top: null },
    };
    const scene = buildScene([...states, hidden], { frame: 'top', bins: 100, size: true });
    expect(scene.objects).toHaveLength(3);
    expect(scene.objects[0]).toEqual({
      object: 'block',
      color: 'blue',
      x: 0.105,
      y: 0.205,
      w: 0.085,
      h: 0.065,
      view: 'top',
    });
    expect(buildScene(states, { frame: 'front' }).objects).toEqual([]);
  });

  it('refuses theta in a view, unwritable names and non-finite poses', () => {
    expect(() => buildScene(states, { frame: 'top', theta: true })).toThrow(
      expect.objectContaining({ code: 'DESCRIPTOR_INVALID_OPTIONS' }),
    );
    expect(() => buildScene([objectState('o', 'letter r', 'red', 0.5, 0.5, 0)])).toThrow(
      expect.objectContaining({ code: 'DESCRIPTOR_INVALID_OBJECT' }),
    );
    expect(() => buildScene([objectState('o', 'block', 'red', Number.NaN, 0.5, 0)])).toThrow(
      expect.objectContaining({ code: 'DESCRIPTOR_INVALID_OBJECT' }),
    );
    expect(() =>
      buildScene([objectState('bad id', 'block', 'red', 0.5, 0.5, 0)], { ids: true }),
    ).toThrow(/bad id/);
  });

  it('clamps positions outside the workspace into the edge bins', () => {
    const scene = buildScene([objectState('o', 'block', 'red', 1.2, -0.1, 0)], { bins: 4 });
    expect(scene.objects[0]).toMatchObject({ x: 0.875, y: 0.125 });
  });
});

describe('canonicalizeScene', () => {
  it('quantizes and sorts a scene, keeping which fields are present', () => {
    const scene = canonicalizeScene(
      {
        version: 1,
        objects: [
          { object: 'b', color: 'c', x: 0.9, y: 0.9, id: 'z' },
          { object: 'a', color: 'c', x: 0.12, y: 0.1, w: 0.5 },
        ],
      },
      { bins: 10 },
    );
    expect(scene.objects).toEqual([
      { object: 'a', color: 'c', x: 0.15, y: 0.15, w: 0.55 },
      { object: 'b', color: 'c', x: 0.95, y: 0.95, id: 'z' },
    ]);
  });
});
