import { describe, expect, it } from 'vitest';
import { grad, run, type TensorRef } from '../src/index.js';
import { GraphBuilder, caught, isGraphError } from './fixtures/errors.js';
import { evaluate, expectTensor, t, values } from './fixtures/eval.js';
import { expectGradients, gradCheckGraph, randomValues, wide } from './fixtures/gradcheck.js';

const X = t([2, 3], [1, 2, 3, 4, 5, 6]);

describe('shape ops: values', () => {
  it('Reshape with 0 (copy) and -1 (inferred)', () => {
    const [a, b] = evaluate({ x: X }, (g, { x }) => [
      g.reshape(x!, [3, -1]),
      g.reshape(x!, [0, 3, 1]),
    ]);
    expectTensor(a, [3, 2], [1, 2, 3, 4, 5, 6]);
    expectTensor(b, [2, 3, 1], [1, 2, 3, 4, 5, 6]);
  });

  it('Transpose with a permutation and the default reversal', () => {
    const [a] = evaluate({ x: X }, (g, { x }) => g.transpose(x!));
    expectTensor(a, [3, 2], [1, 4, 2, 5, 3, 6]);
    const [b] = evaluate({ x: t([1, 2, 3], [1, 2, 3, 4, 5, 6]) }, (g, { x }) =>
      g.transpose(x!, [2, 0, 1]),
    );
    expectTensor(b, [3, 1, 2], [1, 4, 2, 5, 3, 6]);
  });

  it('Concat along an inner axis', () => {
    const [y] = evaluate({ a: X, b: t([2, 1], [7, 8]) }, (g, { a, b }) => g.concat([a!, b!], 1));
    expectTensor(y, [2, 4], [1, 2, 3, 7, 4, 5, 6, 8]);
  });

  it('Split by sizes and into equal parts', () => {
    const [a, b] = evaluate({ x: X }, (g, { x }) => g.split(x!, [1, 2], 1));
    expectTensor(a, [2, 1], [1, 4]);
    expectTensor(b, [2, 2], [2, 3, 5, 6]);
    const [c, d] = evaluate({ x: X }, (g, { x }) => g.split(x!, 2, 0));
    expectTensor(c, [1, 3], [1, 2, 3]);
    expectTensor(d, [1, 3], [4, 5, 6]);
  });

  it('Slice with negative indices, clamping, steps and reversal', () => {
    const [a, b, c] = evaluate({ x: X }, (g, { x }) => [
      g.slice(x!, [-2], [100], [1]),
      g.slice(x!, [0, 0], [2, 3], [0, 1], [1, 2]),
      g.slice(x!, [-1], [-100], [1], [-1]),
    ]);
    expectTensor(a, [2, 2], [2, 3, 5, 6]);
    expectTensor(b, [2, 2], [1, 3, 4, 6]);
    expectTensor(c, [2, 3], [3, 2, 1, 6, 5, 4]);
  });

  it('Gather along axis 0 and 1, with negative indices', () => {
    const [a] = evaluate({ x: X, i: t([2, 2], [1, 0, -1, 1], 'int64') }, (g, { x, i }) =>
      g.gather(x!, i!, 0),
    );
    expectTensor(a, [2, 2, 3], [4, 5, 6, 1, 2, 3, 4, 5, 6, 4, 5, 6]);
    const [b] = evaluate({ x: X, i: t([2], [2, 0], 'int32') }, (g, { x, i }) =>
      g.gather(x!, i!, 1),
    );
    expectTensor(b, [2, 2], [3, 1, 6, 4]);
  });

  it('Gather rejects an out-of-range index at run time', () => {
    expect(() =>
      evaluate({ x: X, i: t([1], [5], 'int64') }, (g, { x, i }) => g.gather(x!, i!, 0)),
    ).toThrow(/index 5 is out of range/);
  });

  it('Unsqueeze, Squeeze and Expand', () => {
    const [u, s, e] = evaluate({ x: t([3], [1, 2, 3]) }, (g, { x }) => {
      const u = g.unsqueeze(x!, [0, -1]);
      return [u, g.squeeze(u, [0]), g.expand(g.unsqueeze(x!, [1]), [3, 2])];
    });
    expectTensor(u, [1, 3, 1], [1, 2, 3]);
    expectTensor(s, [3, 1], [1, 2, 3]);
    expectTensor(e, [3, 2], [1, 1, 2, 2, 3, 3]);
  });

  it('Squeeze without axes drops every 1', () => {
    const [s] = evaluate({ x: t([1, 2, 1], [1, 2]) }, (g, { x }) => g.squeeze(x!));
    expectTensor(s, [2], [1, 2]);
  });

  it('Pad with a constant', () => {
    const [p] = evaluate({ x: t([1, 2], [1, 2]) }, (g, { x }) => g.pad(x!, [1, 0, 0, 1], 9));
    expectTensor(p, [2, 3], [9, 9, 9, 1, 2, 9]);
  });
});

