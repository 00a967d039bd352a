import { describe, expect, it } from 'vitest';
import { GraphBuilder, grad, initParameters, registerOp, run, type OpDef } from '../src/index.js';
import { caught } from './fixtures/errors.js';
import { t, values } from './fixtures/eval.js';
import {
  expectGradients,
  gradCheck,
  gradCheckGraph,
  randomValues,
  wide,
} from './fixtures/gradcheck.js';
import { transformerLm } from './fixtures/transformer.js';

describe('grad', () => {
  it('accumulates the gradient of a tensor used twice', () => {
    expectGradients({
      build: (g) => {
        const x = g.input('x', 'float32', [3]);
        return g.mul(g.exp(x), g.tanh(x));
      },
      feeds: { x: wide([3], randomValues(50, 3)) },
    });
  });

  it('outputs the loss first and one gradient per wrt, in the same IR', () => {
    const g = new GraphBuilder();
    const x = g.input('x', 'float32', [2]);
    const w = g.parameter('w', [2], { kind: 'ones' });
    g.output(g.reduceSum(g.mul(g.mul(x, w), w), undefined, false), 'loss');
    const gg = grad(g.build(), 'loss', ['w', 'x']);
    expect(gg.graph.outputs.map((o) => o.name)).toEqual(['loss', 'w.grad', 'x.grad']);
    const out = run(gg.graph, { x: t([2], [3, 4]), w: t([2], [2, 0.5]) });
    expect(values(out['w.grad']!)).toEqual([12, 4]);
    expect(values(out['x.grad']!)).toEqual([4, 0.25]);
  });

  it('creates no gradient through integer or boolean paths', () => {
    const g = new GraphBuilder();
    const x = g.input('x', 'float32', [3]);
    const rounded = g.cast(g.cast(x, 'int64'), 'float32');
    const mask = g.cast(g.less(x, 0), 'float32');
    g.output(g.reduceSum(g.add(rounded, mask), undefined, false), 'loss');
    const gg = grad(g.build(), 'loss', ['x']);
    const out = run(gg.graph, { x: t([3], [1.5, -2, 3]) });
    expect(values(out['x.grad']!)).toEqual([0, 0, 0]);
  });

  it('gives zeros for a tensor the loss does not depend on', () => {
    const g = new GraphBuilder();
    const x = g.input('x', 'float32', [2]);
    g.input('unused', 'float32', [2, 2]);
    g.output(g.reduceSum(x, undefined, false), 'loss');
    const out = run(grad(g.build(), 'loss', ['unused']).graph, {
      x: t([2], [1, 2]),
      unused: t([2, 2], [1, 2, 3, 4]),
    });
    expect(values(out['unused.grad']!)).toEqual([0, 0, 0, 0]);
  });

  it('rejects a non-scalar loss and integer wrt with typed errors', () => {
    const g = new GraphBuilder();
    const x = g.input('x', 'float32', [2]);
    g.input('i', 'int64', [2]);
    g.output(g.exp(x), 'y');
    g.output(g.reduceSum(x, undefined, false), 'loss');
    const graph = g.build();
    expect(caught(() => grad(graph, 'y', ['x'])).code).toBe('GRAPH_NOT_DIFFERENTIABLE');
    expect(caught(() => grad(graph, 'loss', ['i'])).message).toMatch(
      /only float32 tensors have gradients/,
    );
  });

  it('refuses an op without a gradient rule on the path', () => {
    const square: OpDef = {
      type: 'TestSquareNoGrad',
      attributes: {},
      inputs: { min: 1, max: 1 },
      infer: (inputs) => [{ dtype: 'float32', shape: inputs[0]!.shape }],
      kernel: (inputs) => [{ ...inputs[0]!, data: inputs[0]!.data.map((v) => v * v) }],
    };
    registerOp(square);
    const g = new GraphBuilder();
    const x = g.input('x', 'float32', [2]);
    g.output(g.reduceSum(g.op('TestSquareNoGrad', [x])[0]!, undefined, false), 'loss');
    expect(caught(() => grad(g.build(), 'loss', ['x'])).message).toMatch(
      /TestSquareNoGrad .* has no gradient rule/,
    );
  });

  it('a whole transformer LM (rotary, layer norm, attention, cross-entropy) passes the float64 check', () => {
    const lm = transformerLm(
      { vocab: 5, dModel: 4, heads: 2, layers: 1, seq: 3, ff: 4, rotary: true },
      2,
    );
    const feeds = {
      ids: t([2, 3], [1, 4, 0, 2, 2, 3], 'int64'),
      targets: t([2, 3], [4, 0, -100, 2, 3, 1], 'int64'),
      ...initParameters(lm, 5),
    };
    const wrt = [
      'wte',
      'wpe',
      'h0.attn.q.w',
      'h0.attn.v.b',
      'h0.ln1.g',
      'h0.fc1.w',
      'lnf.b',
      'head.w',
    ];
    expect(gradCheckGraph(lm, 'loss', feeds, wrt)).toBeLessThanOrEqual(1e-6);
  });

  it('the finite-difference check catches a wrong gradient rule', () => {
    registerOp({
      type: 'TestSquareWrongGrad',
      attributes: {},
      inputs: { min: 1, max: 1 },
      infer: (inputs) => [{ dtype: 'float32', shape: inputs[0]!.shape }],
      kernel: (inputs) => [{ ...inputs[0]!, data: inputs[0]!.data.map((v) => v * v) }],
      // d(x^2)/dx is 2x; this rule says x.
      grad: ({ g, inputs, dOutputs }) => [g.mul(dOutputs[0]!, inputs[0]!)],
    });
    const err = gradCheck({
      build: (g) => g.op('TestSquareWrongGrad', [g.input('x', 'float32', [3])])[0]!,
      feeds: { x: wide([3], [0.5, 1, 2]) },
    });
    expect(err).toBeGreaterThan(0.1);
  });
});
