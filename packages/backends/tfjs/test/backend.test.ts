import { afterAll, describe, expect, it, vi } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import {
  createTensor,
  isActllmError,
  listBackends,
  resolveBackend,
  type Tensor,
} from '@actllm/core';
import { GraphBuilder, createSession, listOps, run, type Graph } from '@actllm/graph';
import { TFJS_PRIORITY, TfjsBackend, chooseRuntime, detectRuntimes } from '../src/index.js';
import { planFusions } from '../src/fuse.js';
import { KERNELS, kernelOps } from '../src/kernels/index.js';
import { fusedProduct } from '../src/kernels/matmul.js';
import { broadcastTo } from '../src/kernels/util.js';

const consoleSpies = ['log', 'warn', 'error', 'info', 'debug'].map((m) =>
  vi.spyOn(console, m as 'log'),
);
afterAll(() => {
  for (const spy of consoleSpies) expect(spy).not.toHaveBeenCalled();
});

const f32 = (shape: number[], v: number[]): Tensor =>
  createTensor('float32', shape, Float32Array.from(v));
const i32 = (shape: number[], v: number[]): Tensor =>
  createTensor('int32', shape, Int32Array.from(v));
const i64 = (shape: number[], v: number[]): Tensor =>
  createTensor('int64', shape, BigInt64Array.from(v.map(BigInt)));

/** Runs `graph` on the backend and expects the reference interpreter's outputs. */
async function expectParity(
  graph: Graph,
  feeds: Record<string, Tensor>,
  device: string,
  extra = {},
) {
  const session = await new TfjsBackend().createSession(graph, {}, { device, extra });
  const got = await session.run(feeds);
  const want = run(graph, feeds);
  for (const [name, w] of Object.entries(want)) {
    const g = got[name] as Tensor;
    expect(g.dtype).toBe(w.dtype);
    expect(g.shape).toEqual(w.shape);
    if (w.dtype === 'float32') {
      (w.data as Float32Array).forEach((v, i) => expect(g.data[i]).toBeCloseTo(v, 4));
    } else expect(g.data).toEqual(w.data);
  }
  await session.dispose();
}

function intGraph(): Graph {
  const g = new GraphBuilder('ints');
  const a = g.input('a', 'int64', [2, 3]);
  const b = g.input('b', 'int64', [3, 2]);
  const c = g.input('c', 'int32', [4]);
  g.output(g.matmul(a, b), 'product');
  g.output(g.div(c, g.constant([2, -2, 3, -3], 'int32')), 'quotient');
  g.output(g.cast(c, 'bool'), 'nonzero');
  g.output(g.slice(c, [3], [-5], [0], [-2]), 'reversed');
  return g.build();
}

const intFeeds = {
  a: i64([2, 3], [1, -2, 3, 4, 5, -6]),
  b: i64([3, 2], [7, 8, -9, 10, 11, 12]),
  c: i32([4], [7, -7, 256, -8]),
};

describe.each(['wasm', 'cpu'])('ops on %s', (device) => {
  it('integer paths: int64 matmul (a reference fallback on wasm), truncating Div, Cast to bool, strided Slice', async () => {
    await expectParity(intGraph(), intFeeds, device);
  });

  it('runs every op on the reference fallback when asked to, with the same results', async () => {
    const g = new GraphBuilder('mix');
    const x = g.input('x', 'float32', [2, 3]);
    const y = g.layerNorm(
      g.softmax(g.matmul(x, g.transpose(x, [1, 0])), 0),
      g.constant([1, 2], 'float32'),
    );
    g.output(g.reduceSum(g.erf(y), [1], false), 'out');
    const feeds = { x: f32([2, 3], [0.1, -0.5, 2, 1, 0.3, -1]) };
    await expectParity(g.build(), feeds, device);
    const ops = listOps().map((o) => o.type);
    await expectParity(g.build(), feeds, device, { referenceOps: ops });
  });
});

describe('the kernel table', () => {
  it('covers every op of @actllm/graph', () => {
    expect(
      listOps()
        .map((o) => o.type)
        .filter((t) => !(t in KERNELS)),
    ).toEqual([]);
    expect(kernelOps()).toEqual(Object.keys(KERNELS).sort());
  });
});

