// Writes docs/results.md and docs/results.json from the outputs of scripts/results.sh:
// <dir>/eval/<name>/eval_info.json (actllm eval) and <dir>/ckpt/<name>/train_log.jsonl
// (actllm train). Every figure comes from those files; nothing is typed in by hand.
//   node scripts/results-md.mjs [results dir, default results]
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomicSync } from '@actllm/core/node';

const dir = process.argv[2] ?? 'results';
const ABLATIONS = {
  shipped: 'shipped checkpoint (60 min, two stages)',
  all: 'all four losses, history (ablation budget)',
  no_ac: 'without L_ac',
  no_obs_fwd: 'without L_obs and L_fwd',
  no_history: 'without history (k=0, no earlier turns)',
};
const BASELINES = { oracle: 'oracle', random: 'random' };

const readJson = (path) => JSON.parse(readFileSync(path, 'utf8'));
const evals = {};
for (const name of existsSync(join(dir, 'eval')) ? readdirSync(join(dir, 'eval')) : []) {
  const file = join(dir, 'eval', name, 'eval_info.json');
  if (existsSync(file)) evals[name] = readJson(file);
}
const readLog = (file) =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));
// The shipped run's logs travel with its checkpoint; the ablations' are under <dir>/ckpt.
const logFile = (name) =>
  name === 'shipped'
    ? 'checkpoints/default/train_log.jsonl'
    : join(dir, 'ckpt', name, 'train_log.jsonl');
const logs = {};
for (const name of Object.keys(ABLATIONS))
  if (existsSync(logFile(name))) logs[name] = readLog(logFile(name));
// Seconds of the shared vision stage, which every run but no_obs_fwd starts from.
const visionSeconds = existsSync(join(dir, 'ckpt', 'vision.seconds'))
  ? Number(readFileSync(join(dir, 'ckpt', 'vision.seconds'), 'utf8'))
  : null;

const pct = (s) =>
  s
    ? `${(100 * s.rate).toFixed(1)} (${(100 * s.ci95[0]).toFixed(1)}-${(100 * s.ci95[1]).toFixed(1)})`
    : '-';
const agents = [...Object.keys(ABLATIONS), ...Object.keys(BASELINES)].filter((n) => evals[n]);
const label = (n) => ABLATIONS[n] ?? BASELINES[n];
const levels = [...new Set(agents.flatMap((n) => evals[n].levels))];
const modes = [...new Set(agents.flatMap((n) => evals[n].modes))];

const lines = ['# Results', ''];
lines.push(
  'Success rates in percent with their 95% Wilson intervals, from `actllm eval` on fixed seeds; produced by `bash scripts/results.sh` (see the script for every command). Episodes per task, level and mode: ' +
    [...new Set(agents.map((n) => evals[n].episodes_per_task))].join(', ') +
    '.',
  '',
);
const missing = Object.keys(ABLATIONS).filter((n) => !evals[n]);
if (missing.length)
  lines.push(`Not measured in these files: ${missing.map((n) => ABLATIONS[n]).join('; ')}.`, '');
