import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isActllmError } from '@actllm/core';
import {
  buildScene,
  fromAngleBin,
  fromBin,
  quantizeAngle,
  quantizeUnit,
  toAngleBin,
  toBin,
} from '../src/index.js';
import { bins } from './arbitraries.js';

describe('bins over [0, 1]', () => {
  it('maps a value to floor(v * bins), clamped, and decodes to the bin centre', () => {
    expect(toBin(0, 10)).toBe(0);
    expect(toBin(0.099, 10)).toBe(0);
    expect(toBin(0.1, 10)).toBe(1);
    expect(toBin(1, 10)).toBe(9);
    expect(toBin(-3, 10)).toBe(0);
    expect(toBin(7, 10)).toBe(9);
    expect(toBin(Number.NaN, 10)).toBe(0);
    expect(fromBin(3, 10)).toBeCloseTo(0.35, 15);
  });

  it('is a fixed point at bin resolution and stays within half a bin', () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 1, noNaN: true }), bins, (v, n) => {
        const q = quantizeUnit(v, n);
        expect(quantizeUnit(q, n)).toBe(q);
        expect(Math.abs(q - v)).toBeLessThanOrEqual(0.5 / n + 1e-12);
      }),
    );
  });
});

describe('yaw bins', () => {
  it('centres bin 0 on yaw 0 and wraps round the circle', () => {
    expect(toAngleBin(0, 8)).toBe(0);
    expect(fromAngleBin(0, 8)).toBe(0);
    expect(quantizeAngle(0, 7)).toBe(0);
    expect(toAngleBin(Math.PI, 8)).toBe(4);
    expect(toAngleBin(-Math.PI, 8)).toBe(4);
    expect(fromAngleBin(4, 8)).toBeCloseTo(Math.PI, 12);
    expect(toAngleBin(-Math.PI / 4, 8)).toBe(7);
    expect(fromAngleBin(7, 8)).toBeCloseTo(-Math.PI / 4, 12);
    expect(toAngleBin(0.1, 8)).toBe(0);
    expect(toAngleBin(-0.1, 8)).toBe(0);
    expect(toAngleBin(Number.NaN, 8)).toBe(0);
    expect(fromAngleBin(0, 1)).toBe(0);
  });

  it('is a fixed point and stays within half a bin, going the short way round', () => {
    fc.assert(
      fc.property(fc.double({ min: -10, max: 10, noNaN: true }), bins, (t, n) => {
        const q = quantizeAngle(t, n);
        expect(quantizeAngle(q, n)).toBe(q);
        const diff = Math.abs(Math.atan2(Math.sin(q - t), Math.cos(q - t)));
        expect(diff).toBeLessThanOrEqual(Math.PI / n + 1e-9);
      }),
    );
  });
});

describe('bin counts', () => {
  it.each([0, 1.5, -1, 5000, Number.NaN])('refuses %s with DESCRIPTOR_INVALID_OPTIONS', (n) => {
    expect(() => buildScene([], { bins: n })).toThrow(
      expect.objectContaining({ code: 'DESCRIPTOR_INVALID_OPTIONS' }),
    );
    try {
      buildScene([], { bins: n });
    } catch (e) {
      expect(isActllmError(e, 'DESCRIPTOR_INVALID_OPTIONS')).toBe(true);
    }
  });
});