describe('fusion', () => {
  const g = new GraphBuilder('fuse');
  const x = g.input('x', 'float32', [4, 3]);
  const w = g.input('w', 'float32', [5, 3]);
  const bias = g.input('bias', 'float32', [5]);
  g.output(g.relu(g.add(g.matmul(x, g.transpose(w, [1, 0])), bias)), 'y');
  const graph = g.build();
  const types = new Map([...graph.inputs, ...graph.outputs].map((r) => [r.name, r]));
  const nodeTypes = new Map(
    graph.nodes.flatMap((n) =>
      n.outputs.map((o) => [
        o,
        { name: o, dtype: 'float32' as const, shape: n.op === 'Transpose' ? [3, 5] : [4, 5] },
      ]),
    ),
  );

  it('folds the transpose, the bias and the relu on native runtimes, only the transpose elsewhere', () => {
    const opts = { referenceOps: new Set<string>(), types: new Map([...types, ...nodeTypes]) };
    const native = [
      ...planFusions(graph.nodes, ['y'], { ...opts, runtime: 'tensorflow' }).byNode.values(),
    ];
    expect(native.filter((f) => f === 'skip')).toHaveLength(3);
    expect(native.find((f) => f !== 'skip')).toMatchObject({
      inputs: ['x', 'w', 'bias'],
      form: { transposeA: false, transposeB: true, activation: 'relu' },
    });
    const wasm = [...planFusions(graph.nodes, ['y'], { ...opts, runtime: 'wasm' }).byNode.values()];
    expect(wasm.find((f) => f !== 'skip')).toMatchObject({ inputs: ['x', 'w'] });
  });

  it('computes the fused product like its parts', async () => {
    await tf.setBackend('cpu');
    const a = tf.tensor2d([1, -2, 3, 4, 5, -6], [2, 3]);
    const b = tf.tensor2d([1, 2, 3, 4, 5, 6], [2, 3]);
    const c = tf.tensor1d([0.5, -100]);
    const fused = fusedProduct(a, b, c, {
      transposeA: false,
      transposeB: true,
      activation: 'relu',
    });
    const plain = tf.relu(tf.add(tf.matMul(a, b, false, true), c));
    expect(Array.from(fused.dataSync())).toEqual(Array.from(plain.dataSync()));
    tf.dispose([a, b, c, fused, plain]);
  });

  it('computes the wasm product forms (folded, split, transposed) like tf.matMul', async () => {
    await tf.setBackend('cpu');
    const cases: [number[], number[], boolean, boolean][] = [
      [[3, 4, 5], [5, 6], false, false],
      [[3, 5, 4], [6, 5], true, true],
      [[4, 5], [3, 5, 6], false, false],
      [[2, 3, 64, 128], [2, 3, 128, 160], false, false],
      [[2, 128, 64], [2, 128, 160], true, false],
      [[2, 3, 4, 5], [2, 3, 6, 5], false, true],
      [[2, 1, 4, 5], [3, 5, 6], false, false],
    ];
    for (const [sa, sb, ta, tb] of cases) {
      const a = tf.randomNormal(sa, 0, 1, 'float32', 1);
      const b = tf.randomNormal(sb, 0, 1, 'float32', 2);
      const form = { transposeA: ta, transposeB: tb, activation: 'linear' as const };
      const got = fusedProduct(a, b, undefined, form, 'wasm');
      const want = fusedProduct(a, b, undefined, form);
      expect(got.shape).toEqual(want.shape);
      const diff = tf.max(tf.abs(tf.sub(got, want))).dataSync()[0] ?? 1;
      expect(diff).toBeLessThan(1e-3);
      tf.dispose([a, b, got, want]);
    }
  });

  it('folds a sum over the batch axes into one product', async () => {
    await tf.setBackend('cpu');
    for (const [ta, tb] of [
      [false, false],
      [true, false],
      [false, true],
      [true, true],
    ] as const) {
      const a = tf.randomNormal([2, 3, 4, 5], 0, 1, 'float32', 3);
      const b = tf.randomNormal(
        tb ? [2, 3, 6, ta ? 4 : 5] : [2, 3, ta ? 4 : 5, 6],
        0,
        1,
        'float32',
        4,
      );
      const form = { transposeA: ta, transposeB: tb, activation: 'linear' as const };
      const want = tf.sum(fusedProduct(a, b, undefined, form), [0, 1]);
      for (const runtime of [undefined, 'wasm'] as const) {
        const got = fusedProduct(a, b, undefined, { ...form, sumBatch: true }, runtime);
        expect(got.shape).toEqual(want.shape);
        expect(tf.max(tf.abs(tf.sub(got, want))).dataSync()[0]).toBeLessThan(1e-4);
        got.dispose();
      }
      tf.dispose([a, b, want]);
    }
  });

  it('broadcasts int32 exactly on the wasm path', async () => {
    await tf.setBackend('cpu');
    const vals = [2147483647, -2147483648, -1, 0, 65535, 65536, -65537, 16777217, 2147483520];
    const x = tf.tensor(Int32Array.from(vals), [vals.length, 1], 'int32');
    const y = broadcastTo(x, [vals.length, 3], 'wasm');
    expect(y.dtype).toBe('int32');
    expect(Array.from(y.dataSync())).toEqual(vals.flatMap((v) => [v, v, v]));
    const m = broadcastTo(tf.tensor([true, false], [2, 1], 'bool'), [2, 2], 'wasm');
    expect(Array.from(m.dataSync())).toEqual([1, 1, 0, 0]);
    const f = broadcastTo(tf.scalar(-Infinity), [2, 2], 'wasm');
    expect(Array.from(f.dataSync())).toEqual([-Infinity, -Infinity, -Infinity, -Infinity]);
    const v = broadcastTo(tf.tensor1d([-0, 2.5]), [2, 2], 'wasm');
    expect(Array.from(v.dataSync())).toEqual([-0, 2.5, -0, 2.5]);
    tf.dispose([x, y, m, f, v]);
  });
});

