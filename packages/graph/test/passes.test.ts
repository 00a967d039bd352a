import type { Tensor } from '@actllm/core';
import { describe, expect, it } from 'vitest';
import {
  GraphBuilder,
  eliminateCommonSubexpressions,
  eliminateDeadCode,
  eliminateIdentities,
  foldConstants,
  grad,
  initParameters,
  optimize,
  run,
} from '../src/index.js';
import { t, values } from './fixtures/eval.js';
import { transformerLm } from './fixtures/transformer.js';

describe('passes', () => {
  it('dead-code elimination drops unused nodes and parameters, keeps inputs', () => {
    const g = new GraphBuilder();
    const x = g.input('x', 'float32', [2]);
    g.input('spare', 'float32', [1]);
    const unusedW = g.parameter('unused', [2]);
    g.exp(g.mul(x, unusedW));
    g.output(g.neg(x), 'y');
    const out = eliminateDeadCode(g.build());
    expect(out.nodes.map((n) => n.op)).toEqual(['Neg', 'Identity']);
    expect(out.parameters).toEqual([]);
    expect(out.inputs.map((i) => i.name)).toEqual(['x', 'spare']);
  });

  it('constant folding evaluates constant subgraphs and concrete Shapes', () => {
    const g = new GraphBuilder();
    const x = g.input('x', 'float32', [2, 3]);
    const c = g.mul(g.add(g.constant([1, 2, 3]), 1), 2);
    const ones = g.constantOfShape(g.shape(x), 1);
    g.output(g.add(g.mul(x, c), ones), 'y');
    const graph = g.build();
    const folded = foldConstants(graph);
    expect(folded.nodes.map((n) => n.op)).toEqual([
      'Constant',
      'Constant',
      'Mul',
      'Add',
      'Identity',
    ]);
    const feeds = { x: t([2, 3], [1, 1, 1, 2, 2, 2]) };
    expect(values(run(folded, feeds)['y'] as Tensor)).toEqual([5, 7, 9, 9, 13, 17]);
    expect(values(run(graph, feeds)['y'] as Tensor)).toEqual([5, 7, 9, 9, 13, 17]);
  });

  it('constant folding leaves symbolic shapes to run time', () => {
    const g = new GraphBuilder();
    const x = g.input('x', 'float32', ['n']);
    g.output(g.constantOfShape(g.shape(x), 2), 'y');
    expect(foldConstants(g.build()).nodes.map((n) => n.op)).toEqual([
      'Shape',
      'ConstantOfShape',
      'Identity',
    ]);
  });

  it('CSE merges identical nodes (op, inputs, attributes) and equal constants', () => {
    const g = new GraphBuilder();
    const x = g.input('x', 'float32', [2]);
    const a = g.softmax(g.exp(x), 0);
    const b = g.softmax(g.exp(x), 0);
    const c = g.softmax(g.exp(x), -1);
    g.output(g.add(g.add(g.add(a, b), c), g.add(g.scalar(1), g.scalar(1))), 'y');
    const graph = g.build();
    const out = eliminateDeadCode(eliminateCommonSubexpressions(graph));
    expect(out.nodes.filter((n) => n.op === 'Exp')).toHaveLength(1);
    expect(out.nodes.filter((n) => n.op === 'Softmax')).toHaveLength(2);
    expect(out.nodes.filter((n) => n.op === 'Constant')).toHaveLength(1);
    const feeds = { x: t([2], [0.5, -1]) };
    expect(values(run(out, feeds)['y'] as Tensor)).toEqual(
      values(run(graph, feeds)['y'] as Tensor),
    );
  });

  it('optimize shrinks a transformer gradient graph without changing its results', () => {
    const lm = transformerLm({ vocab: 7, dModel: 8, heads: 2, layers: 1, seq: 4, ff: 8 }, 2);
    const gg = grad(
      lm,
      'loss',
      lm.parameters.map((p) => p.name),
    ).graph;
    const opt = optimize(gg);
    expect(opt.nodes.length).toBeLessThan(gg.nodes.length * 0.8);
    const feeds = {
      ids: t([2, 4], [1, 2, 3, 4, 5, 6, 0, 1], 'int64'),
      targets: t([2, 4], [2, 3, 4, -100, 6, 0, 1, 2], 'int64'),
      ...initParameters(lm, 3),
    };
    const a = run(gg, feeds);
    const b = run(opt, feeds);
    for (const o of gg.outputs) {
      const va = values(a[o.name] as Tensor);
      values(b[o.name] as Tensor).forEach((v, i) => expect(v).toBeCloseTo(va[i] as number, 6));
    }
  });

  it('Identity elimination renames producers to output names and bypasses inner copies', () => {
    const g = new GraphBuilder();
    const x = g.input('x', 'float32', [2]);
    const inner = g.identity(g.exp(x));
    const shared = g.neg(inner);
    g.output(shared, 'a');
    g.output(shared, 'b'); // a second output of the same value keeps its copy
    g.output(x, 'echo'); // an input has no producer to rename
    g.output(g.add(g.identity(inner), shared), 'sum');
    const graph = g.build();
    const out = eliminateIdentities(graph);
    expect(out.nodes.map((n) => n.op)).toEqual(['Exp', 'Neg', 'Identity', 'Identity', 'Add']);
    expect(out.nodes[1]?.outputs).toEqual(['a']);
    expect(out.nodes[2]).toMatchObject({ inputs: ['a'], outputs: ['b'] });
    expect(out.nodes[3]).toMatchObject({ inputs: ['x'], outputs: ['echo'] });
    expect(out.nodes[4]?.inputs).toEqual([out.nodes[0]?.outputs[0], 'a']);
    const feeds = { x: t([2], [0.5, -1]) };
    const want = run(graph, feeds);
    const got = run(out, feeds);
    for (const o of graph.outputs) {
      expect(values(got[o.name] as Tensor)).toEqual(values(want[o.name] as Tensor));
    }
  });
});
