import { type Tensor } from '@actllm/core';
import onnxProto from 'onnx-proto';
import { describe, expect, it } from 'vitest';
import { GraphBuilder, LIMITS, fromOnnx, run } from '../src/index.js';
import { caught } from './fixtures/errors.js';
import { t, values } from './fixtures/eval.js';

const { onnx } = onnxProto;

type NodeSpec = { opType: string; input?: string[]; output: string[]; attribute?: object[] };

/** ONNX bytes of a graph with these nodes, initializers and one output. */
function model(node: NodeSpec[], output: string, initializer: object[] = []): Uint8Array {
  return onnx.ModelProto.encode(
    onnx.ModelProto.create({
      irVersion: 8,
      opsetImport: [{ domain: '', version: 17 }],
      graph: { name: 'hostile', node, initializer, output: [{ name: output }] },
    }),
  ).finish();
}

/** An int64 Constant node. */
function ints(name: string, v: number[], dims = [v.length]): NodeSpec {
  return {
    opType: 'Constant',
    output: [name],
    attribute: [{ name: 'value', type: 4, t: { dims, dataType: 7, int64Data: v } }],
  };
}

describe('resource limits', () => {
  it('a few hundred bytes of ONNX asking for a huge ConstantOfShape fail typed, not out of memory', () => {
    const bytes = model(
      [ints('s', [60000, 60000, 1000]), { opType: 'ConstantOfShape', input: ['s'], output: ['y'] }],
      'y',
    );
    expect(bytes.length).toBeLessThan(300);
    const { graph } = fromOnnx(bytes);
    const e = caught(() => run(graph, {}));
    expect(e.code).toBe('GRAPH_LIMIT_EXCEEDED');
    expect(e.message).toContain(String(60000 * 60000 * 1000));
    expect(e.message).toContain(String(LIMITS.maxElements));
  });

  it('Expand and Range to huge sizes fail the same way', () => {
    const expand = model(
      [
        ints('x', [1], []),
        ints('s', [2 ** 20, 2 ** 20]),
        { opType: 'Expand', input: ['x', 's'], output: ['y'] },
      ],
      'y',
    );
    expect(caught(() => run(fromOnnx(expand).graph, {})).code).toBe('GRAPH_LIMIT_EXCEEDED');
    const range = model(
      [
        ints('a', [0], []),
        ints('b', [2 ** 50], []),
        ints('d', [1], []),
        { opType: 'Range', input: ['a', 'b', 'd'], output: ['y'] },
      ],
      'y',
    );
    expect(caught(() => run(fromOnnx(range).graph, {})).code).toBe('GRAPH_LIMIT_EXCEEDED');
  });

  it('refuses an initializer whose dims promise more elements than allowed, before reading it', () => {
    const init = { name: 'w', dims: [1e6, 1e6], dataType: 1 };
    const bytes = model([{ opType: 'Relu', input: ['w'], output: ['y'] }], 'y', [init]);
    expect(caught(() => fromOnnx(bytes)).code).toBe('GRAPH_LIMIT_EXCEEDED');
    const small = { name: 'w', dims: [4], dataType: 1, floatData: [1, 2, 3, 4] };
    const ok = model([{ opType: 'Relu', input: ['w'], output: ['y'] }], 'y', [small]);
    expect(caught(() => fromOnnx(ok, { limits: { maxElements: 3 } })).code).toBe(
      'GRAPH_LIMIT_EXCEEDED',
    );
    const negative = { name: 'w', dims: [-4], dataType: 1 };
    const bad = model([{ opType: 'Relu', input: ['w'], output: ['y'] }], 'y', [negative]);
    expect(caught(() => fromOnnx(bad)).code).toBe('ONNX_INVALID');
  });

  it('caps the bytes alive in one run, and takes the limits as an option', () => {
    const g = new GraphBuilder();
    const x = g.input('x', 'float32', [1000]);
    let y = x;
    for (let i = 0; i < 4; i++) y = g.add(g.mul(y, 2), y);
    g.output(y, 'y');
    const graph = g.build();
    const feeds = { x: t([1000], new Array<number>(1000).fill(1)) };
    expect(values(run(graph, feeds)['y'] as Tensor)[0]).toBe(81);
    // x, and at most three live intermediates of 4000 bytes each.
    const e = caught(() => run(graph, feeds, { limits: { maxBytes: 10_000 } }));
    expect(e.code).toBe('GRAPH_LIMIT_EXCEEDED');
    expect(e.message).toMatch(/after (Mul|Add)/);
    expect(caught(() => run(graph, feeds, { limits: { maxElements: 999 } })).code).toBe(
      'GRAPH_LIMIT_EXCEEDED',
    );
    expect(caught(() => run(graph, feeds, { limits: { maxBytes: -1 } })).code).toBe(
      'GRAPH_INVALID_OPTION',
    );
    expect(caught(() => run(graph, feeds, { limits: { maxRam: 1 } as never })).code).toBe(
      'GRAPH_INVALID_OPTION',
    );
  });
});

