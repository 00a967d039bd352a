import { describe, expect, it } from 'vitest';
import { GraphBuilder, run } from '../src/index.js';
import { evaluate, expectTensor, t, values } from './fixtures/eval.js';
import { expectGradients, randomValues, wide } from './fixtures/gradcheck.js';

describe('comparison, selection and cast', () => {
  it('Equal and Less broadcast and give bool', () => {
    const [eq, lt] = evaluate({ a: t([2, 2], [1, 2, 3, 4]), b: t([2], [2, 2]) }, (g, { a, b }) => [
      g.equal(a!, b!),
      g.less(a!, b!),
    ]);
    expect(eq?.dtype).toBe('bool');
    expectTensor(eq, [2, 2], [0, 1, 0, 0]);
    expectTensor(lt, [2, 2], [1, 0, 0, 0]);
  });

  it('Equal compares bool tensors', () => {
    const [eq] = evaluate(
      { a: t([3], [1, 0, 1], 'bool'), b: t([3], [1, 1, 1], 'bool') },
      (g, { a, b }) => g.equal(a!, b!),
    );
    expectTensor(eq, [3], [1, 0, 1]);
  });

  it('Where selects with a broadcast condition', () => {
    const [y] = evaluate(
      { c: t([2, 1], [1, 0], 'bool'), a: t([2, 2], [1, 2, 3, 4]) },
      (g, { c, a }) => g.where(c!, a!, -1),
    );
    expectTensor(y, [2, 2], [1, 2, -1, -1]);
  });

  it('Cast truncates floats toward zero and maps non-zero to true', () => {
    const [i, b, f] = evaluate({ x: t([4], [1.7, -1.7, 0, 2.5]) }, (g, { x }) => [
      g.cast(x!, 'int64'),
      g.cast(x!, 'bool'),
      g.cast(g.cast(x!, 'int32'), 'float32'),
    ]);
    expect(i?.dtype).toBe('int64');
    expectTensor(i, [4], [1, -1, 0, 2]);
    expectTensor(b, [4], [1, 1, 0, 1]);
    expectTensor(f, [4], [1, -1, 0, 2]);
  });

  it('Where gradient flows to both branches (not the condition)', () => {
    expectGradients({
      build: (g) =>
        g.where(
          g.input('c', 'bool', [2, 3]),
          g.input('a', 'float32', [2, 3]),
          g.input('b', 'float32', [3]),
        ),
      feeds: {
        c: t([2, 3], [1, 0, 1, 0, 0, 1], 'bool'),
        a: wide([2, 3], randomValues(1, 6)),
        b: wide([3], randomValues(2, 3)),
      },
      wrt: ['a', 'b'],
    });
  });

  it('Cast float32 -> float32 passes the gradient; a path through int64 has none', () => {
    expectGradients({
      build: (g) => {
        const x = g.input('x', 'float32', [3]);
        return g.add(g.cast(x, 'float32'), g.cast(g.cast(x, 'int64'), 'float32'));
      },
      feeds: { x: wide([3], [0.3, 1.4, -2.2]) },
    });
  });
});

describe('generators', () => {
  it('Constant holds a tensor', () => {
    const g = new GraphBuilder();
    g.output(g.constant([1, 2, 3, 4], 'int32', [2, 2]), 'c');
    expectTensor(run(g.build(), {})['c'], [2, 2], [1, 2, 3, 4]);
  });

  it('Range (int64 and float32, negative delta)', () => {
    const g = new GraphBuilder();
    g.output(g.range(0, 5, 2), 'a');
    g.output(g.range(1, 0, -0.25, 'float32'), 'b');
    const out = run(g.build(), {});
    expectTensor(out['a'], [3], [0, 2, 4]);
    expectTensor(out['b'], [4], [1, 0.75, 0.5, 0.25]);
  });

  it('Range with a runtime limit has a symbolic length', () => {
    const g = new GraphBuilder();
    const n = g.input('n', 'int64', []);
    const r = g.range(0, n, 1);
    expect(typeof r.shape[0]).toBe('string');
    g.output(r, 'r');
    expectTensor(run(g.build(), { n: t([], [3], 'int64') })['r'], [3], [0, 1, 2]);
  });

  it('ConstantOfShape fills a shape computed in the graph', () => {
    const g = new GraphBuilder();
    const x = g.input('x', 'float32', ['batch', 2]);
    const ones = g.constantOfShape(g.shape(x), 1, 'float32');
    expect(ones.shape).toEqual(['batch', 2]);
    g.output(ones, 'y');
    g.output(g.shape(x), 's');
    const out = run(g.build(), { x: t([3, 2], [0, 0, 0, 0, 0, 0]) });
    expectTensor(out['y'], [3, 2], [1, 1, 1, 1, 1, 1]);
    expect(values(out['s']!)).toEqual([3, 2]);
  });
});
