#!/usr/bin/env node
/* global console, performance */
// Benchmarks of @actllm/policy, printed as one JSON object (build first: npx tsup).
//   node bench/bench.mjs --backend @actllm/backend-onnx [--preset default] [--steps 5] [--acts 6]
// - training: tokens/s of PolicyTrainer.trainStep (its length-bucketed batches) against the
//   backend's training step on the same batches (`stepSeconds`): the trainer's overhead is
//   batching, preprocessing, augmentation and reading results back; and, for reference, the
//   bare step fed one fixed batch again and again;
// - agent: latency of ActllmAgent.act per step (p50, p95), with the accelerations (KV prefix
//   reuse, forced-token chunks, drafts from context) on and off, and whether all give the
//   same turns.
// The backend package is imported at run time: this package does not depend on any backend.
import { parseArgs } from 'node:util';
import { EPISODE_RECORD_VERSION, createImage, createTensor } from '@actllm/core';
import { LR_INPUT, initParameters } from '@actllm/graph';
import { buildTokenizer } from '@actllm/dialogue';
import {
  ActllmAgent,
  PolicyTrainer,
  buildPolicyGraph,
  collate,
  presetConfig,
  stepSamples,
} from '../dist/index.js';

const { values } = parseArgs({
  options: {
    backend: { type: 'string', default: '@actllm/backend-onnx' },
    preset: { type: 'string', default: 'default' },
    steps: { type: 'string', default: '5' },
    acts: { type: 'string', default: '6' },
  },
});
const specifier = values.backend;
await import(specifier);
const backend = specifier.replace('@actllm/backend-', '');

const NAMES = ['block', 'bowl', 'red', 'green', 'blue', 'yellow'];
const tokenizer = buildTokenizer({ texts: ['Put the {dragged} into the {base}.'], names: NAMES });
const config = presetConfig(values.preset, tokenizer.size);

/** A synthetic episode of `steps` steps with three objects (no simulator needed). */
function episode(seed, steps = 3) {
  const object = (id, shape, color, x, y) => ({
    id,
    shape,
    color,
    pose: { x, y, theta: 0 },
    z: 0,
    size: { x: 0.1, y: 0.1, z: 0.04 },
    bbox: { top: { x0: x - 0.05, y0: y - 0.05, x1: x + 0.05, y1: y + 0.05 } },
  });
  const frame = (t) => ({
    views: {
      top: createImage(192, 192, [(seed * 37 + t * 50) % 255, 60, 90]),
      front: createImage(256, 128, [90, (seed * 11 + t * 70) % 255, 60]),
    },
    objects: [
      object('a', 'bowl', 'green', 0.7, 0.3),
      object('b', 'block', 'red', 0.2 + 0.1 * t, 0.6),
    ],
  });
  return {
    version: EPISODE_RECORD_VERSION,
    id: `bench-${seed}`,
    task: 'visual_manipulation',
    partition: 'train',
    seed,
    instruction: {
      text: 'Put the {dragged} into the {base}.',
      assets: {
        dragged: { kind: 'object', views: { top: createImage(64, 64, [200, 0, 0]) }, objects: [] },
        base: { kind: 'object', views: { top: createImage(64, 64, [0, 200, 0]) }, objects: [] },
      },
    },
    steps: Array.from({ length: steps }, (_, t) => ({
      observation: frame(t),
      action: {
        kind: 'pick_place',
        from: { x: 0.2 + 0.1 * t, y: 0.6, theta: 0 },
        to: { x: 0.7, y: 0.3, theta: 0 },
      },
    })),
    final: frame(steps),
    outcome: 'success',
  };
}

function percentile(xs, p) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
}

