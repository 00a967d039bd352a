/* global process, console, performance */
// Speed of the simulator, printed as one JSON object. Usage: node bench/bench.mjs  (after `npx tsup`)
//   envStepsPerSecond: oracle steps (physics + rendering both views at the default sizes +
//     ground truth) per second, on one thread
//   msPerReset: one reset (scene sampling, settling, prompt pictures, first observation)
//   msPerView: one render of each view of a reset scene, at the default sizes
//   smallObjectArea: visible pixels of each small object (not a container, not a marking) in
//     the default top view, from the segmentation, over seeded scenes of every family
//   generation: episodes per second written to disk with 1 and 2 worker threads
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  TabletopEnv,
  buildMesh,
  frontCamera,
  generateDataset,
  getColor,
  getShape,
  render,
  shapeExtents,
  topCamera,
  DEFAULT_VIEW_SIZES,
  CONTAINER_SHAPES,
  MARKING_SHAPES,
  partitionTasks,
} from '../dist/index.js';

const quick = process.argv.includes('--quick');
const env = await TabletopEnv.create();
const tasks = partitionTasks('train');

function stepRate(episodes) {
  let steps = 0;
  let stepMs = 0;
  let resetMs = 0;
  for (let i = 0; i < episodes; i++) {
    const task = tasks[i % tasks.length];
    let t = performance.now();
    env.reset({ seed: 1000 + i, task });
    resetMs += performance.now() - t;
    let done = false;
    while (!done) {
      const action = env.oracleAction();
      t = performance.now();
      done = env.step(action).done;
      stepMs += performance.now() - t;
      steps++;
    }
  }
  return {
    steps,
    envStepsPerSecond: Math.round((steps / stepMs) * 1000 * 10) / 10,
    msPerReset: Math.round((resetMs / episodes) * 100) / 100,
  };
}

function viewTimes(repeats) {
  env.reset({ seed: 5, task: 'rearrange' });
  const items = env.objects.map((o) => {
    const def = getShape(o.shape);
    const yaw = o.pose.theta;
    return {
      mesh: buildMesh(def, o.size.x / shapeExtents(def, 1).x),
      transform: {
        position: { x: o.pose.x, y: o.pose.y, z: o.z },
        rotation: { x: 0, y: 0, z: Math.sin(yaw / 2), w: Math.cos(yaw / 2) },
      },
      color: getColor(o.color),
    };
  });
  const out = {};
  for (const [name, cam] of [
    ['top', topCamera(DEFAULT_VIEW_SIZES.top)],
    ['front', frontCamera(DEFAULT_VIEW_SIZES.front)],
  ]) {
    const t = performance.now();
    for (let i = 0; i < repeats; i++) render(cam, items);
    out[name] = Math.round(((performance.now() - t) / repeats) * 1000) / 1000;
  }
  return out;
}

function smallObjectArea(scenes) {
  const areas = [];
  for (let i = 0; i < scenes; i++) {
    const obs = env.reset({ seed: 7000 + i, task: tasks[i % tasks.length] });
    const seg = env.segmentation('top');
    const counts = new Map();
    for (const v of seg) counts.set(v, (counts.get(v) ?? 0) + 1);
    (obs.objects ?? []).forEach((o, k) => {
      if (!CONTAINER_SHAPES.includes(o.shape) && !MARKING_SHAPES.includes(o.shape))
        areas.push(counts.get(k + 1) ?? 0);
    });
  }
  areas.sort((a, b) => a - b);
  const at = (q) => areas[Math.floor(q * (areas.length - 1))];
  return { objects: areas.length, min: at(0), p10: at(0.1), median: at(0.5), p90: at(0.9) };
}

async function generationRate(workers, episodes) {
  const out = mkdtempSync(join(tmpdir(), 'tabletop-bench-'));
  const t = performance.now();
  const m = await generateDataset({ episodes, seed: 3, workers, out });
  const s = (performance.now() - t) / 1000;
  rmSync(out, { recursive: true, force: true });
  return {
    workers,
    episodes: m.total,
    seconds: Math.round(s * 100) / 100,
    episodesPerSecond: Math.round((m.total / s) * 10) / 10,
  };
}

const result = {
  node: process.version,
  cpus: (await import('node:os')).cpus().length,
  views: DEFAULT_VIEW_SIZES,
  ...stepRate(quick ? 20 : 200),
  msPerView: viewTimes(quick ? 20 : 300),
  smallObjectArea: smallObjectArea(quick ? 40 : 400),
  generation: [await generationRate(1, quick ? 2 : 25), await generationRate(2, quick ? 2 : 25)],
};
env.close();
console.log(JSON.stringify(result));
