import type { GraphBuilder, TensorRef } from '../src/index.js';
import { describe, expect, it } from 'vitest';
import { evaluate, expectTensor, t } from './fixtures/eval.js';
import { expectGradients, randomValues, wide } from './fixtures/gradcheck.js';

const X = t([2, 3], [1, 5, 3, 4, 2, 6]);

describe('reductions', () => {
  it('ReduceSum over axes with and without keepdims, and over everything', () => {
    const [a, b, c] = evaluate({ x: X }, (g, { x }) => [
      g.reduceSum(x!, [1], true),
      g.reduceSum(x!, [0], false),
      g.reduceSum(x!),
    ]);
    expectTensor(a, [2, 1], [9, 12]);
    expectTensor(b, [3], [5, 7, 9]);
    expectTensor(c, [1, 1], [21]);
  });

  it('ReduceMean and ReduceMax (negative axes)', () => {
    const [m, mx] = evaluate({ x: X }, (g, { x }) => [
      g.reduceMean(x!, [-1], false),
      g.reduceMax(x!, [0], true),
    ]);
    expectTensor(m, [2], [3, 4]);
    expectTensor(mx, [1, 3], [4, 5, 6]);
  });

  it.each([
    ['ReduceSum', (g: GraphBuilder, x: TensorRef) => g.reduceSum(x, [0, 2], false)],
    ['ReduceMean', (g: GraphBuilder, x: TensorRef) => g.reduceMean(x, [1], true)],
    ['ReduceMax', (g: GraphBuilder, x: TensorRef) => g.reduceMax(x, [-1], false)],
  ] as const)('%s gradient matches finite differences', (_name, f) => {
    expectGradients({
      build: (g) => f(g, g.input('x', 'float32', [2, 3, 4])),
      feeds: { x: wide([2, 3, 4], randomValues(7, 24)) },
    });
  });

  it('ReduceMean gradient with a symbolic batch uses the runtime count', () => {
    expectGradients({
      build: (g) => g.reduceMean(g.input('x', 'float32', ['n', 3]), [0], false),
      feeds: { x: wide([4, 3], randomValues(8, 12)) },
    });
  });
});

describe('softmax family and layer normalization', () => {
  it('Softmax and LogSoftmax along an axis', () => {
    const [s, l] = evaluate({ x: t([2, 2], [0, Math.log(3), 1, 1]) }, (g, { x }) => [
      g.softmax(x!, -1),
      g.logSoftmax(x!, 0),
    ]);
    expectTensor(s, [2, 2], [0.25, 0.75, 0.5, 0.5]);
    // Column 0: logsoftmax([0, 1]); column 1: logsoftmax([ln3, 1]).
    const lse0 = Math.log(1 + Math.E);
    const lse1 = Math.log(3 + Math.E);
    expectTensor(l, [2, 2], [-lse0, Math.log(3) - lse1, 1 - lse0, 1 - lse1]);
  });

  it('Softmax is stable for large logits', () => {
    const [s] = evaluate({ x: t([2], [1000, 1000]) }, (g, { x }) => g.softmax(x!));
    expectTensor(s, [2], [0.5, 0.5]);
  });

  it('LayerNormalization normalizes over the last axes with scale and bias', () => {
    const [y] = evaluate(
      { x: t([2, 2], [1, 3, 5, 3]), s: t([2], [2, 1]), b: t([2], [0, 1]) },
      (g, { x, s, b }) => g.layerNorm(x!, s!, b, { epsilon: 0 }),
    );
    expectTensor(y, [2, 2], [-2, 2, 2, 0]);
  });

  it('LayerNormalization can return Mean and InvStdDev', () => {
    const [y, mean, inv] = evaluate({ x: t([1, 2], [1, 3]), s: t([2], [1, 1]) }, (g, { x, s }) =>
      g.op('LayerNormalization', [x!, s!], { axis: -1, epsilon: 0 }, 3),
    );
    expectTensor(y, [1, 2], [-1, 1]);
    expectTensor(mean, [1, 1], [2]);
    expectTensor(inv, [1, 1], [1]);
  });

  it.each([
    ['Softmax', (g: GraphBuilder, x: TensorRef) => g.softmax(x, 1)],
    ['LogSoftmax', (g: GraphBuilder, x: TensorRef) => g.logSoftmax(x, -1)],
  ] as const)('%s gradient matches finite differences', (_name, f) => {
    expectGradients({
      build: (g) => f(g, g.input('x', 'float32', [2, 3, 2])),
      feeds: { x: wide([2, 3, 2], randomValues(9, 12, -2, 2)) },
    });
  });

  it('LayerNormalization gradient (x, scale, bias; axis 1) matches finite differences', () => {
    expectGradients({
      build: (g) =>
        g.layerNorm(
          g.input('x', 'float32', [2, 2, 3]),
          g.input('s', 'float32', [2, 3]),
          g.input('b', 'float32', [3]),
          { axis: 1 },
        ),
      feeds: {
        x: wide([2, 2, 3], randomValues(10, 12, -2, 2)),
        s: wide([2, 3], randomValues(11, 6)),
        b: wide([3], randomValues(12, 3)),
      },
    });
  });

  it('rejects an out-of-range axis at build time', () => {
    expect(() => evaluate({ x: X }, (g, { x }) => g.softmax(x!, 2))).toThrow(
      /Softmax\(x: float32\[2, 3\]\): axis 2/,
    );
  });
});
