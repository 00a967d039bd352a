import { Rng, isActllmError, type Tensor } from '@actllm/core';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import onnxProto from 'onnx-proto';
import {
  GraphBuilder,
  buildTrainingStep,
  causalMask,
  fromOnnx,
  gelu,
  grad,
  initParameters,
  initTrainingState,
  run,
  toOnnx,
  transformerBlock,
  type Graph,
} from '../src/index.js';
import { caught } from './fixtures/errors.js';
import { t, values } from './fixtures/eval.js';
import { transformerLm } from './fixtures/transformer.js';

const { onnx } = onnxProto;

function toOrt(x: Tensor): ort.Tensor {
  return new ort.Tensor(x.dtype, x.data, [...x.shape]);
}

async function runOrt(
  graph: Graph,
  weights: Record<string, Tensor>,
  feeds: Record<string, Tensor>,
): Promise<Record<string, number[]>> {
  const session = await ort.InferenceSession.create(toOnnx(graph, weights));
  const ortFeeds: Record<string, ort.Tensor> = {};
  for (const name of session.inputNames) ortFeeds[name] = toOrt(feeds[name] as Tensor);
  const out = await session.run(ortFeeds);
  const result: Record<string, number[]> = {};
  for (const [k, v] of Object.entries(out))
    result[k] = Array.from(v.data as ArrayLike<number | bigint>, Number);
  await session.release();
  return result;
}

/** Relative error with a floor of 1 on the scale (values near 0 compare absolutely). */
function expectClose(a: readonly number[], b: readonly number[], tol = 1e-4): void {
  expect(a.length).toBe(b.length);
  const scale = Math.max(1, ...b.map(Math.abs));
  a.forEach((v, i) => expect(Math.abs(v - (b[i] as number)) / scale).toBeLessThanOrEqual(tol));
}

async function compare(
  graph: Graph,
  weights: Record<string, Tensor>,
  feeds: Record<string, Tensor>,
): Promise<void> {
  const ours = run(graph, { ...feeds, ...weights });
  const theirs = await runOrt(graph, weights, feeds);
  for (const o of graph.outputs)
    expectClose(theirs[o.name] as number[], values(ours[o.name] as Tensor));
}

function randomTensor(seed: number, shape: number[]): Tensor {
  const rng = new Rng(seed);
  const n = shape.reduce((a, d) => a * d, 1);
  return t(
    shape,
    Array.from({ length: n }, () => rng.normal()),
  );
}

function mlp(): Graph {
  const g = new GraphBuilder('mlp');
  const x = g.input('x', 'float32', ['batch', 4]);
  const h = gelu(
    g,
    g.gemm(x, g.parameter('w1', [4, 8]), g.parameter('b1', [8], { kind: 'normal', std: 0.1 })),
  );
  const y = g.add(g.matmul(g.tanh(h), g.parameter('w2', [8, 3], { kind: 'normal', std: 0.5 })), 1);
  g.output(g.logSoftmax(y, -1), 'logp');
  g.output(g.reduceMean(g.sigmoid(y), [1], false), 'mean');
  return g.build();
}

const LM = { vocab: 11, dModel: 16, heads: 2, layers: 2, seq: 6, ff: 24, rotary: true } as const;

function lmBatch(): Record<string, Tensor> {
  const rng = new Rng(3);
  const ids = Array.from({ length: 2 * LM.seq }, () => rng.int(0, LM.vocab));
  const targets = ids.map((v, i) => (i % LM.seq === 0 ? -100 : v));
  return { ids: t([2, LM.seq], ids, 'int64'), targets: t([2, LM.seq], targets, 'int64') };
}

describe('toOnnx: onnxruntime-node loads the model and gives the interpreter numbers', () => {
  it('an MLP (symbolic batch)', async () => {
    const graph = mlp();
    await compare(graph, initParameters(graph, 1), { x: randomTensor(2, [5, 4]) });
  });

  it('with value_info for intermediate tensors', async () => {
    const graph = mlp();
    const weights = initParameters(graph, 1);
    const session = await ort.InferenceSession.create(toOnnx(graph, weights, { valueInfo: true }));
    const out = await session.run({ x: toOrt(randomTensor(2, [2, 4])) });
    expect(out['logp']?.dims).toEqual([2, 3]);
    await session.release();
  });

  it('edge semantics: slices, pads, integer division, casts, gathers, reductions', async () => {
    const g = new GraphBuilder('edges');
    const x = g.input('x', 'float32', [3, 4]);
    const i = g.input('i', 'int64', [4]);
    g.output(g.slice(x, [-1, 3], [-100, 0], [0, 1], [-1, -2]), 'reversed');
    g.output(g.slice(x, [1], [1000], [1]), 'clamped');
    g.output(g.pad(x, [1, 0, 0, 2], -1), 'padded');
    g.output(g.div(i, g.constant([2, -2, 3, -3], 'int64')), 'intdiv');
    g.output(g.cast(g.mul(x, 2.5), 'int32'), 'truncated');
    g.output(g.gather(x, g.constant([-1, 0], 'int64'), 1), 'gathered');
    g.output(g.reduceMax(x, [0], false), 'max');
    g.output(g.reduceSum(x, [], true), 'sumAll');
    g.output(g.split(x, 2, 1)[1]!, 'half');
    g.output(g.squeeze(g.unsqueeze(x, [0, 3])), 'squeezed');
    g.output(g.expand(g.reshape(x, [3, 1, 4]), [2, 4]), 'expanded');
    g.output(g.range(0.5, 2, 0.25, 'float32'), 'range');
    g.output(g.where(g.less(x, 0), g.sqrt(g.pow(x, 2)), g.erf(x)), 'selected');
    await compare(
      g.build(),
      {},
      { x: randomTensor(12, [3, 4]), i: t([4], [7, 7, -7, -8], 'int64') },
    );
  });

  it('a transformer block', async () => {
    const g = new GraphBuilder('block');
    const x = g.input('x', 'float32', ['batch', LM.seq, LM.dModel]);
    g.output(transformerBlock(g, x, 'b0', LM, { mask: causalMask(g, LM.seq) }).out, 'y');
    const graph = g.build();
    await compare(graph, initParameters(graph, 4), { x: randomTensor(5, [3, LM.seq, LM.dModel]) });
  });

  it('the gradient graph of a transformer LM (every gradient op)', async () => {
    const lm = transformerLm(LM);
    const gg = grad(
      lm,
      'loss',
      lm.parameters.map((p) => p.name),
    );
    await compare(gg.graph, initParameters(lm, 6), lmBatch());
  });

  it('a whole training step (forward, backward, AdamW with clipping)', async () => {
    const lm = transformerLm(LM);
    const step = buildTrainingStep(lm, 'loss', undefined, { clipNorm: 0.5 });
    const state = initTrainingState(step, initParameters(lm, 8));
    await compare(step.graph, {}, { ...lmBatch(), ...state, 'optim.lr': t([], [0.01]) });
  });
});

