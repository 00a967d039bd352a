import { describe, expect, it } from 'vitest';
import { Rng, isActllmError } from '../src/index.js';

// Reference outputs from the authors' C code (xoshiro128starstar.c and splitmix64.c from
// prng.di.unimi.it), compiled with gcc on the states below.
describe('Rng against the reference implementation', () => {
  it('matches xoshiro128** for the state [1, 2, 3, 4]', () => {
    const rng = Rng.fromState([1, 2, 3, 4]);
    const out = Array.from({ length: 6 }, () => rng.nextUint32());
    expect(out).toEqual([11520, 0, 5927040, 70819200, 2031721883, 1637235492]);
  });

  it('matches the reference jump() for the state [1, 2, 3, 4]', () => {
    const parent = Rng.fromState([1, 2, 3, 4]);
    parent.fork();
    expect(parent.state()).toEqual([2843103750, 2038079848, 1533207345, 44816753]);
    expect([parent.nextUint32(), parent.nextUint32(), parent.nextUint32()]).toEqual([
      1194304935, 745561276, 25819468,
    ]);
  });

  it('seeds through SplitMix64', () => {
    const rng = new Rng(42);
    expect(rng.state()).toEqual([803958421, 3184996902, 2993090819, 686809907]);
    expect(Array.from({ length: 5 }, () => rng.nextUint32())).toEqual([
      1776835114, 4165204688, 17111135, 2317295270, 2792088233,
    ]);
  });
});

describe('Rng', () => {
  it('gives the same stream for the same seed and another for another seed', () => {
    const a = new Rng(7);
    const b = new Rng(7);
    const c = new Rng(8);
    const draw = (r: Rng) => Array.from({ length: 10 }, () => r.next());
    const da = draw(a);
    expect(draw(b)).toEqual(da);
    expect(draw(c)).not.toEqual(da);
  });

  it('continues the same stream after a state round trip', () => {
    const a = new Rng(3);
    a.next();
    const b = Rng.fromState(a.state());
    expect(b.nextUint32()).toBe(a.nextUint32());
  });

  it('forks independent, reproducible streams', () => {
    const parent = new Rng(11);
    const child1 = parent.fork();
    const child2 = parent.fork();
    const draw = (r: Rng) => Array.from({ length: 8 }, () => r.nextUint32());
    const s1 = draw(child1);
    const s2 = draw(child2);
    const sp = draw(parent);
    expect(s1).not.toEqual(s2);
    expect(s1).not.toEqual(sp);
    const again = new Rng(11);
    expect(draw(again.fork())).toEqual(s1);
  });

  it('draws floats in [0, 1) with a plausible mean', () => {
    const rng = new Rng(1);
    const xs = Array.from({ length: 20000 }, () => rng.next());
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThan(1);
    expect(xs.reduce((a, b) => a + b, 0) / xs.length).toBeCloseTo(0.5, 1);
  });

  it('draws unbiased integers in [min, max)', () => {
    const rng = new Rng(2);
    const counts = [0, 0, 0];
    for (let i = 0; i < 30000; i++) counts[rng.int(-1, 2) + 1]!++;
    for (const c of counts) expect(Math.abs(c - 10000)).toBeLessThan(500);
    const big = rng.int(0, 2 ** 40);
    expect(Number.isInteger(big) && big >= 0 && big < 2 ** 40).toBe(true);
  });

  it('draws floats in a range, booleans and normals with the right moments', () => {
    const rng = new Rng(5);
    const f = rng.float(2, 3);
    expect(f >= 2 && f < 3).toBe(true);
    let trues = 0;
    for (let i = 0; i < 10000; i++) if (rng.bool(0.25)) trues++;
    expect(trues / 10000).toBeCloseTo(0.25, 1);
    const xs = Array.from({ length: 20000 }, () => rng.normal(1, 2));
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    const variance = xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length;
    expect(mean).toBeCloseTo(1, 1);
    expect(Math.sqrt(variance)).toBeCloseTo(2, 1);
  });

  it('picks and shuffles without touching the input', () => {
    const rng = new Rng(9);
    const items = [1, 2, 3, 4, 5, 6];
    const shuffled = rng.shuffle(items);
    expect(items).toEqual([1, 2, 3, 4, 5, 6]);
    expect([...shuffled].sort()).toEqual(items);
    expect(items).toContain(rng.pick(items));
  });

  it('refuses bad seeds, ranges, states and empty picks with INVALID_ARGUMENT', () => {
    const rng = new Rng(0);
    const bad = [
      () => new Rng(1.5),
      () => new Rng(Number.NaN),
      () => rng.int(3, 3),
      () => rng.int(0.5, 2),
      () => rng.pick([]),
      () => Rng.fromState([0, 0, 0, 0]),
      () => Rng.fromState([1, 2, 3] as unknown as [number, number, number, number]),
      () => Rng.fromState([1, 2, 3, 2 ** 32]),
    ];
    for (const f of bad) {
      let caught: unknown;
      try {
        f();
      } catch (e) {
        caught = e;
      }
      expect(isActllmError(caught, 'INVALID_ARGUMENT')).toBe(true);
    }
  });

  it('accepts negative seeds (modulo 2^64)', () => {
    expect(new Rng(-1).state()).toEqual(new Rng(-1).state());
    expect(new Rng(-1).state()).not.toEqual(new Rng(1).state());
  });
});