describe('malformed graphs give typed errors', () => {
  it('a node with more outputs than its op', () => {
    const g = new GraphBuilder();
    g.input('x', 'float32', [2]);
    const e = caught(() => g.addNode('Relu', ['x'], {}, ['a', 'b']));
    expect(e.code).toBe('GRAPH_INVALID');
    expect(e.message).toContain('Relu has 1 output');
    const bytes = model(
      [ints('x', [1, 2]), { opType: 'Neg', input: ['x'], output: ['y', 'z'] }],
      'y',
    );
    expect(caught(() => fromOnnx(bytes)).code).toBe('GRAPH_INVALID');
  });

  it('integer division by zero, at run time and in build-time folding', () => {
    for (const dtype of ['int64', 'int32'] as const) {
      const g = new GraphBuilder();
      g.output(g.div(g.input('a', dtype, [2]), g.input('b', dtype, [2])), 'y');
      const e = caught(() =>
        run(g.build(), { a: t([2], [1, 2], dtype), b: t([2], [1, 0], dtype) }),
      );
      expect(e.code).toBe('GRAPH_RUNTIME');
      expect(e.message).toMatch(/Div by zero/);
    }
    const g = new GraphBuilder();
    g.output(g.div(g.constant([1], 'int64'), g.constant([0], 'int64')), 'y');
    expect(caught(() => run(g.build(), {})).code).toBe('GRAPH_RUNTIME');
  });

  it('shapes computed in the graph with negative dimensions', () => {
    const bytes = model(
      [ints('s', [-2, -3]), { opType: 'ConstantOfShape', input: ['s'], output: ['y'] }],
      'y',
    );
    const e = caught(() => run(fromOnnx(bytes).graph, {}));
    expect(e.code).toBe('GRAPH_RUNTIME');
    expect(e.message).toContain('non-negative');
  });

  it('an int64 result that is not an integer (a cast of NaN)', () => {
    const g = new GraphBuilder();
    g.output(g.cast(g.input('x', 'float32', [1]), 'int64'), 'y');
    expect(caught(() => run(g.build(), { x: t([1], [NaN]) })).code).toBe('GRAPH_RUNTIME');
  });

  it('data shorter than its shape is refused, not computed as zeros', () => {
    const g = new GraphBuilder();
    g.output(g.relu(g.input('x', 'float32', [4])), 'y');
    const short = { dtype: 'float32', shape: [4], data: new Float32Array(2) } as const;
    const e = caught(() => run(g.build(), { x: short }));
    expect(e.code).toBe('GRAPH_INVALID_FEED');
    expect(e.message).toContain('holds 2 elements');
  });

  it('a node that reads a tensor nothing computes', () => {
    const bytes = model([{ opType: 'Relu', input: ['ghost'], output: ['y'] }], 'y');
    expect(caught(() => fromOnnx(bytes)).code).toBe('GRAPH_INVALID');
  });
});
