import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { writeFileAtomicSync } from '@actllm/core/node';
import type { RunEvaluation, RunProgress } from '@actllm/policy';
import { COMMON, required, type CommandDef } from '../command.js';
import { list, text } from '../config.js';
import { readRunOutputs } from '../episode-file.js';
import { CliError } from '../errors.js';
import { EVAL_INFO_FILE, EVAL_INFO_FORMAT, type EvalInfo } from '../eval-info.js';
import { fields, printResult, type Io } from '../output.js';
import { checkWritable, requireDir } from '../paths.js';
import {
  chartJsBundle,
  reportHtml,
  type LabelledEval,
  type ReportInput,
  type TrainLog,
} from '../report-html.js';
import { TRAIN_LOG_FILE } from '../train-settings.js';

function readEval(dir: string): EvalInfo {
  requireDir(dir, '--eval', 'pass the --out folder of actllm eval (or of actllm merge)');
  const path = join(dir, EVAL_INFO_FILE);
  if (!existsSync(path))
    throw new CliError(
      'CLI_INPUT_NOT_FOUND',
      `--eval ${dir} has no ${EVAL_INFO_FILE}; pass the --out folder of actllm eval (or of actllm merge).`,
    );
  let info: EvalInfo;
  try {
    info = JSON.parse(readFileSync(path, 'utf8')) as EvalInfo;
  } catch (error) {
    throw new CliError(
      'CLI_INPUT_INVALID',
      `${path} is not JSON (${(error as Error).message}); run actllm eval --out ${dir} again.`,
    );
  }
  if (info?.format !== EVAL_INFO_FORMAT || typeof info.per_level !== 'object')
    throw new CliError(
      'CLI_INPUT_INVALID',
      `${path} is not an eval_info.json of actllm eval; pass folders written by actllm eval or merge.`,
    );
  if (info.shard)
    throw new CliError(
      'CLI_INPUT_INVALID',
      `${path} is shard ${info.shard.index}/${info.shard.count} of a run; join the shards with actllm merge first.`,
    );
  return info;
}

/** Labels by the `agent` field; a checkpoint's folder name tells actllm runs apart. */
function labelEvals(dirs: readonly string[], infos: readonly EvalInfo[]): LabelledEval[] {
  const base = infos.map((info) => info.agent);
  const labels = infos.map((info, i) =>
    base.filter((b) => b === info.agent).length > 1 && info.checkpoint
      ? `${info.agent} (${basename(info.checkpoint)})`
      : (base[i] as string),
  );
  return infos.map((info, i) => {
    const label = labels[i] as string;
    const same = labels.slice(0, i).filter((l) => l === label).length;
    return { label: same ? `${label} #${same + 1}` : label, dir: dirs[i] as string, info };
  });
}

function readTrainLog(dir: string): TrainLog {
  requireDir(dir, '--train', 'pass the checkpoint folder of actllm train');
  const path = join(dir, TRAIN_LOG_FILE);
  if (!existsSync(path))
    throw new CliError(
      'CLI_INPUT_NOT_FOUND',
      `--train ${dir} has no ${TRAIN_LOG_FILE}; pass the --out folder of actllm train.`,
    );
  const progress: RunProgress[] = [];
  const evaluations: RunEvaluation[] = [];
  readFileSync(path, 'utf8')
    .split('\n')
    .forEach((line, i) => {
      if (line.trim() === '') return;
      let record: { type?: string; step?: unknown };
      try {
        record = JSON.parse(line) as { type?: string };
      } catch {
        throw new CliError(
          'CLI_INPUT_INVALID',
          `${path} line ${i + 1} is not JSON; the log is written by actllm train.`,
        );
      }
      if (typeof record.step !== 'number') return;
      if (record.type === 'progress') progress.push(record as unknown as RunProgress);
      else if (record.type === 'evaluation') evaluations.push(record as unknown as RunEvaluation);
    });
  return { path, progress, evaluations };
}

