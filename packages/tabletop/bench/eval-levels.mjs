// The benchmark figures: the oracle on every task of every level, static and under `mild` and
// `strong` perturbations, and the random agent per level, N seeded episodes per task (default
// 200). Prints one JSON object. Usage (after `npx tsup`):
//   node bench/eval-levels.mjs [episodes] [partitions] [agents: oracle,random] [tasks] [view]
// (lists comma-separated, `all` for every one; default every partition, both agents, every
// implemented task; `view` renders both views at that many pixels a side, e.g. 32, which
// changes no success figure and makes the run faster; default the environment's sizes)
/* global process, console, performance */
import { OracleAgent, RandomAgent, TabletopEnv, evaluate, listPartitions } from '../dist/index.js';

const episodesPerTask = Number(process.argv[2] ?? 200);
const list = (arg) => (arg && arg !== 'all' ? arg.split(',') : undefined);
const partitions = list(process.argv[3]) ?? listPartitions();
const agents = list(process.argv[4]) ?? ['oracle', 'random'];
const tasks = list(process.argv[5]);
const side = process.argv[6] ? Number(process.argv[6]) : undefined;
const seed = 2026;
const size = side && { width: side, height: side };
const env = await TabletopEnv.create(size ? { views: { top: size, front: size } } : {});
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

const result = { episodesPerTask, seed, partitions, ...(side ? { viewSide: side } : {}) };
const base = { partition: partitions, episodesPerTask, seed, env, ...(tasks ? { tasks } : {}) };
if (agents.includes('oracle')) {
  result.oracle = {
    static: compact(await evaluate(new OracleAgent(), { ...base, dynamic: 'none' })),
    mild: compact(await evaluate(new OracleAgent(), { ...base, dynamic: 'mild' })),
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