describe('shape ops: symbolic dimensions', () => {
  it('Reshape infers symbolic sizes through 0 and -1', () => {
    const g = new GraphBuilder();
    const x = g.input('x', 'float32', ['batch', 'seq', 8]);
    expect(g.reshape(x, [0, 0, 2, 4]).shape).toEqual(['batch', 'seq', 2, 4]);
    expect(g.reshape(x, [-1, 8]).shape).toEqual(['batch*seq', 8]);
    expect(g.reshape(x, [0, -1]).shape).toEqual(['batch', 'seq*8']);
  });

  it('Concat adds symbolic sizes; Slice names a symbolic result', () => {
    const g = new GraphBuilder();
    const a = g.input('a', 'float32', ['n', 2]);
    expect(g.concat([a, a], 0).shape).toEqual(['n+n', 2]);
    expect(g.slice(a, [1], [3], [1]).shape).toEqual(['n', 1]);
    expect(typeof g.slice(a, [1], [3], [0]).shape[0]).toBe('string');
  });

  it('a wrong reshape fails at build time naming the op, the inputs and their shapes', () => {
    const g = new GraphBuilder();
    const x = g.input('x', 'float32', [2, 3]);
    let caught: unknown;
    try {
      g.reshape(x, [4, -1]);
    } catch (error) {
      caught = error;
    }
    expect(isGraphError(caught, 'GRAPH_SHAPE_MISMATCH')).toBe(true);
    expect(String((caught as Error).message)).toMatch(
      /^Reshape\(x: float32\[2, 3\], constant_\d+: int64\[2\]\)/,
    );
  });
});