describe('fromOnnx', () => {
  it('reads back what toOnnx wrote, weights included', () => {
    const graph = mlp();
    const weights = initParameters(graph, 1);
    const back = fromOnnx(toOnnx(graph, weights));
    expect(back.graph.inputs).toEqual(graph.inputs);
    expect(back.graph.outputs.map((o) => o.name)).toEqual(['logp', 'mean']);
    expect(Object.keys(back.weights).sort()).toEqual(['b1', 'w1', 'w2']);
    const x = randomTensor(2, [3, 4]);
    const a = run(graph, { x, ...weights });
    const b = run(back.graph, { x, ...back.weights });
    expect(values(b['logp'] as Tensor)).toEqual(values(a['logp'] as Tensor));
  });

  it('reads Constant value_float and value_ints shorthands', () => {
    const model = onnx.ModelProto.create({
      irVersion: 8,
      opsetImport: [{ domain: '', version: 17 }],
      graph: {
        name: 'g',
        node: [
          {
            opType: 'Constant',
            output: ['f'],
            attribute: [{ name: 'value_float', type: 1, f: 2.5 }],
          },
          {
            opType: 'Constant',
            output: ['s'],
            attribute: [{ name: 'value_ints', type: 7, ints: [2, 1] }],
          },
          { opType: 'Reshape', input: ['x', 's'], output: ['r'] },
          { opType: 'Mul', input: ['r', 'f'], output: ['y'] },
        ],
        input: [
          { name: 'x', type: { tensorType: { elemType: 1, shape: { dim: [{ dimValue: 2 }] } } } },
        ],
        output: [{ name: 'y' }],
      },
    });
    const { graph } = fromOnnx(onnx.ModelProto.encode(model).finish());
    expect(graph.outputs[0]?.shape).toEqual([2, 1]);
    expect(values(run(graph, { x: t([2], [1, 2]) })['y'] as Tensor)).toEqual([2.5, 5]);
  });

  it('names every unsupported op', () => {
    const model = onnx.ModelProto.create({
      irVersion: 8,
      opsetImport: [{ domain: '', version: 17 }],
      graph: {
        name: 'g',
        node: [
          { opType: 'Conv', input: ['x', 'w'], output: ['a'] },
          { opType: 'Relu', input: ['a'], output: ['b'] },
          { opType: 'LSTM', input: ['b'], output: ['c'] },
          { opType: 'FusedGemm', domain: 'com.microsoft', input: ['c'], output: ['d'] },
        ],
      },
    });
    const e = caught(() => fromOnnx(onnx.ModelProto.encode(model).finish()));
    expect(e.code).toBe('GRAPH_UNSUPPORTED_OP');
    expect(e.message).toContain('Conv, LSTM, com.microsoft.FusedGemm');
  });

  it('refuses other opsets and bytes that are not a model', () => {
    const model = onnx.ModelProto.create({
      irVersion: 8,
      opsetImport: [{ domain: '', version: 9 }],
      graph: { name: 'g' },
    });
    expect(caught(() => fromOnnx(onnx.ModelProto.encode(model).finish())).message).toMatch(
      /opset 9/,
    );
    expect(caught(() => fromOnnx(new Uint8Array([0xff, 0xff, 0xff]))).code).toBe('ONNX_INVALID');
  });

  it('toOnnx needs weights for every parameter', () => {
    expect(caught(() => toOnnx(mlp(), {})).code).toBe('GRAPH_MISSING_FEED');
  });
});

describe('fromOnnx on corrupted bytes', () => {
  it('fails only with typed errors (seeded fuzz)', () => {
    const graph = mlp();
    const good = toOnnx(graph, initParameters(graph, 1));
    const rng = new Rng(9);
    let parsed = 0;
    for (let i = 0; i < 400; i++) {
      const bytes = good.slice(0, rng.bool(0.2) ? rng.int(1, good.length) : good.length);
      for (let k = rng.int(1, 4); k > 0; k--) bytes[rng.int(0, bytes.length)] = rng.int(0, 256);
      try {
        fromOnnx(bytes);
        parsed++;
      } catch (error) {
        if (!isActllmError(error)) throw error;
      }
    }
    expect(parsed).toBeLessThan(400);
  });
});
