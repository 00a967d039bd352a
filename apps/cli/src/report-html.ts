import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Action } from '@actllm/core';
import type { SceneDescriptor } from '@actllm/descriptor';
import type { RunEvaluation, RunProgress } from '@actllm/policy';
import type { RunOutput } from './episode-file.js';
import type { EvalInfo, Summary } from './eval-info.js';

/**
 * The page of `actllm report`: one self-contained HTML file. Chart.js is inlined from its UMD
 * bundle (read from node_modules when the report is made), the charts' configurations are
 * JSON in the page, the replays are data: URIs, and nothing is fetched when it is opened.
 */

export interface LabelledEval {
  readonly label: string;
  readonly dir: string;
  readonly info: EvalInfo;
}

export interface TrainLog {
  readonly path: string;
  readonly progress: readonly RunProgress[];
  readonly evaluations: readonly RunEvaluation[];
}

export interface ReportInput {
  readonly title: string;
  readonly evals: readonly LabelledEval[];
  readonly train: TrainLog | null;
  /** Each run output with its replay's bytes. */
  readonly episodes: readonly (RunOutput & { readonly replay: Uint8Array | null })[];
}

/** Chart.js's browser bundle, as text to inline in a <script>. */
export function chartJsBundle(): string {
  const require = createRequire(import.meta.url);
  // The package's exports map offers no ./dist/* path: the UMD file sits next to the entry.
  const entry = require.resolve('chart.js');
  return readFileSync(join(dirname(entry), 'chart.umd.min.js'), 'utf8');
}