describe('shape ops: gradients match finite differences', () => {
  const x24 = wide([2, 3, 4], randomValues(20, 24));
  it.each([
    ['Reshape', (g: GraphBuilder, x: TensorRef) => g.reshape(x, [4, -1])],
    ['Transpose', (g: GraphBuilder, x: TensorRef) => g.transpose(x, [1, 2, 0])],
    ['Unsqueeze', (g: GraphBuilder, x: TensorRef) => g.unsqueeze(x, [1])],
    ['Squeeze', (g: GraphBuilder, x: TensorRef) => g.squeeze(g.slice(x, [0], [1], [0]), [0])],
    ['Expand', (g: GraphBuilder, x: TensorRef) => g.expand(g.slice(x, [0], [1], [0]), [3, 3, 4])],
    ['Slice', (g: GraphBuilder, x: TensorRef) => g.slice(x, [1, -3], [3, 100], [1, 2])],
    ['Pad', (g: GraphBuilder, x: TensorRef) => g.pad(x, [0, 1, 0, 1, 0, 2], 0.5)],
    ['Split', (g: GraphBuilder, x: TensorRef) => g.mul(g.split(x, [1, 3], 2)[1]!, 2)],
  ] as const)('%s', (_name, f) => {
    expectGradients({ build: (g) => f(g, g.input('x', 'float32', [2, 3, 4])), feeds: { x: x24 } });
  });

  it('Concat (both inputs)', () => {
    expectGradients({
      build: (g) => g.concat([g.input('a', 'float32', [2, 2]), g.input('b', 'float32', [2, 3])], 1),
      feeds: { a: wide([2, 2], randomValues(21, 4)), b: wide([2, 3], randomValues(22, 6)) },
    });
  });

  it('Split with an unused piece', () => {
    expectGradients({
      build: (g) => g.split(g.input('x', 'float32', [4, 2]), 2, 0)[0]!,
      feeds: { x: wide([4, 2], randomValues(23, 8)) },
    });
  });

  it.each([0, 1, 2])('Gather on axis %i (repeated and negative indices)', (axis) => {
    const ids = t([2, 2], [0, 1, -1, 0], 'int64');
    expectGradients({
      build: (g) =>
        g.gather(g.input('x', 'float32', [3, 3, 3]), g.input('i', 'int64', [2, 2]), axis),
      feeds: { x: wide([3, 3, 3], randomValues(24, 27)), i: ids },
      wrt: ['x'],
    });
  });

  /** loss = sum(r * gather(data, [2, 0, -1, 2], axis 0)), data = x * w with x ['rows', 3]. */
  function gatherRows(reshaped: boolean) {
    const g = new GraphBuilder('gather_rows');
    const x = g.input('x', 'float32', ['rows', 3]);
    const w = g.parameter('w', [3], { kind: 'ones' });
    // As the policy's visual rows: the product reshaped to [-1, 3] (or used as it is).
    const product = g.mul(x, w);
    const data = reshaped ? g.reshape(product, [-1, 3]) : product;
    expect(typeof data.shape[0]).toBe('string');
    const picked = g.gather(data, g.constant([2, 0, -1, 2], 'int64', [4]), 0);
    const r = g.constant(randomValues(31, 12), 'float32', [4, 3]);
    g.output(g.reduceSum(g.mul(picked, r), undefined, false), 'loss');
    return g.build();
  }

  it('Gather with a symbolic gathered axis: data [rows, 3] computed from a parameter', () => {
    const graph = gatherRows(true);
    const feeds = { x: wide([4, 3], randomValues(30, 12)), w: wide([3], randomValues(32, 3)) };
    expect(gradCheckGraph(graph, 'loss', feeds, ['w', 'x'])).toBeLessThanOrEqual(1e-6);

    // By hand on 3 rows: d loss / d w[c] = sum over picked rows k of x[idx[k], c] * r[k, c].
    const gg = grad(graph, 'loss', ['w', 'x']);
    const xs = [1, 2, 3, 4, 5, 6, 7, 8, 9];
    const out = run(gg.graph, { x: t([3, 3], xs), w: t([3], [1, 1, 1]) });
    const rv = randomValues(31, 12);
    const rows = [2, 0, 2, 2]; // -1 is the last row, 2
    const want = [0, 1, 2].map((c) =>
      rows.reduce((s, row, k) => s + (xs[row * 3 + c] as number) * (rv[k * 3 + c] as number), 0),
    );
    expectTensor(out['w.grad'], [3], want);
    // Row 1 is never picked: its gradient is 0; x.grad keeps the run's row count.
    expect(out['x.grad']!.shape).toEqual([3, 3]);
    expect(values(out['x.grad']!).slice(3, 6)).toEqual([0, 0, 0]);
  });

  // Known gap: the gradient's gathered axis gets its own symbol (range(...)), not the data's
  // 'rows', so the product's gradient (dData * x) does not broadcast. Gather's gradient
  // should end with a reshape to the data's runtime shape, as Concat's does.
  it('Gather with a symbolic gathered axis straight after a product with the data', () => {
    const feeds = { x: wide([4, 3], randomValues(30, 12)), w: wide([3], randomValues(32, 3)) };
    expect(gradCheckGraph(gatherRows(false), 'loss', feeds, ['w', 'x'])).toBeLessThanOrEqual(1e-6);
  });

  it('Gather on a symbolic last axis, and the refusal of a symbolic axis it does not gather', () => {
    const g = new GraphBuilder('gather_cols');
    const x = g.input('x', 'float32', [2, 'cols']);
    const picked = g.gather(g.reshape(x, [2, -1]), g.constant([1, 0, 1], 'int64', [3]), 1);
    g.output(g.reduceSum(g.mul(picked, picked), undefined, false), 'loss');
    const feeds = { x: wide([2, 3], randomValues(33, 6)) };
    expect(gradCheckGraph(g.build(), 'loss', feeds, ['x'])).toBeLessThanOrEqual(1e-6);

    const h = new GraphBuilder('gather_bad');
    const y = h.input('y', 'float32', ['rows', 'cols']);
    h.output(h.reduceSum(h.gather(y, h.constant([0], 'int64', [1]), 0), undefined, false), 'loss');
    const error = caught(() => grad(h.build(), 'loss', ['y']));
    expect(error.code).toBe('GRAPH_NOT_DIFFERENTIABLE');
    expect(error.message).toMatch(/outside the gathered axis/);
  });

  it('Concat with a symbolic axis reads its sizes at run time', () => {
    expectGradients({
      build: (g) => {
        const y = g.concat([g.input('a', 'float32', ['n', 2]), g.input('b', 'float32', [1, 2])], 0);
        return g.reduceSum(g.mul(y, y), [0], false);
      },
      feeds: { a: wide([2, 2], randomValues(25, 4)), b: wide([1, 2], randomValues(26, 2)) },
    });
  });
});
