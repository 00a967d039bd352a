// Parse throughput of the compact form: `npm run bench` (after `npx tsup`).
// Prints one JSON object. Scenes are generated with a seeded RNG, so runs are comparable.
import { Buffer } from 'node:buffer';
import process from 'node:process';
import { Rng } from '@actllm/core';
import { buildScene, parseScene, toCompact } from '../dist/index.js';

const SEED = 2506;
const SCENES = 1000;
const BINS = 100;
const MIN_SECONDS = 2;
const SHAPES = ['block', 'bowl', 'letter_r', 'pan', 'frame', 'ring'];
const COLORS = ['red', 'green', 'blue', 'yellow', 'purple', 'red_and_blue_stripe'];

const rng = new Rng(SEED);
const texts = [];
let objects = 0;
for (let s = 0; s < SCENES; s++) {
  const count = rng.int(1, 9);
  const states = [];
  for (let i = 0; i < count; i++) {
    const x = rng.float(0.05, 0.95);
    const y = rng.float(0.05, 0.95);
    states.push({
      id: `o${i}`,
      shape: rng.pick(SHAPES),
      color: rng.pick(COLORS),
      pose: { x, y, theta: rng.float(-Math.PI, Math.PI) },
      z: 0,
      size: { x: 0.08, y: 0.08, z: 0.04 },
      bbox: {},
    });
  }
  objects += count;
  texts.push(toCompact(buildScene(states, { bins: BINS, size: true }), { bins: BINS }));
}
const bytes = texts.reduce((n, t) => n + Buffer.byteLength(t), 0);

function run(mode) {
  for (const t of texts) parseScene(t, { bins: BINS, mode }); // warm-up
  let parsed = 0;
  let failures = 0;
  const start = process.hrtime.bigint();
  let elapsed = 0;
  while (elapsed < MIN_SECONDS) {
    for (const t of texts)
      if (!parseScene(t, { bins: BINS, mode, format: 'compact' }).ok) failures++;
    parsed += texts.length;
    elapsed = Number(process.hrtime.bigint() - start) / 1e9;
  }
  const rounds = parsed / texts.length;
  return {
    ops_per_s: Math.round(parsed / elapsed),
    mb_per_s: Number(((bytes * rounds) / elapsed / 1e6).toFixed(2)),
    objects_per_s: Math.round((objects * rounds) / elapsed),
    parsed,
    failures,
  };
}

const result = {
  benchmark: 'descriptor.parse.compact',
  node: process.version,
  seed: SEED,
  bins: BINS,
  scenes_tested: SCENES,
  objects_per_scene: Number((objects / SCENES).toFixed(2)),
  mean_chars_per_scene: Math.round(bytes / SCENES),
  strict: run('strict'),
  tolerant: run('tolerant'),
};
process.stdout.write(`${JSON.stringify(result)}\n`);
