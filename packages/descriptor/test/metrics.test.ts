import { describe, expect, it } from 'vitest';
import { compare, type SceneDescriptor } from '../src/index.js';

const truth: SceneDescriptor = {
  version: 1,
  objects: [
    { object: 'block', color: 'red', x: 0.2, y: 0.2, theta: 0.5 },
    { object: 'bowl', color: 'green', x: 0.8, y: 0.8 },
    { object: 'pan', color: 'blue', x: 0.5, y: 0.5 },
  ],
};

describe('compare', () => {
  it('scores a perfect prediction as perfect', () => {
    const r = compare(truth, truth);
    expect(r).toMatchObject({
      precision: 1,
      recall: 1,
      f1: 1,
      meanPositionError: 0,
      meanThetaError: 0,
    });
    expect(r.attributeAccuracy).toEqual({ object: 1, color: 1, both: 1 });
  });

  it('matches on attributes and distance, counts far objects as misses, and scores attributes', () => {
    const predicted: SceneDescriptor = {
      version: 1,
      objects: [
        { object: 'bowl', color: 'green', x: 0.22, y: 0.2 }, // wrong shape and colour near the block
        { object: 'block', color: 'red', x: 0.8, y: 0.83, theta: 0.4 }, // wrong position: not a match
        { object: 'pan', color: 'red', x: 0.5, y: 0.53 }, // right place, wrong colour
        { object: 'bowl', color: 'green', x: 0.05, y: 0.95 }, // nothing there
      ],
    };
    const r = compare(predicted, truth);
    // Attributes steer the assignment: block<->block and bowl<->bowl cost less in total, but
    // those pairs are far apart, so they do not count.
    expect(r.truePositives).toBe(1);
    expect(r.matches).toEqual([
      {
        predicted: 2,
        truth: 2,
        distance: expect.closeTo(0.03, 9) as number,
        objectCorrect: true,
        colorCorrect: false,
      },
    ]);
    expect(r.precision).toBe(0.25);
    expect(r.recall).toBeCloseTo(1 / 3, 12);
    expect(r.attributeAccuracy).toEqual({ object: 1, color: 0, both: 0 });
    expect(r.meanThetaError).toBeNull();
  });

  it('lets position dominate when attributes cost nothing', () => {
    const predicted: SceneDescriptor = {
      version: 1,
      objects: [{ object: 'bowl', color: 'green', x: 0.21, y: 0.2 }],
    };
    const r = compare(predicted, truth, { attributeCost: 0 });
    expect(r.matches).toEqual([
      expect.objectContaining({ predicted: 0, truth: 0, objectCorrect: false }),
    ]);
  });

  it('handles empty scenes with the documented conventions', () => {
    const empty: SceneDescriptor = { version: 1, objects: [] };
    expect(compare(empty, empty)).toMatchObject({
      precision: 1,
      recall: 1,
      f1: 1,
      attributeAccuracy: null,
      meanPositionError: null,
    });
    expect(compare(empty, truth)).toMatchObject({ precision: 1, recall: 0, falseNegatives: 3 });
    expect(compare(truth, empty)).toMatchObject({ precision: 0, recall: 1, falsePositives: 3 });
  });

  it('refuses invalid scenes and options', () => {
    expect(() =>
      compare({ version: 1, objects: [{ object: 'a', color: 'b', x: 3, y: 0 }] }, truth),
    ).toThrow(expect.objectContaining({ code: 'DESCRIPTOR_INVALID_SCENE' }));
    expect(() => compare(truth, truth, { matchDistance: -1 })).toThrow(
      expect.objectContaining({ code: 'DESCRIPTOR_INVALID_OPTIONS' }),
    );
  });
});
