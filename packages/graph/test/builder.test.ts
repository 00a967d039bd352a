import { describe, expect, it } from 'vitest';
import { GraphBuilder, OPSET, inferTypes, initParameters, listOps, run } from '../src/index.js';
import { caught } from './fixtures/errors.js';
import { t, values } from './fixtures/eval.js';

describe('GraphBuilder', () => {
  it('infers shapes with symbolic dimensions through broadcasting and matmul', () => {
    const g = new GraphBuilder();
    const x = g.input('x', 'float32', ['batch', 'seq', 8]);
    const w = g.parameter('w', [8, 4]);
    const y = g.add(g.matmul(x, w), g.parameter('b', [4], { kind: 'zeros' }));
    expect(y.shape).toEqual(['batch', 'seq', 4]);
    expect(g.reduceSum(y, [1], false).shape).toEqual(['batch', 4]);
    expect(g.less(y, 0).dtype).toBe('bool');
  });

  it('fails at build time naming the op, its inputs and their shapes', () => {
    const g = new GraphBuilder();
    const a = g.input('a', 'float32', ['batch', 3]);
    const b = g.input('b', 'float32', [4]);
    const e = caught(() => g.add(a, b));
    expect(e.code).toBe('GRAPH_SHAPE_MISMATCH');
    expect(e.message).toBe(
      'Add(a: float32[batch, 3], b: float32[4]): the shapes do not broadcast (trailing dimensions must be equal or 1); reshape or expand one of them.',
    );
    expect(caught(() => g.add(a, g.input('i', 'int64', [3]))).code).toBe('GRAPH_DTYPE_MISMATCH');
  });

  it('rejects duplicate names, empty graphs and unknown ops', () => {
    const g = new GraphBuilder('g');
    g.input('x', 'float32', [1]);
    expect(caught(() => g.parameter('x', [1])).message).toMatch(/already used/);
    expect(caught(() => g.build()).message).toMatch(/has no outputs/);
    const e = caught(() => g.op('Conv', [g.ref('x')]));
    expect(e.code).toBe('GRAPH_UNSUPPORTED_OP');
  });

  it('builds plain data: a graph survives structured cloning and runs the same', () => {
    const g = new GraphBuilder();
    const x = g.input('x', 'float32', ['n']);
    g.output(g.mul(g.exp(x), 2), 'y');
    const graph = g.build();
    const copy = structuredClone(graph);
    expect(copy).toEqual(graph);
    expect(copy.opset).toBe(OPSET);
    expect(values(run(copy, { x: t([2], [0, 1]) })['y']!)).toEqual(
      values(run(graph, { x: t([2], [0, 1]) })['y']!),
    );
  });

  it('inferTypes gives every tensor its type', () => {
    const g = new GraphBuilder();
    const x = g.input('x', 'float32', ['n', 2]);
    const y = g.transpose(x);
    g.output(y, 'y');
    expect(inferTypes(g.build()).get(y.name)?.shape).toEqual([2, 'n']);
  });

  it('lists the op registry for backends', () => {
    const ops = listOps().map((o) => o.type);
    for (const op of [
      'MatMul',
      'Gemm',
      'Add',
      'Sub',
      'Mul',
      'Div',
      'Neg',
      'Pow',
      'Sqrt',
      'Exp',
      'Log',
      'Tanh',
      'Erf',
      'Relu',
      'Sigmoid',
      'Softmax',
      'LogSoftmax',
      'ReduceSum',
      'ReduceMean',
      'ReduceMax',
      'Reshape',
      'Transpose',
      'Concat',
      'Split',
      'Slice',
      'Gather',
      'Unsqueeze',
      'Squeeze',
      'Expand',
      'Where',
      'Equal',
      'Less',
      'Cast',
      'Constant',
      'Range',
      'ConstantOfShape',
      'LayerNormalization',
    ]) {
      expect(ops).toContain(op);
    }
  });
});

describe('run', () => {
  const g = new GraphBuilder();
  const a = g.input('a', 'float32', ['n', 2]);
  const b = g.input('b', 'float32', ['n', 2]);
  g.output(g.add(g.mul(a, g.parameter('w', [2], { kind: 'ones' })), b), 'y');
  const graph = g.build();

  it('checks feeds: missing inputs, missing weights, dtypes and symbol bindings', () => {
    const w = initParameters(graph, 0);
    expect(caught(() => run(graph, { a: t([1, 2], [1, 2]), ...w })).message).toMatch(
      /Input b .* was not fed/,
    );
    expect(
      caught(() => run(graph, { a: t([1, 2], [1, 2]), b: t([1, 2], [1, 2]) })).message,
    ).toMatch(/initParameters/);
    expect(
      caught(() => run(graph, { a: t([1, 2], [1, 2]), b: t([2, 2], [1, 2, 3, 4]), ...w })).message,
    ).toMatch(/n is already bound to 1/);
    expect(
      caught(() => run(graph, { a: t([1, 2], [1, 2], 'int32'), b: t([1, 2], [1, 2]), ...w })).code,
    ).toBe('GRAPH_INVALID_FEED');
  });

  it('computes in float64 when asked', () => {
    const w = initParameters(graph, 0);
    const out = run(
      graph,
      {
        a: t([1, 2], [1, 2]),
        b: { dtype: 'float32', shape: [1, 2], data: Float64Array.from([0.1, 0.2]) },
        ...w,
      },
      { precision: 'float64' },
    );
    expect(out['y']?.data).toBeInstanceOf(Float64Array);
    expect(Array.from(out['y']!.data as Float64Array)).toEqual([1.1, 2.2]);
  });
});

describe('initParameters', () => {
  const g = new GraphBuilder();
  g.parameter('a', [3], { kind: 'normal', std: 2, mean: 1 });
  g.parameter('b', [2], { kind: 'uniform', low: -1, high: 1 });
  g.parameter('c', [2], { kind: 'given', tensor: t([2], [5, 6]) });
  g.parameter('d', [2], { kind: 'ones' }, 'int64');
  g.output(g.ref('a'), 'out');
  const graph = g.build();

  it('is deterministic per seed, and per parameter name', () => {
    const x = initParameters(graph, 1);
    expect(values(x['a']!)).toEqual(values(initParameters(graph, 1)['a']!));
    expect(values(x['a']!)).not.toEqual(values(initParameters(graph, 2)['a']!));
    values(x['b']!).forEach((v) => expect(Math.abs(v)).toBeLessThan(1));
    expect(values(x['c']!)).toEqual([5, 6]);
    expect(x['d']?.dtype).toBe('int64');
    expect(values(x['d']!)).toEqual([1, 1]);
    // Another parameter added before it does not change a's values.
    const h = new GraphBuilder();
    h.parameter('z', [5]);
    h.parameter('a', [3], { kind: 'normal', std: 2, mean: 1 });
    h.output(h.ref('a'), 'out');
    expect(values(initParameters(h.build(), 1)['a']!)).toEqual(values(x['a']!));
  });

  it('checks given weights against the declared shape', () => {
    const h = new GraphBuilder();
    h.parameter('w', [3], { kind: 'given', tensor: t([2], [1, 2]) });
    h.output(h.ref('w'), 'o');
    expect(caught(() => initParameters(h.build(), 0)).code).toBe('GRAPH_SHAPE_MISMATCH');
  });
});
