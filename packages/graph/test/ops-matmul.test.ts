import { describe, expect, it } from 'vitest';
import { caught, GraphBuilder } from './fixtures/errors.js';
import { evaluate, expectTensor, t } from './fixtures/eval.js';
import { expectGradients, randomValues, wide } from './fixtures/gradcheck.js';

const A = t([2, 3], [1, 2, 3, 4, 5, 6]);
const B = t([3, 2], [1, 0, 0, 1, 1, 1]);

describe('MatMul', () => {
  it('multiplies matrices', () => {
    const [y] = evaluate({ a: A, b: B }, (g, { a, b }) => g.matmul(a!, b!));
    expectTensor(y, [2, 2], [4, 5, 10, 11]);
  });

  it('broadcasts batch dimensions', () => {
    const [y] = evaluate({ a: t([2, 1, 2], [1, 2, 3, 4]), b: t([2, 1], [1, 10]) }, (g, { a, b }) =>
      g.matmul(a!, b!),
    );
    expectTensor(y, [2, 1, 1], [21, 43]);
  });

  it('treats 1-D operands as vectors (numpy semantics)', () => {
    const [vm, mv, vv] = evaluate({ v: t([3], [1, 1, 1]), a: A, b: B }, (g, { v, a, b }) => [
      g.matmul(v!, b!),
      g.matmul(a!, v!),
      g.matmul(v!, v!),
    ]);
    expectTensor(vm, [2], [2, 2]);
    expectTensor(mv, [2], [6, 15]);
    expectTensor(vv, [], [3]);
  });

  it('names the op and shapes when inner dimensions differ', () => {
    const g = new GraphBuilder();
    const e = caught(() =>
      g.matmul(g.input('a', 'float32', ['batch', 3]), g.input('b', 'float32', [4, 2])),
    );
    expect(e.code).toBe('GRAPH_SHAPE_MISMATCH');
    expect(e.message).toBe(
      'MatMul(a: float32[batch, 3], b: float32[4, 2]): the contracted dimensions differ (3 vs 4).',
    );
  });

  it.each([
    ['2-D', [2, 3], [3, 4]],
    ['batched with broadcast', [2, 1, 2, 3], [3, 3, 2]],
    ['vector @ matrix', [3], [3, 2]],
    ['matrix @ vector', [2, 3], [3]],
  ] as const)('gradient (%s) matches finite differences', (_name, sa, sb) => {
    const size = (s: readonly number[]): number => s.reduce((p, d) => p * d, 1);
    expectGradients({
      build: (g) => g.matmul(g.input('a', 'float32', sa), g.input('b', 'float32', sb)),
      feeds: { a: wide(sa, randomValues(30, size(sa))), b: wide(sb, randomValues(31, size(sb))) },
    });
  });
});

describe('Gemm', () => {
  it('computes alpha * A B + beta * C with transposes and a broadcast C', () => {
    const [y] = evaluate(
      { a: t([3, 2], [1, 4, 2, 5, 3, 6]), b: B, c: t([2], [1, -1]) },
      (g, { a, b, c }) => g.gemm(a!, b!, c, { alpha: 2, beta: 3, transA: true }),
    );
    expectTensor(y, [2, 2], [11, 7, 23, 19]);
    const [z] = evaluate({ a: A, b: t([2, 3], [1, 0, 1, 0, 1, 1]) }, (g, { a, b }) =>
      g.gemm(a!, b!, undefined, { transB: true }),
    );
    expectTensor(z, [2, 2], [4, 5, 10, 11]);
  });

  it.each([
    [false, false],
    [true, false],
    [false, true],
    [true, true],
  ])('gradient (transA %s, transB %s) matches finite differences', (transA, transB) => {
    const sa = transA ? [3, 2] : [2, 3];
    const sb = transB ? [4, 3] : [3, 4];
    expectGradients({
      build: (g) =>
        g.gemm(
          g.input('a', 'float32', sa),
          g.input('b', 'float32', sb),
          g.input('c', 'float32', [1, 4]),
          { alpha: 0.7, beta: 1.3, transA, transB },
        ),
      feeds: {
        a: wide(sa, randomValues(32, 6)),
        b: wide(sb, randomValues(33, 12)),
        c: wide([1, 4], randomValues(34, 4)),
      },
    });
  });
});