function esc(value: unknown): string {
  return String(value)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

/** JSON safe inside a <script> element. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c');
}

const pct = (v: number) => `${(v * 100).toFixed(1)}%`;
const ci = (s: Summary) => `${pct(s.ci95[0])}–${pct(s.ci95[1])}`;

const PALETTE = ['#2f6fdf', '#e0822c', '#3aa45b', '#c93f5a', '#8a5cc7', '#5a9ca8', '#a0892c'];

/** Modes and levels in the order the evaluations list them. */
function modeLevels(evals: readonly LabelledEval[]): { mode: string; level: string }[] {
  const seen = new Map<string, { mode: string; level: string }>();
  for (const { info } of evals)
    for (const [mode, levels] of Object.entries(info.per_level))
      for (const level of Object.keys(levels))
        if (!seen.has(`${mode} ${level}`)) seen.set(`${mode} ${level}`, { mode, level });
  return [...seen.values()];
}

function summaryCells(s: Summary | undefined): string {
  if (!s) return '<td class="na" colspan="3">–</td>';
  return `<td class="num">${pct(s.rate)}</td><td class="num ci">${ci(s)}</td><td class="num">${s.episodes}</td>`;
}

function groupHeader(evals: readonly LabelledEval[], keys: readonly string[]): string {
  const top = keys.map((k) => `<th rowspan="2">${esc(k)}</th>`).join('');
  const names = evals.map((e) => `<th colspan="3">${esc(e.label)}</th>`).join('');
  const sub = evals.map(() => '<th>success</th><th>95% interval</th><th>episodes</th>').join('');
  return `<thead><tr>${top}${names}</tr><tr>${sub}</tr></thead>`;
}

function levelTable(evals: readonly LabelledEval[]): string {
  const rows: string[] = [];
  const modes = [...new Set(modeLevels(evals).map((m) => m.mode))];
  for (const mode of modes) {
    const levels = modeLevels(evals).filter((m) => m.mode === mode);
    for (const { level } of levels)
      rows.push(
        `<tr><td>${esc(mode)}</td><td>${esc(level)}</td>${evals.map((e) => summaryCells(e.info.per_level[mode]?.[level])).join('')}</tr>`,
      );
    rows.push(
      `<tr class="total"><td>${esc(mode)}</td><td>all</td>${evals.map((e) => summaryCells(e.info.overall[mode])).join('')}</tr>`,
    );
  }
  return `<table id="per-level">${groupHeader(evals, ['mode', 'level'])}<tbody>${rows.join('')}</tbody></table>`;
}

function taskTable(evals: readonly LabelledEval[]): string {
  const rows: string[] = [];
  for (const { mode, level } of modeLevels(evals)) {
    const tasks = new Set<string>();
    for (const e of evals)
      for (const t of Object.keys(e.info.per_task[mode]?.[level] ?? {})) tasks.add(t);
    for (const task of tasks)
      rows.push(
        `<tr><td>${esc(mode)}</td><td>${esc(level)}</td><td>${esc(task)}</td>${evals.map((e) => summaryCells(e.info.per_task[mode]?.[level]?.[task])).join('')}</tr>`,
      );
  }
  return `<table id="per-task">${groupHeader(evals, ['mode', 'level', 'task'])}<tbody>${rows.join('')}</tbody></table>`;
}

function evalSources(evals: readonly LabelledEval[]): string {
  const items = evals.map(
    ({ label, dir, info }) =>
      `<li><b>${esc(label)}</b>: ${esc(dir)}: seed ${info.seed}, ${info.episodes_per_task} episodes per task, level and mode, levels ${esc(info.levels.join(', '))}, modes ${esc(info.modes.join(', '))}${info.tasks ? `, tasks ${esc(info.tasks.join(', '))}` : ''}</li>`,
  );
  return `<ul class="sources">${items.join('')}</ul>`;
}

type ChartConfig = Record<string, unknown>;

function successChart(evals: readonly LabelledEval[]): ChartConfig {
  const points = modeLevels(evals);
  const modes = new Set(points.map((p) => p.mode));
  const labels = points.map((p) => (modes.size > 1 ? `${p.mode} ${p.level}` : p.level));
  return {
    type: 'bar',
    data: {
      labels,
      datasets: evals.map((e, i) => ({
        label: e.label,
        data: points.map((p) => e.info.per_level[p.mode]?.[p.level]?.rate ?? null),
        backgroundColor: PALETTE[i % PALETTE.length],
      })),
    },
    options: {
      animation: false,
      maintainAspectRatio: false,
      plugins: { title: { display: true, text: 'Success rate per level' } },
      scales: { y: { min: 0, max: 1, title: { display: true, text: 'success rate' } } },
    },
  };
}

function lossChart(train: TrainLog): ChartConfig {
  const terms = [...new Set(train.progress.flatMap((p) => Object.keys(p.terms)))];
  const series = [
    { label: 'loss', get: (p: RunProgress) => p.loss },
    ...terms.map((t) => ({ label: t, get: (p: RunProgress) => p.terms[t] ?? null })),
  ];
  return {
    type: 'line',
    data: {
      datasets: series.map((s, i) => ({
        label: s.label,
        data: train.progress.map((p) => ({ x: p.step, y: s.get(p) })),
        borderColor: PALETTE[i % PALETTE.length],
        backgroundColor: PALETTE[i % PALETTE.length],
        borderWidth: s.label === 'loss' ? 2.5 : 1.5,
        pointRadius: train.progress.length > 60 ? 0 : 2,
      })),
    },
    options: {
      animation: false,
      maintainAspectRatio: false,
      plugins: { title: { display: true, text: 'Training loss and its terms' } },
      scales: {
        x: { type: 'linear', title: { display: true, text: 'step' } },
        y: { title: { display: true, text: 'loss' } },
      },
    },
  };
}

function evaluationChart(train: TrainLog): ChartConfig | null {
  const evs = train.evaluations;
  const segments = [...new Set(evs.flatMap((e) => Object.keys(e.validation?.loss ?? {})))];
  const closed = [...new Set(evs.flatMap((e) => Object.keys(e.closedLoop ?? {})))];
  if (segments.length === 0 && closed.length === 0) return null;
  const datasets = [
    ...segments.map((s, i) => ({
      label: `validation loss (${s})`,
      data: evs
        .filter((e) => e.validation?.loss[s] !== undefined)
        .map((e) => ({ x: e.step, y: e.validation?.loss[s] })),
      borderColor: PALETTE[i % PALETTE.length],
      backgroundColor: PALETTE[i % PALETTE.length],
      yAxisID: 'loss',
    })),
    ...closed.map((k, i) => ({
      label: `closed loop ${k.replace(/_/g, ' ')}`,
      data: evs
        .filter((e) => e.closedLoop?.[k] !== undefined)
        .map((e) => ({ x: e.step, y: e.closedLoop?.[k] })),
      borderColor: PALETTE[(segments.length + i) % PALETTE.length],
      backgroundColor: PALETTE[(segments.length + i) % PALETTE.length],
      borderDash: [6, 3],
      yAxisID: 'rate',
    })),
  ];
  return {
    type: 'line',
    data: { datasets },
    options: {
      animation: false,
      maintainAspectRatio: false,
      plugins: { title: { display: true, text: 'Evaluations during training' } },
      scales: {
        x: { type: 'linear', title: { display: true, text: 'step' } },
        loss: {
          type: 'linear',
          position: 'left',
          display: segments.length > 0,
          title: { display: true, text: 'validation loss' },
        },
        rate: {
          type: 'linear',
          position: 'right',
          min: 0,
          max: 1,
          display: closed.length > 0,
          grid: { drawOnChartArea: false },
          title: { display: true, text: 'closed-loop rate' },
        },
      },
    },
  };
}

function trainTable(train: TrainLog): string {
  const last = train.progress[train.progress.length - 1];
  const lastEval = train.evaluations[train.evaluations.length - 1];
  const rows: [string, string][] = [];
  if (last) {
    rows.push(['steps', `${last.step} of ${last.steps}`]);
    rows.push(['last loss', last.loss.toFixed(4)]);
    for (const [t, v] of Object.entries(last.terms)) rows.push([`last ${t}`, v.toFixed(4)]);
  }
  for (const [s, v] of Object.entries(lastEval?.validation?.loss ?? {}))
    rows.push([`validation loss (${s})`, v.toFixed(4)]);
  for (const [k, v] of Object.entries(lastEval?.closedLoop ?? {}))
    rows.push([`closed loop ${k.replace(/_/g, ' ')}`, String(v)]);
  return `<table class="kv">${rows.map(([k, v]) => `<tr><th>${esc(k)}</th><td class="num">${esc(v)}</td></tr>`).join('')}</table>`;
}

function sceneList(scene: SceneDescriptor | undefined): string {
  if (!scene) return '–';
  if (scene.objects.length === 0) return '<i>empty</i>';
  const items = scene.objects.map((ob) => {
    const theta = ob.theta === undefined ? '' : ` θ${ob.theta.toFixed(2)}`;
    return `<li>${esc(ob.color)} ${esc(ob.object)} <span class="xy">(${ob.x.toFixed(2)}, ${ob.y.toFixed(2)})${theta}</span></li>`;
  });
  return `<ul class="scene">${items.join('')}</ul>`;
}

function actionCell(action: Action | null | undefined): string {
  if (!action) return '<i>none (the turn did not decode)</i>';
  const p = (q: Action['from']) => `(${q.x.toFixed(2)}, ${q.y.toFixed(2)}, ${q.theta.toFixed(2)})`;
  return `${esc(action.kind)}<br><span class="xy">${p(action.from)} → ${p(action.to)}</span>`;
}

function episodeCard(
  { dir, episode, replay }: ReportInput['episodes'][number],
  index: number,
): string {
  const e = episode;
  const outcome = e.success
    ? '<span class="ok">success</span>'
    : `<span class="bad">failure: ${esc(e.failure ?? 'unknown')}</span>`;
  const width = Object.values(e.views).reduce((s, v) => s + v.width, 0) + 4;
  const scale = Math.max(1, Math.floor(480 / Math.max(1, width)));
  const img = replay
    ? `<img class="replay" alt="replay of ${esc(e.task)} seed ${e.seed}" width="${width * scale}" src="data:image/gif;base64,${Buffer.from(replay).toString('base64')}">`
    : '<p class="na">no replay.gif</p>';
  const rows = e.per_step.map((s) => {
    const t = s.trace;
    return `<tr>
<td class="num">${s.step}</td>
<td>${actionCell(s.action)}${s.invalid ? `<br><span class="bad">refused: ${esc(s.invalid)}</span>` : ''}</td>
<td>${t ? esc(t.consistency.replace(/_/g, ' ')) : s.decode_failed ? '<span class="bad">decode failed</span>' : '–'}</td>
<td class="num">${t ? `${Math.round(t.latencyMs)} ms` : '–'}</td>
<td>${t ? sceneList(t.scene) : '–'}</td>
<td>${t ? sceneList(t.next) : '–'}</td>
<td>${sceneList(s.truth)}</td>
</tr>${t ? `<tr class="text"><td></td><td colspan="6"><details><summary>assistant text (${t.tokens} tokens, ${t.passes} passes)</summary><code>${esc(t.text)}</code></details></td></tr>` : ''}`;
  });
  return `<section class="episode" id="episode-${index}">
<h3>${esc(e.task)} · ${esc(e.level)} · ${esc(e.mode)} · seed ${e.seed} · ${esc(e.agent)} — ${outcome} in ${e.steps} step${e.steps === 1 ? '' : 's'}</h3>
<p class="instruction">“${esc(e.instruction)}”</p>
<p class="source">${esc(dir)}${e.checkpoint ? ` · checkpoint ${esc(e.checkpoint)}` : ''}</p>
${img}
<table class="steps"><thead><tr><th>step</th><th>action</th><th>consistency</th><th>latency</th><th>scene (read)</th><th>next (predicted)</th><th>truth</th></tr></thead>
<tbody>${rows.join('')}</tbody></table>
</section>`;
}

const STYLE = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;color:#1d2330;background:#f6f7f9}
main{max-width:1200px;margin:0 auto;padding:24px}
h1{margin:0 0 4px}h2{margin:32px 0 8px;border-bottom:1px solid #d8dce3;padding-bottom:4px}
table{border-collapse:collapse;background:#fff;margin:8px 0;font-size:13px}
th,td{border:1px solid #dde1e7;padding:3px 8px;vertical-align:top;text-align:left}
th{background:#eef1f5}td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
td.ci{color:#5b6473}td.na{color:#9aa1ad;text-align:center}tr.total td{font-weight:600}
.chart{position:relative;height:300px;background:#fff;border:1px solid #dde1e7;margin:8px 0;padding:8px}
.sources,.source{color:#5b6473;font-size:12px}.ok{color:#1d7a3a}.bad{color:#b3261e}
.episode{background:#fff;border:1px solid #dde1e7;padding:12px 16px;margin:16px 0}
.episode h3{margin:0 0 4px;font-size:15px}.instruction{font-style:italic;margin:2px 0}
img.replay{image-rendering:pixelated;display:block;margin:8px 0;max-width:100%;height:auto;border:1px solid #dde1e7}
ul.scene{margin:0;padding-left:16px}.xy{color:#5b6473;font-size:12px;font-variant-numeric:tabular-nums}
tr.text td{border-top:none}details code{white-space:pre-wrap;font-size:11px;word-break:break-all}
`;

/** The page. `chartJs`: the Chart.js bundle to inline (see {@link chartJsBundle}). */
export function reportHtml(input: ReportInput, chartJs: string): string {
  const charts: { id: string; config: ChartConfig }[] = [];
  const chart = (id: string, config: ChartConfig | null) => {
    if (!config) return '';
    charts.push({ id, config });
    return `<div class="chart"><canvas id="${id}" data-chart="${id}-config"></canvas></div>`;
  };
  const body: string[] = [];
  body.push(
    `<h1>${esc(input.title)}</h1><p class="sources">${input.evals.length} evaluation(s)${input.train ? ', a training log' : ''}, ${input.episodes.length} episode(s)</p>`,
  );
  if (input.evals.length) {
    body.push('<h2>Success per level</h2>', evalSources(input.evals), levelTable(input.evals));
    body.push(chart('chart-success', successChart(input.evals)));
    body.push('<h2>Success per task</h2>', taskTable(input.evals));
  }
  if (input.train) {
    body.push(`<h2>Training</h2><p class="sources">${esc(input.train.path)}</p>`);
    body.push(trainTable(input.train));
    if (input.train.progress.length) body.push(chart('chart-loss', lossChart(input.train)));
    body.push(chart('chart-evaluation', evaluationChart(input.train)));
  }
  if (input.episodes.length) {
    body.push('<h2>Episodes</h2>');
    input.episodes.forEach((e, i) => body.push(episodeCard(e, i)));
  }
  const configs = charts
    .map(
      (c) => `<script type="application/json" id="${c.id}-config">${scriptJson(c.config)}</script>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(input.title)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
${body.join('\n')}
</main>
${configs}
<script>${chartJs.replace(/<\/script/gi, '<\\/script')}</script>
<script>
for (const canvas of document.querySelectorAll('canvas[data-chart]')) {
  const config = JSON.parse(document.getElementById(canvas.dataset.chart).textContent);
  new Chart(canvas, config);
}
</script>
</body>
</html>
`;
}
