import { describe, expect, it } from 'vitest';
import {
  WORKSPACE,
  angleDifference,
  clampToWorkspace,
  distance,
  interpolatePose,
  isInWorkspace,
  normalizeAngle,
  symmetricAngleDistance,
} from '../src/index.js';

const { PI } = Math;

describe('geometry', () => {
  it('bounds the workspace to [0, 1]^2, bounds included', () => {
    expect(WORKSPACE).toEqual({ xMin: 0, xMax: 1, yMin: 0, yMax: 1 });
    expect(isInWorkspace({ x: 0, y: 1 })).toBe(true);
    expect(isInWorkspace({ x: 0.5, y: 0.5 })).toBe(true);
    expect(isInWorkspace({ x: -1e-9, y: 0.5 })).toBe(false);
    expect(isInWorkspace({ x: 0.5, y: 1.0001 })).toBe(false);
    expect(isInWorkspace({ x: Number.NaN, y: 0.5 })).toBe(false);
  });

  it('clamps into the workspace and keeps other fields', () => {
    expect(clampToWorkspace({ x: -2, y: 3, theta: 1 })).toEqual({ x: 0, y: 1, theta: 1 });
  });

  it.each([
    [0, 0],
    [PI, PI],
    [-PI, PI],
    [3 * PI, PI],
    [2 * PI, 0],
    [-PI / 2, -PI / 2],
    [(7 * PI) / 2, -PI / 2],
    [(-5 * PI) / 2, -PI / 2],
  ])('normalizes %f to %f in (-pi, pi]', (input, expected) => {
    expect(normalizeAngle(input)).toBeCloseTo(expected, 12);
  });

  it('takes the shortest signed rotation', () => {
    expect(angleDifference(0.9 * PI, -0.9 * PI)).toBeCloseTo(0.2 * PI, 12);
    expect(angleDifference(-0.9 * PI, 0.9 * PI)).toBeCloseTo(-0.2 * PI, 12);
  });

  it('measures yaw distance under rotational symmetry', () => {
    expect(symmetricAngleDistance(0, PI / 2, 4)).toBeCloseTo(0, 12);
    expect(symmetricAngleDistance(0, PI / 4, 4)).toBeCloseTo(PI / 4, 12);
    expect(symmetricAngleDistance(0, 0.3 * PI, 4)).toBeCloseTo(0.2 * PI, 12);
    expect(symmetricAngleDistance(0.1, -0.1)).toBeCloseTo(0.2, 12);
    expect(symmetricAngleDistance(0, (2 * PI) / 3 + 0.01, 3)).toBeCloseTo(0.01, 12);
  });

  it('measures distances and interpolates poses the short way round', () => {
    expect(distance({ x: 0, y: 0 }, { x: 0.3, y: 0.4 })).toBeCloseTo(0.5, 12);
    const mid = interpolatePose(
      { x: 0, y: 0, theta: 0.9 * PI },
      { x: 1, y: 0.5, theta: -0.9 * PI },
      0.5,
    );
    expect(mid.x).toBeCloseTo(0.5, 12);
    expect(mid.y).toBeCloseTo(0.25, 12);
    expect(Math.abs(mid.theta)).toBeCloseTo(PI, 12);
  });
});
