// Oracle success per task over N seeded episodes (default 200), printed as one JSON object,
// with the number of pushes shorter than 0.01 it sent (none expected).
// Usage: node bench/eval-oracle.mjs [episodes] [partition] [dynamic: none|mild|strong] [view]
// (after `npx tsup`; `view` renders both views at that many pixels a side, default the
// environment's sizes: the success figures do not depend on it)
/* global process, console, performance */
import { TabletopEnv, deriveSeed, partitionTasks } from '../dist/index.js';

const episodes = Number(process.argv[2] ?? 200);
const partition = process.argv[3] ?? 'train';
const dynamic = process.argv[4] ?? 'none';
const side = process.argv[5] ? Number(process.argv[5]) : undefined;
const size = side && { width: side, height: side };
const env = await TabletopEnv.create(size ? { views: { top: size, front: size } } : {});
const result = { episodes, partition, dynamic, seed: 2026, tasks: {} };
const started = performance.now();
for (const task of partitionTasks(partition)) {
  let success = 0;
  let steps = 0;
  let shortPushes = 0;
  const failures = [];
  for (let i = 0; i < episodes; i++) {
    const seed = deriveSeed(result.seed, task, partition, i);
    env.reset({ seed, task, partition, dynamic });
    let r;
    do {
      const a = env.oracleAction();
      if (a.kind === 'push' && Math.hypot(a.to.x - a.from.x, a.to.y - a.from.y) < 0.01)
        shortPushes++;
      r = env.step(a);
    } while (!r.done);
    steps += r.observation.step;
    if (r.success) success++;
    else failures.push(seed);
  }
  result.tasks[task] = {
    success,
    rate: success / episodes,
    meanSteps: steps / episodes,
    shortPushes,
    failedSeeds: failures.slice(0, 10),
  };
}
env.close();
result.seconds = Math.round((performance.now() - started) / 10) / 100;
console.log(JSON.stringify(result));
