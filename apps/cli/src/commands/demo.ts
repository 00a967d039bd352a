import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Option } from 'commander';
import { COMMON, type CommandDef } from '../command.js';
import { integer, text } from '../config.js';
import { CliError } from '../errors.js';

import { printResult, table, type Cell, type Io } from '../output.js';
import { evaluateCommand } from './eval.js';
import { report } from './report.js';
import { runCommand } from './run.js';
import { EVAL_INFO_FILE, type EvalInfo } from '../eval-info.js';

/** The shipped checkpoint, beside the CLI in the repository (apps/cli/dist -> checkpoints). */
const SHIPPED = fileURLToPath(new URL('../../../checkpoints/default', import.meta.url));

/** The episodes of the gallery: a few families, static and dynamic. */
const GALLERY = [
  { task: 'visual_manipulation', level: 'L1', mode: 'static', seed: 1 },
  { task: 'rotate', level: 'L1', mode: 'strong', seed: 2 },
  { task: 'follow_order', level: 'L2', mode: 'static', seed: 3 },
] as const;

/** A command's options as commander would give them: its defaults, then `given`. */
function optionsOf(def: CommandDef, given: Record<string, unknown>): Record<string, unknown> {
  const options: Record<string, unknown> = {};
  for (const spec of def.specs) {
    const option = new Option(spec.flags);
    if (spec.default !== undefined) options[option.attributeName()] = spec.default;
    else if (option.negate) options[option.attributeName()] = true;
  }
  return { ...options, ...given, json: true };
}

/** Runs another command quietly (its JSON result is dropped): the demo prints the summary. */
async function quietly(def: CommandDef, given: Record<string, unknown>): Promise<void> {
  const sink = { write: () => true } as unknown as Io['stdout'];
  const io: Io = { json: true, stdout: sink, stderr: sink };
  await def.run(optionsOf(def, given), io, [], (key) => key in given);
}

function rate(info: EvalInfo, mode: string, level: string): string {
  const s = level === 'all' ? info.overall[mode] : info.per_level[mode]?.[level];
  return s
    ? `${(100 * s.rate).toFixed(0)}% (${(100 * s.ci95[0]).toFixed(0)}-${(100 * s.ci95[1]).toFixed(0)})`
    : '-';
}

export const demo: CommandDef = {
  name: 'demo',
  summary: 'the main job: evaluate the shipped checkpoint on every level, write the report',
  specs: [
    {
      flags: '--checkpoint <dir>',
      description: 'checkpoint to show (default: the shipped checkpoints/default)',
      kind: text,
    },
    {
      flags: '--episodes <n>',
      description: 'episodes per task, level and mode',
      kind: integer(1, 1000),
      default: 1,
    },
    { flags: '--seed <n>', description: 'evaluation seed', kind: integer(0), default: 2026 },
    {
      flags: '--out <dir>',
      description: 'folder for the evaluations, the episodes and report.html',
      kind: text,
      default: 'demo-output',
    },
    ...COMMON,
  ],
  examples: `
Examples:
  $ npm start                                   # builds, then runs actllm demo
  $ actllm demo --episodes 2 --out demo-output
  $ actllm demo --checkpoint ckpt/run1 --json
  It evaluates the checkpoint, the oracle and a random agent on L1-L4, static and strong
  dynamic, runs a few gallery episodes, and writes <out>/report.html.`,
  async run(o, io) {
    const checkpoint = resolve((o['checkpoint'] as string | undefined) ?? SHIPPED);
    if (!existsSync(join(checkpoint, 'model.safetensors')))
      throw new CliError(
        'CLI_INPUT_NOT_FOUND',
        `no checkpoint at ${checkpoint}; pass --checkpoint <dir> from actllm train, or run from a clone of the repository (it ships checkpoints/default).`,
      );
    const out = o['out'] as string;
    const plan = {
      levels: ['L1', 'L2', 'L3', 'L4'],
      modes: ['static', 'strong'],
      episodes: o['episodes'] as number,
      seed: o['seed'] as number,
    };
    const started = performance.now();
    const agents = ['actllm', 'oracle', 'random'] as const;
    for (const agent of agents) {
      if (!io.json) io.stderr.write(`demo: evaluating ${agent} ...\n`);
      await quietly(evaluateCommand, {
        ...plan,
        agent,
        ...(agent === 'actllm' ? { checkpoint } : {}),
        out: join(out, 'eval', agent),
      });
    }
    if (!io.json) io.stderr.write('demo: recording gallery episodes ...\n');
    for (const e of GALLERY)
      await quietly(runCommand, {
        ...e,
        checkpoint,
        out: join(out, 'episodes', `${e.task}-${e.mode}`),
      });
    const html = join(out, 'report.html');
    const trainLog = existsSync(join(checkpoint, 'train_log.jsonl')) ? { train: checkpoint } : {};
    await quietly(report, {
      eval: agents.map((a) => join(out, 'eval', a)),
      ...trainLog,
      episodes: join(out, 'episodes'),
      title: 'ACTLLM demo',
      out: html,
    });
    const infos = agents.map(
      (a) => JSON.parse(readFileSync(join(out, 'eval', a, EVAL_INFO_FILE), 'utf8')) as EvalInfo,
    );
    const rows: Cell[][] = [];
    for (const mode of plan.modes)
      for (const level of [...plan.levels, 'all'])
        rows.push([mode, level, ...infos.map((info) => rate(info, mode, level))]);
    const seconds = Math.round((performance.now() - started) / 100) / 10;
    printResult(
      io,
      {
        command: 'demo',
        checkpoint,
        report: html,
        seconds,
        overall: Object.fromEntries(agents.map((a, i) => [a, infos[i]?.overall])),
      },
      () =>
        [
          `ACTLLM demo: ${checkpoint}, ${plan.episodes} episode(s) per task, level and mode (seed ${plan.seed}), ${seconds} s`,
          '',
          table(['mode', 'level', 'actllm', 'oracle', 'random'], rows),
          '',
          `Success rate (95% interval). Report: ${html}`,
        ].join('\n'),
    );
  },
};