async function training() {
  const samples = Array.from({ length: 8 }, (_, i) =>
    stepSamples(episode(i), tokenizer, config),
  ).flat();
  const steps = Number(values.steps);
  const trainer = await PolicyTrainer.create(config, tokenizer, samples, {
    steps: steps + 1,
    batchSize: 8,
    seed: 1,
    augment: { noise: 0.01 }, // as the shipped checkpoint's recipe
    session: { backend },
  });
  await trainer.trainStep(); // warm-up
  let seconds = 0;
  let stepSeconds = 0;
  let tokens = 0;
  for (let i = 0; i < steps; i++) {
    const p = await trainer.trainStep();
    seconds += p.seconds;
    stepSeconds += p.stepSeconds;
    tokens += p.tokensPerSecond * p.seconds;
  }
  await trainer.dispose();
  // The bare step on one fixed batch, fed again and again (a reference: its shape is not the
  // trainer's length-bucketed ones, so the overhead is measured on the trainer's own batches).
  const { createTrainer, buildTrainingStep, initTrainingState } = await import('@actllm/graph');
  const forward = buildPolicyGraph(config);
  const step = buildTrainingStep(forward, 'loss');
  const bare = await createTrainer(step, initTrainingState(step, initParameters(forward, 1)), {
    backend,
  });
  const batch = collate(samples.slice(0, 8), tokenizer, config);
  const bareTokens = batch.ids.data.length;
  const feeds = Object.fromEntries(
    step.batchInputs.filter((n) => n !== LR_INPUT).map((n) => [n, batch[n]]),
  );
  const lr = createTensor('float32', [], Float32Array.of(1e-3));
  await bare.step({ ...feeds, [LR_INPUT]: lr });
  const bareTimes = [];
  for (let i = 0; i < steps; i++) {
    const t0 = performance.now();
    await bare.step({ ...feeds, [LR_INPUT]: lr });
    bareTimes.push((performance.now() - t0) / 1000);
  }
  await bare.dispose();
  const bareStep = percentile(bareTimes, 50);
  return {
    batch: 8,
    steps,
    tokens_per_batch: Math.round(tokens / steps),
    trainer_tokens_per_s: tokens / seconds,
    // The same batches through the backend's step alone: the trainer's overhead is the rest.
    step_tokens_per_s: tokens / stepSeconds,
    trainer_overhead: seconds / stepSeconds - 1,
    fixed_batch_tokens: bareTokens,
    fixed_batch_step_s_p50: bareStep,
    fixed_batch_tokens_per_s: bareTokens / bareStep,
  };
}

async function agentLatency(options) {
  const weights = initParameters(buildPolicyGraph(config), 3);
  const agent = await ActllmAgent.create(
    { config, tokenizer, weights },
    {
      shapes: ['block', 'bowl'],
      colors: ['red', 'green', 'blue', 'yellow'],
      maxObjects: 4,
      session: { backend },
      ...options,
    },
  );
  const record = episode(99, Number(values.acts));
  agent.reset(record.instruction);
  for (const [step, s] of record.steps.entries()) {
    await agent.act({ step, views: s.observation.views, instruction: record.instruction });
  }
  const trace = agent.trace;
  await agent.dispose();
  const latencies = trace.slice(1).map((t) => t.latencyMs); // the first step warms up
  return {
    steps: latencies.length,
    p50_ms: percentile(latencies, 50),
    p95_ms: percentile(latencies, 95),
    passes_per_step: trace.reduce((n, t) => n + t.passes, 0) / trace.length,
    draft_tokens_kept_per_step: trace.reduce((n, t) => n + t.accepted, 0) / trace.length,
    tokens_per_step: trace.reduce((n, t) => n + t.tokens, 0) / trace.length,
    texts: trace.map((t) => t.text),
  };
}

const fast = await agentLatency({});
const plain = await agentLatency({ reusePrefix: false, forcedChunks: false, drafts: false });
const noDrafts = await agentLatency({ drafts: false });
const noChunks = await agentLatency({ forcedChunks: false });
const noReuse = await agentLatency({ reusePrefix: false });
const strip = ({ texts: _t, ...rest }) => rest;
console.log(
  JSON.stringify(
    {
      benchmark: 'policy',
      backend,
      preset: values.preset,
      training: await training(),
      agent: {
        accelerated: strip(fast),
        no_drafts: strip(noDrafts),
        no_forced_chunks: strip(noChunks),
        no_prefix_reuse: strip(noReuse),
        plain: strip(plain),
        same_turns: JSON.stringify(fast.texts) === JSON.stringify(plain.texts),
        note: 'untrained weights (seeded): the turns are what a random model decodes under the grammar',
      },
    },
    null,
    2,
  ),
);