for (const mode of modes) {
  lines.push(`## Per level, ${mode}`, '');
  lines.push(
    `| agent | ${levels.join(' | ')} | all |`,
    `| --- | ${levels.map(() => '---').join(' | ')} | --- |`,
  );
  for (const n of agents) {
    const e = evals[n];
    lines.push(
      `| ${label(n)} | ${levels.map((l) => pct(e.per_level[mode]?.[l])).join(' | ')} | ${pct(e.overall[mode])} |`,
    );
  }
  lines.push('');
}
for (const mode of modes) {
  for (const level of levels) {
    const tasks = [
      ...new Set(agents.flatMap((n) => Object.keys(evals[n].per_task[mode]?.[level] ?? {}))),
    ];
    if (tasks.length === 0) continue;
    lines.push(`## Per task, ${level}, ${mode}`, '');
    lines.push(
      `| task | ${agents.map(label).join(' | ')} |`,
      `| --- | ${agents.map(() => '---').join(' | ')} |`,
    );
    for (const t of tasks)
      lines.push(
        `| ${t} | ${agents.map((n) => pct(evals[n].per_task[mode]?.[level]?.[t])).join(' | ')} |`,
      );
    lines.push('');
  }
}
const trained = Object.keys(logs);
if (trained.length) {
  lines.push(
    '## Training budget and validation',
    '',
    "Steps and minutes of the last (or only) stage of each run as its log records them, the minutes of the shared vision stage it started from (the shipped run had its own, the same recipe), and the validation loss per token and token accuracy per segment at its last evaluation (the held-out 5% of the training samples). The ablation budget is their number of steps (`bash scripts/results.sh STEPS`), the same for all but the one without L_obs, which also gets the vision stage's time in steps; minutes are as measured, so they also show how busy the machine was.",
    '',
    '| run | steps | minutes | vision stage (min) | loss scene / next / act | token accuracy scene / next / act |',
    '| --- | --- | --- | --- | --- | --- |',
  );
  const segments = (o) =>
    ['scene', 'next', 'act'].map((k) => o?.[k]?.toFixed(3) ?? '-').join(' / ');
  for (const n of trained) {
    const progress = logs[n].filter((r) => r.type === 'progress').at(-1);
    const validation = logs[n].filter((r) => r.type === 'evaluation').at(-1)?.validation;
    const vision = n === 'no_obs_fwd' ? '-' : visionSeconds ? (visionSeconds / 60).toFixed(1) : '-';
    lines.push(
      `| ${label(n)} | ${progress?.step ?? '-'} | ${progress ? (progress.elapsed / 60).toFixed(1) : '-'} | ${vision} | ${segments(validation?.loss)} | ${segments(validation?.tokenAccuracy)} |`,
    );
  }
  lines.push('');
}
const observed = agents.filter((n) => evals[n].observation_model);
if (observed.length) {
  lines.push(
    '## Observation model',
    '',
    'The first scene the agent reads (its cell heads for a model trained with `--describe-assets`, else the scene its decoder writes), compared with the true objects on held-out first frames (descriptor `compare`: a match within 0.1 of the workspace).',
    '',
  );
  lines.push(
    '| agent | level | frames | object F1 | shape accuracy | colour accuracy | position error (bins) |',
    '| --- | --- | --- | --- | --- | --- | --- |',
  );
  for (const n of observed)
    for (const [level, r] of Object.entries(evals[n].observation_model))
      lines.push(
        `| ${label(n)} | ${level} | ${r.frames} | ${r.objectF1.toFixed(3)} | ${r.shapeAccuracy.toFixed(3)} | ${r.colorAccuracy.toFixed(3)} | ${r.positionErrorBins.toFixed(2)} |`,
      );
  lines.push('');
}
const curves = {};
for (const [name, log] of Object.entries(logs)) {
  curves[name] = log
    .filter((r) => r.type === 'evaluation' && r.closedLoop)
    .map((r) => ({
      step: r.step,
      minutes: +(r.elapsed / 60).toFixed(1),
      success: r.closedLoop.success,
      validation: r.validation?.loss ?? null,
    }));
}
// The learning curve from snapshots of the shipped run: <dir>/eval/curve_<minutes> holds
// the L1 evaluation of the checkpoint <dir>/ckpt/curve_<minutes> saved at that time.
const snapshots = Object.keys(evals)
  .map((name) => /^curve_(\d+)$/.exec(name))
  .filter(Boolean)
  .map(([name, minutes]) => {
    const state = join(dir, 'ckpt', name, 'training_state.json');
    return {
      minutes: Number(minutes),
      step: existsSync(state) ? readJson(state).step : null,
      success: evals[name].overall.static,
    };
  })
  .sort((a, b) => a.minutes - b.minutes);
if (snapshots.length) {
  curves.snapshots = snapshots;
  lines.push(
    '## Learning curve (shipped run)',
    '',
    'L1 static success of the checkpoint saved after about this many minutes of the shipped training run, both stages counted (same episodes for each). The vision stage (the first 12 minutes) trains no policy, so there is no point before it ends.',
    '',
  );
  lines.push('| minutes | step | L1 static success | episodes |', '| --- | --- | --- | --- |');
  for (const p of snapshots)
    lines.push(`| ${p.minutes} | ${p.step ?? '-'} | ${pct(p.success)} | ${p.success.episodes} |`);
  lines.push('');
}
if (curves.all?.length) {
  lines.push(
    '## Learning curve (shipped recipe)',
    '',
    'Closed-loop L1 success during training (`--eval-every`, one episode per task), and validation loss per segment.',
    '',
  );
  lines.push('| step | minutes | L1 success | validation loss |', '| --- | --- | --- | --- |');
  for (const p of curves.all)
    lines.push(
      `| ${p.step} | ${p.minutes} | ${(100 * p.success).toFixed(1)} | ${
        p.validation
          ? Object.entries(p.validation)
              .map(([k, v]) => `${k} ${v.toFixed(3)}`)
              .join(', ')
          : '-'
      } |`,
    );
  lines.push('');
}
writeFileAtomicSync('docs/results.md', lines.join('\n'));
writeFileAtomicSync(
  'docs/results.json',
  JSON.stringify({ evaluations: evals, learningCurves: curves }, null, 1) + '\n',
);
console.log(
  `docs/results.md: ${agents.length} agents, ${levels.length} levels, ${modes.length} modes`,
);
