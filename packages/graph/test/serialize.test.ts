import type { Tensor } from '@actllm/core';
import { describe, expect, it } from 'vitest';
import { GraphBuilder, graphFromJSON, graphToJSON, initParameters, run } from '../src/index.js';
import { caught } from './fixtures/errors.js';
import { t, values } from './fixtures/eval.js';
import { transformerLm } from './fixtures/transformer.js';

describe('graph JSON', () => {
  it('round-trips a transformer LM exactly', () => {
    const lm = transformerLm({
      vocab: 7,
      dModel: 8,
      heads: 2,
      layers: 1,
      seq: 4,
      ff: 8,
      rotary: true,
    });
    const back = graphFromJSON(graphToJSON(lm));
    expect(back).toEqual(lm);
    const feeds = {
      ids: t([1, 4], [1, 2, 3, 4], 'int64'),
      targets: t([1, 4], [2, 3, 4, 5], 'int64'),
      ...initParameters(lm, 1),
    };
    expect(values(run(back, feeds)['loss'] as Tensor)).toEqual(
      values(run(lm, feeds)['loss'] as Tensor),
    );
  });

  it('keeps int64 beyond 2^53, non-finite floats and given weights', () => {
    const g = new GraphBuilder();
    const big = g.constant(t([1], [0], 'int64'));
    g.output(big, 'big');
    g.output(g.constant([Infinity, -Infinity, NaN, 0.1]), 'f');
    g.output(g.parameter('w', [2], { kind: 'given', tensor: t([2], [1.5, 2.5]) }), 'w_out');
    const graph = g.build();
    const node = graph.nodes[0]!;
    (node.attributes['value'] as Tensor).data[0] = 2n ** 60n + 1n;
    const back = graphFromJSON(graphToJSON(graph));
    const constants = back.nodes.filter((n) => n.op === 'Constant');
    const tensors = constants.map((n) => n.attributes['value'] as Tensor);
    expect(tensors[0]?.data[0]).toBe(2n ** 60n + 1n);
    const floats = Array.from(tensors[1]?.data as Float32Array);
    expect(floats).toEqual([Infinity, -Infinity, NaN, Math.fround(0.1)]);
    expect(back.parameters[0]).toEqual(graph.parameters[0]);
  });

  it('rejects malformed text with GRAPH_INVALID', () => {
    expect(caught(() => graphFromJSON('{')).code).toBe('GRAPH_INVALID');
    expect(caught(() => graphFromJSON('{"version":2,"graph":{}}')).message).toMatch(/version: 1/);
    const base = { name: 'g', inputs: [], parameters: [], nodes: [], outputs: [] };
    const bad = (graph: object): string =>
      JSON.stringify({ version: 1, graph: { ...base, ...graph } });
    expect(
      caught(() => graphFromJSON(bad({ inputs: [{ name: 'x', dtype: 'float16', shape: [1] }] })))
        .message,
    ).toMatch(/needs a name, a dtype/);
    expect(
      caught(() =>
        graphFromJSON(
          bad({
            parameters: [
              { name: 'w', dtype: 'float32', shape: [1], initializer: { kind: 'magic' } },
            ],
          }),
        ),
      ).message,
    ).toMatch(/invalid initializer/);
    const unknownOp = bad({
      nodes: [{ op: 'Conv', name: 'c', inputs: [], outputs: ['y'], attributes: {} }],
    });
    expect(caught(() => graphFromJSON(unknownOp)).code).toBe('GRAPH_UNSUPPORTED_OP');
    const badTensor = bad({
      nodes: [
        {
          op: 'Constant',
          name: 'c',
          inputs: [],
          outputs: ['y'],
          attributes: { value: { $tensor: { dtype: 'float32', shape: [3], data: [1] } } },
        },
      ],
    });
    expect(caught(() => graphFromJSON(badTensor)).message).toMatch(/does not match its shape/);
  });
});
