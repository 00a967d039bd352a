/* global console, performance */
// Interpreter and serialization speed, printed as JSON (no timed assertions in tests).
// Run `npm run bench` from packages/graph (it builds first).
import { Rng, createTensor } from '@actllm/core';
import {
  GraphBuilder,
  buildTrainingStep,
  causalMask,
  gelu,
  initParameters,
  initTrainingState,
  run,
  runTrainingStep,
  softmaxCrossEntropy,
  toOnnx,
} from '../dist/index.js';

function time(fn, repeat) {
  fn();
  const t0 = performance.now();
  for (let i = 0; i < repeat; i++) fn();
  return (performance.now() - t0) / repeat;
}

function matmulBench(n) {
  const g = new GraphBuilder();
  g.output(g.matmul(g.input('a', 'float32', [n, n]), g.input('b', 'float32', [n, n])), 'c');
  const graph = g.build();
  const rng = new Rng(0);
  const m = () =>
    createTensor(
      'float32',
      [n, n],
      Float32Array.from({ length: n * n }, () => rng.normal()),
    );
  const feeds = { a: m(), b: m() };
  const ms = time(() => run(graph, feeds), 5);
  return { n, ms, gflops: (2 * n ** 3) / (ms * 1e6) };
}

function lm(c) {
  const g = new GraphBuilder('lm');
  const ids = g.input('ids', 'int64', ['batch', c.seq]);
  const targets = g.input('targets', 'int64', ['batch', c.seq]);
  let x = g.add(
    g.gather(g.parameter('wte', [c.vocab, c.d]), ids, 0),
    g.parameter('wpe', [c.seq, c.d]),
  );
  for (let l = 0; l < c.layers; l++) {
    const h = g.layerNorm(
      x,
      g.parameter(`l${l}.g`, [c.d], { kind: 'ones' }),
      g.parameter(`l${l}.b`, [c.d], { kind: 'zeros' }),
    );
    const heads = (t) => g.transpose(g.reshape(t, [0, 0, c.heads, c.d / c.heads]), [0, 2, 1, 3]);
    const q = heads(g.matmul(h, g.parameter(`l${l}.q`, [c.d, c.d])));
    const k = heads(g.matmul(h, g.parameter(`l${l}.k`, [c.d, c.d])));
    const v = heads(g.matmul(h, g.parameter(`l${l}.v`, [c.d, c.d])));
    const s = g.where(
      causalMask(g, c.seq),
      g.mul(g.matmul(q, g.transpose(k, [0, 1, 3, 2])), 0.5),
      -1e9,
    );
    const o = g.reshape(g.transpose(g.matmul(g.softmax(s, -1), v), [0, 2, 1, 3]), [0, 0, c.d]);
    x = g.add(x, g.matmul(o, g.parameter(`l${l}.o`, [c.d, c.d])));
    x = g.add(
      x,
      g.matmul(
        gelu(g, g.matmul(x, g.parameter(`l${l}.f1`, [c.d, 4 * c.d]))),
        g.parameter(`l${l}.f2`, [4 * c.d, c.d]),
      ),
    );
  }
  const logits = g.matmul(x, g.parameter('head', [c.d, c.vocab]));
  g.output(softmaxCrossEntropy(g, logits, targets), 'loss');
  return g.build();
}

function trainBench(c, batch) {
  const forward = lm(c);
  const step = buildTrainingStep(forward, 'loss');
  let state = initTrainingState(step, initParameters(forward, 0));
  const rng = new Rng(1);
  const ids = () =>
    createTensor(
      'int64',
      [batch, c.seq],
      BigInt64Array.from({ length: batch * c.seq }, () => BigInt(rng.int(0, c.vocab))),
    );
  const feeds = { ids: ids(), targets: ids() };
  const ms = time(() => {
    state = runTrainingStep(step, state, feeds, 1e-3).state;
  }, 5);
  const exportMs = time(() => toOnnx(step.graph, {}), 3);
  return { ...c, batch, nodes: step.graph.nodes.length, stepMs: ms, onnxExportMs: exportMs };
}

console.log(
  JSON.stringify(
    {
      matmul: [64, 128].map(matmulBench),
      trainingStep: trainBench({ vocab: 16, d: 32, heads: 2, layers: 2, seq: 16 }, 8),
    },
    null,
    2,
  ),
);
