#!/usr/bin/env node
// Benchmarks of @actllm/backend-tfjs alone, printed as JSON (build first: npx tsup).
//   node bench/bench.mjs [--device wasm|cpu|native|cuda] [--steps 5] [--runs 20]
// - training: tokens/s of whole AdamW training steps of the reference transformer
//   (d_model 128, 4 layers, 4 heads, vocab 512, seq 128, batch 16);
// - prefill: latency of one batch-1, 128-token forward pass (p50/p95).
import { performance } from 'node:perf_hooks';
import process from 'node:process';
import { parseArgs } from 'node:util';
import { createTensor } from '@actllm/core';
import {
  buildTrainingStep,
  createSession,
  createTrainer,
  initParameters,
  initTrainingState,
  transformerLm,
} from '@actllm/graph';
import { transformerBatch } from '@actllm/graph/parity';
import { TfjsBackend } from '../dist/index.js';

const { values } = parseArgs({
  options: {
    device: { type: 'string' },
    steps: { type: 'string', default: '5' },
    runs: { type: 'string', default: '20' },
  },
});
const config = { vocab: 512, dModel: 128, heads: 4, layers: 4, seq: 128 };
const batchSize = 16;

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function training(backend, options) {
  const forward = transformerLm(config, batchSize);
  const step = buildTrainingStep(forward, 'loss');
  const state = initTrainingState(step, initParameters(forward, 1));
  const trainer = await createTrainer(step, state, { ...options, backend });
  const batch = {
    ...transformerBatch(config, batchSize, 2),
    'optim.lr': createTensor('float32', [], Float32Array.of(1e-3)),
  };
  await trainer.step(batch); // warm-up: plan compilation, kernel setup
  const steps = Number(values.steps);
  const t0 = performance.now();
  let loss = 0;
  for (let i = 0; i < steps; i++) loss = Number((await trainer.step(batch)).loss.data[0]);
  const seconds = (performance.now() - t0) / 1000;
  await trainer.dispose();
  const tokens = steps * batchSize * config.seq;
  return {
    steps,
    secondsPerStep: seconds / steps,
    tokensPerSecond: tokens / seconds,
    lastLoss: loss,
  };
}

async function prefill(backend, options) {
  const forward = transformerLm(config, 1);
  const session = await createSession(forward, initParameters(forward, 1), { ...options, backend });
  const feeds = transformerBatch(config, 1, 3);
  await session.run(feeds, ['logits']);
  const times = [];
  for (let i = 0; i < Number(values.runs); i++) {
    const t0 = performance.now();
    await session.run(feeds, ['logits']);
    times.push(performance.now() - t0);
  }
  await session.dispose();
  times.sort((a, b) => a - b);
  return {
    tokens: config.seq,
    runs: times.length,
    p50Ms: percentile(times, 50),
    p95Ms: percentile(times, 95),
  };
}

const backend = new TfjsBackend();
await backend.init('tfjs');
const options = values.device ? { device: values.device } : {};
const runtimes = await backend.runtimes();
const result = {
  backend: 'tfjs',
  runtime: values.device ?? runtimes[0],
  available: runtimes,
  config: { ...config, batch: batchSize },
  training: await training(backend, options),
  prefill: await prefill(backend, options),
  node: process.version,
};
process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
