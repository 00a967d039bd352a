import { describe, expect, it } from 'vitest';
import {
  GraphBuilder,
  causalMask,
  embedding,
  gelu,
  rmsnorm,
  rotary,
  run,
  softmaxCrossEntropy,
} from '../src/index.js';
import { evaluate, expectTensor, t, values } from './fixtures/eval.js';
import { expectGradients, randomValues, wide } from './fixtures/gradcheck.js';

describe('composite helpers', () => {
  it('gelu (exact and tanh)', () => {
    const [e, a] = evaluate({ x: t([3], [-1, 0, 1]) }, (g, { x }) => [
      gelu(g, x!),
      gelu(g, x!, 'tanh'),
    ]);
    expectTensor(e, [3], [-0.15865525393145707, 0, 0.8413447460685429]);
    expectTensor(a, [3], [-0.15880800939172324, 0, 0.8411919906082768]);
  });

  it('rmsnorm', () => {
    const [y] = evaluate({ x: t([1, 2], [3, 4]), s: t([2], [1, 2]) }, (g, { x, s }) =>
      rmsnorm(g, x!, s!, 0),
    );
    const rms = Math.sqrt(12.5);
    expectTensor(y, [1, 2], [3 / rms, 8 / rms]);
  });

  it('causalMask is lower-triangular', () => {
    const g = new GraphBuilder();
    g.output(causalMask(g, 3), 'm');
    expectTensor(run(g.build(), {})['m'], [3, 3], [1, 0, 0, 1, 1, 0, 1, 1, 1]);
  });

  it('embedding looks up rows', () => {
    const [y] = evaluate(
      { w: t([3, 2], [0, 1, 10, 11, 20, 21]), ids: t([2], [2, 0], 'int64') },
      (g, { w, ids }) => embedding(g, w!, ids!),
    );
    expectTensor(y, [2, 2], [20, 21, 0, 1]);
  });

  it('rotary rotates pairs (i, i + d/2) by position * base^(-2i/d)', () => {
    const x = [1, 2, 3, 4, 1, 2, 3, 4];
    const [y] = evaluate({ x: t([2, 4], x) }, (g, { x: xr }) => rotary(g, xr!, { base: 100 }));
    const expected: number[] = [];
    for (let p = 0; p < 2; p++) {
      const out = [0, 0, 0, 0];
      for (let i = 0; i < 2; i++) {
        const th = p * Math.pow(100, (-2 * i) / 4);
        const [a, b] = [x[p * 4 + i] as number, x[p * 4 + i + 2] as number];
        out[i] = a * Math.cos(th) - b * Math.sin(th);
        out[i + 2] = b * Math.cos(th) + a * Math.sin(th);
      }
      expected.push(...out);
    }
    expectTensor(y, [2, 4], expected);
  });

  it('rotary with explicit positions matches the table rows', () => {
    const x = t([1, 4], [1, 2, 3, 4]);
    const [a] = evaluate({ x, p: t([1], [1], 'int64') }, (g, { x: xr, p }) =>
      rotary(g, xr!, { positions: p!, maxLength: 4 }),
    );
    const [b] = evaluate({ x: t([2, 4], [0, 0, 0, 0, 1, 2, 3, 4]) }, (g, { x: xr }) =>
      rotary(g, xr!),
    );
    expect(values(a!).map((v) => v.toFixed(5))).toEqual(
      values(b!)
        .slice(4)
        .map((v) => v.toFixed(5)),
    );
  });

  it('softmaxCrossEntropy ignores the ignore index and weighs tokens', () => {
    const logits = t([3, 2], [0, 0, Math.log(3), 0, 5, 5]);
    const [plain, weighted] = evaluate(
      { l: logits, y: t([3], [0, 0, -100], 'int64'), w: t([3], [1, 3, 7]) },
      (g, { l, y, w }) => [
        softmaxCrossEntropy(g, l!, y!),
        softmaxCrossEntropy(g, l!, y!, { weights: w! }),
      ],
    );
    const n0 = Math.log(2);
    const n1 = -Math.log(0.75);
    expectTensor(plain, [], [(n0 + n1) / 2]);
    expectTensor(weighted, [], [(n0 + 3 * n1) / 4]);
  });

  it('softmaxCrossEntropy of an all-ignored batch is 0', () => {
    const [l] = evaluate({ l: t([1, 2], [1, 2]), y: t([1], [-100], 'int32') }, (g, { l: lr, y }) =>
      softmaxCrossEntropy(g, lr!, y!),
    );
    expectTensor(l, [], [0]);
  });

  it.each([
    ['gelu', (g: GraphBuilder, x: ReturnType<GraphBuilder['input']>) => gelu(g, x)],
    ['gelu tanh', (g: GraphBuilder, x: ReturnType<GraphBuilder['input']>) => gelu(g, x, 'tanh')],
    ['rotary', (g: GraphBuilder, x: ReturnType<GraphBuilder['input']>) => rotary(g, x)],
  ])('%s gradient matches finite differences', (_name, f) => {
    expectGradients({
      build: (g) => f(g, g.input('x', 'float32', [3, 4])),
      feeds: { x: wide([3, 4], randomValues(40, 12, -2, 2)) },
    });
  });

  it('rmsnorm gradient matches finite differences', () => {
    expectGradients({
      build: (g) => rmsnorm(g, g.input('x', 'float32', [2, 3]), g.input('s', 'float32', [3])),
      feeds: { x: wide([2, 3], randomValues(41, 6)), s: wide([3], randomValues(42, 3)) },
    });
  });

  it('cross-entropy gradient (logits and weights) matches finite differences', () => {
    expectGradients({
      build: (g) =>
        softmaxCrossEntropy(g, g.input('l', 'float32', [2, 3, 4]), g.input('y', 'int64', [2, 3]), {
          weights: g.input('w', 'float32', [2, 3]),
        }),
      feeds: {
        l: wide([2, 3, 4], randomValues(43, 24, -2, 2)),
        y: t([2, 3], [0, 3, -100, 2, 1, 1], 'int64'),
        w: wide([2, 3], randomValues(44, 6, 0.5, 2)),
      },
      wrt: ['l', 'w'],
    });
  });
});
