// The benchmark figures: the oracle on every task of every level, static and under `strong`
// perturbations, and the random agent per level, N seeded episodes per task (default 200).
// Prints one JSON object. Usage (after `npx tsup`):
//   node bench/eval-levels.mjs [episodes] [partitions] [agents: oracle,random] [tasks]
// (lists comma-separated; default every partition, both agents, every implemented task)
/* global process, console, performance */
import { OracleAgent, RandomAgent, TabletopEnv, evaluate, listPartitions } from '../dist/index.js';

const episodesPerTask = Number(process.argv[2] ?? 200);
const partitions = process.argv[3] ? process.argv[3].split(',') : listPartitions();
const agents = process.argv[4] ? process.argv[4].split(',') : ['oracle', 'random'];
const tasks = process.argv[5] ? process.argv[5].split(',') : undefined;
const seed = 2026;
const env = await TabletopEnv.create();
const started = performance.now();

/** Per level: overall rate and interval, then each task's rate (and failures when any). */
function compact(report) {
  const out = {};
  for (const [level, r] of Object.entries(report.levels)) {
    const tasks = {};
    for (const [task, t] of Object.entries(r.tasks)) {
      const failed = Object.fromEntries(Object.entries(t.failures).filter(([, n]) => n > 0));
      tasks[task] = Object.keys(failed).length
        ? { rate: t.rate, meanSteps: t.meanSteps, failures: failed }
        : { rate: t.rate, meanSteps: t.meanSteps };
    }
    out[level] = {
      rate: r.rate,
      ci95: r.ci95,
      episodes: r.episodes,
      meanSteps: r.meanSteps,
      tasks,
    };
  }
  return out;
}

const result = { episodesPerTask, seed, partitions };
const base = { partition: partitions, episodesPerTask, seed, env, ...(tasks ? { tasks } : {}) };
if (agents.includes('oracle')) {
  result.oracle = {
    static: compact(await evaluate(new OracleAgent(), { ...base, dynamic: 'none' })),
    strong: compact(await evaluate(new OracleAgent(), { ...base, dynamic: 'strong' })),
  };
}
if (agents.includes('random')) {
  const report = await evaluate(new RandomAgent(seed), { ...base, dynamic: 'none' });
  result.random = Object.fromEntries(
    Object.entries(report.levels).map(([level, r]) => [
      level,
      { rate: r.rate, ci95: r.ci95, episodes: r.episodes, failures: r.failures },
    ]),
  );
}
env.close();
result.seconds = Math.round((performance.now() - started) / 10) / 100;
console.log(JSON.stringify(result));