describe('runtime selection', () => {
  it('prefers tfjs-node-gpu, then tfjs-node, then wasm, then cpu', async () => {
    const all = await detectRuntimes(
      () => Promise.resolve({}),
      () => true,
    );
    expect(all).toEqual(['tensorflow-gpu', 'wasm', 'cpu']);
    const cpuOnly = await detectRuntimes(
      (id) => {
        if (id.endsWith('-gpu')) return Promise.reject(new Error('no CUDA'));
        return Promise.resolve({});
      },
      () => true,
    );
    expect(cpuOnly).toEqual(['tensorflow', 'wasm', 'cpu']);
    expect(await detectRuntimes()).toEqual(['wasm', 'cpu']);
    expect(chooseRuntime(['tensorflow', 'wasm', 'cpu'], undefined)).toBe('tensorflow');
    expect(chooseRuntime(['wasm', 'cpu'], 'cpu')).toBe('cpu');
  });

  it('warns through the logger when a requested device is missing', () => {
    const warn = vi.fn();
    expect(chooseRuntime(['wasm', 'cpu'], 'cuda', { warn })).toBe('wasm');
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('@tensorflow/tfjs-node-gpu'));
  });

  it('registers as tfjs with the documented priority', async () => {
    expect(listBackends().find((b) => b.name === 'tfjs')?.priority).toBe(TFJS_PRIORITY);
    const { name, backend } = await resolveBackend({ names: ['tfjs'], capability: 'train' });
    expect(name).toBe('tfjs');
    expect(backend.capabilities.devices).toEqual(['wasm', 'cpu']);
  });
});

describe('errors', () => {
  const g = new GraphBuilder('e');
  const ids = g.input('ids', 'int64', [2]);
  g.output(g.gather(g.parameter('table', [3, 2]), ids), 'rows');
  const graph = g.build();
  const table = f32([3, 2], [1, 2, 3, 4, 5, 6]);

  it('are typed, with stable codes', async () => {
    const session = await createSession(
      graph,
      { table },
      { backend: new TfjsBackend(), device: 'cpu' },
    );
    const code = (c: string) => (e: unknown) => isActllmError(e, c);
    await expect(session.run({ ids: i64([2], [0, 2 ** 40]) })).rejects.toSatisfy(
      code('TFJS_INT64_RANGE'),
    );
    await expect(session.run({ ids: i64([2], [0, 3]) })).rejects.toSatisfy(code('TFJS_RUNTIME'));
    const rows = await session.run({ ids: i64([2], [-1, 0]) });
    expect(Array.from(rows['rows']?.data as Float32Array)).toEqual([5, 6, 1, 2]);
    await session.dispose();
  });
});