/** The report is a file: its folder must be writable and it must not be a folder itself. */
function checkReportPath(out: string): void {
  if (existsSync(out) && statSync(out).isDirectory())
    throw new CliError(
      'CLI_OUTPUT_NOT_WRITABLE',
      `--out ${out} is a folder; pass the path of the .html file to write, such as ${join(out, 'report.html')}.`,
    );
  checkWritable(dirname(resolve(out)));
}

export const report: CommandDef = {
  name: 'report',
  summary: 'one self-contained HTML report of evaluations, a training log and episode replays',
  specs: [
    {
      flags: '--eval <dirs>',
      description: 'eval output folders (eval_info.json), comma-separated; labelled by agent',
      kind: list,
    },
    {
      flags: '--train <dir>',
      description: 'checkpoint folder with train_log.jsonl (training curves)',
      kind: text,
    },
    {
      flags: '--episodes <dir>',
      description: 'an actllm run output, or a folder of them (the gallery)',
      kind: text,
    },
    { flags: '--title <text>', description: 'page title', kind: text, default: 'ACTLLM report' },
    { flags: '--out <file>', description: 'the HTML file to write', kind: text },
    ...COMMON,
  ],
  examples: `
Examples:
  $ actllm report --eval eval/run1,eval/oracle,eval/random --train ckpt/run1 --episodes runs --out report.html
  $ actllm report --eval eval/run1 --out eval/run1/report.html --json
  The page inlines Chart.js, its data and the replays (data: URIs): it opens offline.`,
  run: (o, io) => Promise.resolve().then(() => writeReport(o, io)),
};

function writeReport(o: Record<string, unknown>, io: Io): void {
  const out = required<string>(o, 'out', '--out');
  const evalDirs = (o['eval'] as string[] | undefined) ?? [];
  const trainDir = o['train'] as string | undefined;
  const episodesDir = o['episodes'] as string | undefined;
  if (evalDirs.length === 0 && !trainDir && !episodesDir)
    throw new CliError(
      'CLI_USAGE',
      'give at least one of --eval <dirs>, --train <dir> or --episodes <dir> (what the report shows).',
    );
  checkReportPath(out);
  const infos = evalDirs.map(readEval);
  const evals = labelEvals(evalDirs, infos);
  const train = trainDir ? readTrainLog(trainDir) : null;
  const episodes = (episodesDir ? readRunOutputs(episodesDir, '--episodes') : []).map((r) => {
    const path = join(r.dir, r.episode.replay);
    return { ...r, replay: existsSync(path) ? readFileSync(path) : null };
  });
  const input: ReportInput = { title: o['title'] as string, evals, train, episodes };
  const html = reportHtml(input, chartJsBundle());
  mkdirSync(dirname(resolve(out)), { recursive: true });
  writeFileAtomicSync(out, html);

  const charts = [
    ...(evals.length ? ['success per level'] : []),
    ...(train?.progress.length ? ['training loss'] : []),
    ...(train?.evaluations.some((e) => e.validation || e.closedLoop) ? ['evaluations'] : []),
  ];
  const bytes = Buffer.byteLength(html);
  printResult(
    io,
    {
      command: 'report',
      out,
      bytes,
      evals: evals.map((e) => ({ label: e.label, dir: e.dir })),
      train: train ? { path: train.path, steps: train.progress.length } : null,
      episodes: episodes.map((e) => e.dir),
      charts,
    },
    () =>
      fields([
        ['report', `${out} (${Math.round(bytes / 1024)} KiB, self-contained)`],
        ['evals', evals.length ? evals.map((e) => `${e.label} (${e.dir})`).join(', ') : '-'],
        [
          'training',
          train
            ? `${train.path} (${train.progress.length} steps, ${train.evaluations.length} evaluations)`
            : '-',
        ],
        ['episodes', episodes.length ? `${episodes.length} (${episodesDir})` : '-'],
        ['charts', charts.join(', ') || '-'],
      ]),
  );
}
