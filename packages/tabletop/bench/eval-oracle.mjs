// Oracle success per task over N seeded episodes (default 200), printed as one JSON object.
// Usage: node bench/eval-oracle.mjs [episodes] [partition]   (after `npx tsup`)
/* global process, console, performance */
import { TabletopEnv, deriveSeed, partitionTasks } from '../dist/index.js';

const episodes = Number(process.argv[2] ?? 200);
const partition = process.argv[3] ?? 'train';
const env = await TabletopEnv.create();
const result = { episodes, partition, seed: 2026, tasks: {} };
const started = performance.now();
for (const task of partitionTasks(partition)) {
  let success = 0;
  let steps = 0;
  const failures = [];
  for (let i = 0; i < episodes; i++) {
    const seed = deriveSeed(result.seed, task, partition, i);
    env.reset({ seed, task, partition });
    let r;
    do r = env.step(env.oracleAction());
    while (!r.done);
    steps += r.observation.step;
    if (r.success) success++;
    else failures.push(seed);
  }
  result.tasks[task] = {
    success,
    rate: success / episodes,
    meanSteps: steps / episodes,
    failedSeeds: failures.slice(0, 10),
  };
}
env.close();
result.seconds = Math.round((performance.now() - started) / 10) / 100;
console.log(JSON.stringify(result));
