/* global console, performance, process */
// Training throughput on the reference config (d_model 128, 4 layers, 4 heads,
// vocabulary 512, sequence 128, batch 16), next to the machine's MatMul peak measured in the
// same run by onnxruntime (1024x1024x1024 float32). Prints one JSON object.
//
//   npm run bench -w @actllm/backend-onnx          (builds, then runs train.mjs and infer.mjs)
//   node bench/train.mjs --steps 5 --threads 0 --compare-steps 2 --compare @actllm/backend-tfjs
//
// Defaults are sized for a small machine (2 cores): 2 warm-up and 5 timed steps.
import { createTensor, listBackends } from '@actllm/core';
import {
  LR_INPUT,
  GraphBuilder,
  buildTrainingStep,
  createSession,
  createTrainer,
  initParameters,
  initTrainingState,
  transformerLm,
} from '@actllm/graph';
import { transformerBatch } from '@actllm/graph/parity';
import { REFERENCE, loadCompared, parseArgs, percentile, trainingFlops } from './models.mjs';
import '../dist/index.js';

const args = parseArgs(process.argv.slice(2));
const steps = Number(args.steps ?? 5);
const compareSteps = Number(args['compare-steps'] ?? 2);
const threads = Number(args.threads ?? 0);
const batch = Number(args.batch ?? 16);
const session = { threads, extra: { graphOptimizationLevel: 'all' } };

/** onnxruntime's MatMul throughput, n x n x n float32: the peak the training ratio is against. */
async function matmulPeak(backend, n = 1024, repeat = 10) {
  const g = new GraphBuilder('matmul');
  g.output(g.matmul(g.input('a', 'float32', [n, n]), g.input('b', 'float32', [n, n])), 'c');
  const s = await createSession(g.build(), {}, { ...session, backend });
  const m = (seed) =>
    createTensor(
      'float32',
      [n, n],
      Float32Array.from({ length: n * n }, (_, i) => Math.sin(i * 0.37 + seed)),
    );
  const feeds = { a: m(1), b: m(2) };
  await s.run(feeds);
  const times = [];
  for (let i = 0; i < repeat; i++) {
    const t0 = performance.now();
    await s.run(feeds);
    times.push(performance.now() - t0);
  }
  await s.dispose();
  const best = Math.min(...times);
  return {
    n,
    repeat,
    best_ms: best,
    median_ms: percentile(times, 50),
    gflops: (2 * n ** 3) / (best * 1e6),
  };
}

async function trainingThroughput(backend, count, options) {
  const forward = transformerLm(REFERENCE);
  const step = buildTrainingStep(forward, 'loss', undefined, { weightDecay: 0.01, clipNorm: 1 });
  const trainer = await createTrainer(step, initTrainingState(step, initParameters(forward, 0)), {
    ...options,
    backend,
  });
  const lr = createTensor('float32', [], Float32Array.from([1e-3]));
  const batches = [0, 1, 2].map((i) => ({
    ...transformerBatch(REFERENCE, batch, i),
    [LR_INPUT]: lr,
  }));
  const losses = [];
  for (let i = 0; i < 2; i++) await trainer.step(batches[i % 3]);
  const times = [];
  for (let i = 0; i < count; i++) {
    const t0 = performance.now();
    const out = await trainer.step(batches[i % 3]);
    times.push(performance.now() - t0);
    losses.push(Number(out[step.loss].data[0]));
  }
  await trainer.dispose();
  const ms = percentile(times, 50);
  const flops = trainingFlops(REFERENCE, batch);
  return {
    steps: count,
    step_ms_p50: ms,
    tokens_per_s: (batch * REFERENCE.seq) / (ms / 1000),
    gflops: flops / (ms * 1e6),
    first_loss: losses[0],
    last_loss: losses[losses.length - 1],
  };
}

const onnx = 'onnx';
const peak = await matmulPeak(onnx);
const result = {
  benchmark: 'training',
  config: { ...REFERENCE, batch },
  flops_per_step: trainingFlops(REFERENCE, batch),
  flops_formula: '6 * matmul_params * batch * seq + 12 * layers * batch * seq^2 * d_model',
  threads: threads === 0 ? 'onnxruntime default' : threads,
  matmul_peak: peak,
  backends: {},
};
const ort = await trainingThroughput(onnx, steps, session);
result.backends.onnx = { ...ort, peak_ratio: ort.gflops / peak.gflops };
if (typeof args.compare === 'string') {
  const other = await loadCompared(args.compare, listBackends);
  if (other.name === undefined) result.backends[args.compare] = { skipped: other.reason };
  else {
    const warnings = [];
    const r = await trainingThroughput(other.name, compareSteps, {
      logger: { warn: (m) => warnings.push(m) },
    });
    result.backends[other.name] = { ...r, peak_ratio: r.gflops / peak.gflops, warnings };
  }
}
console.log(JSON.stringify(result, null, 2));
