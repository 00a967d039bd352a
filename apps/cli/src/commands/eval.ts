import { join } from 'node:path';
import type { Agent } from '@actllm/core';
import { evaluateObservations, type ActllmAgent, type ObservationReport } from '@actllm/policy';
import {
  OracleAgent,
  RandomAgent,
  TabletopEnv,
  TabletopError,
  deriveSeed,
  getPartition,
  getTask,
  runEpisode,
} from '@actllm/tabletop';
import type { ParseCountingAgent } from '../agents.js';
import { AGENT_SPECS, POLICY_SPECS, createPolicyAgent, type AGENTS } from '../policy-agent.js';
import { COMMON, required, type CommandDef } from '../command.js';
import { integer, list, shard, text, type Shard, type Views } from '../config.js';
import { usage } from '../errors.js';
import {
  EVAL_INFO_FILE,
  EVAL_INFO_FORMAT,
  MODES,
  buildEvalInfo,
  episodeList,
  intensityOf,
  levelTasks,
  type EpisodeEntry,
  type EvalHeader,
  type EvalInfo,
  type Mode,
  type Summary,
} from '../eval-info.js';
import { duration, fields, printResult, table, type Cell } from '../output.js';
import { checkWritable, writeJsonAtomic } from '../paths.js';
import { createBar } from '../progress.js';
import { inShard, shardText } from '../shard.js';
import { readTrainSettings } from '../train-settings.js';

/** The per-level table people read; also printed by `merge`. */
export function evalSummaryText(info: EvalInfo): string {
  const rows: Cell[][] = [];
  const row = (mode: string, level: string, s: Summary) =>
    rows.push([mode, level, s.episodes, s.rate, `${s.ci95[0]}-${s.ci95[1]}`, s.mean_steps]);
  for (const [mode, overall] of Object.entries(info.overall)) {
    for (const [level, s] of Object.entries(info.per_level[mode] ?? {})) row(mode, level, s);
    row(mode, 'all', overall);
  }
  return table(['mode', 'level', 'episodes', 'success', '95% interval', 'mean steps'], rows);
}

/** Refuses levels and tasks that do not exist or do not meet (before any episode runs). */
export function checkPlan(levels: readonly string[], tasks: readonly string[] | null): void {
  for (const level of levels) getPartition(level);
  for (const t of tasks ?? []) {
    getTask(t);
    if (!levels.some((l) => levelTasks(l, null).includes(t)))
      throw new TabletopError(
        'TABLETOP_TASK_NOT_IN_PARTITION',
        `task ${t} belongs to none of ${levels.join(', ')}; drop it from --tasks or add a level that has it.`,
      );
  }
  for (const level of levels)
    if (levelTasks(level, tasks).length === 0)
      throw new TabletopError(
        'TABLETOP_TASK_NOT_IN_PARTITION',
        `none of --tasks belongs to level ${level}; drop the level or add one of ${levelTasks(level, null).join(', ')}.`,
      );
}

/**
 * The observation model on its own: `frames` first frames per level (tasks in turn, seeds
 * from the evaluation seed but not the episodes'), each compared with its true objects.
 */
async function observationReports(
  env: TabletopEnv,
  agent: ActllmAgent,
  levels: readonly string[],
  tasks: readonly string[] | null,
  frames: number,
  seed: number,
): Promise<Record<string, ObservationReport>> {
  const out: Record<string, ObservationReport> = {};
  for (const level of levels) {
    const names = levelTasks(level, tasks);
    const held = Array.from({ length: frames }, (_, i) => {
      const observation = env.reset({
        task: names[i % names.length] as string,
        partition: level,
        seed: deriveSeed(seed, 'observation', level, i),
      });
      return { instruction: observation.instruction, observation };
    });
    out[level] = await evaluateObservations(agent, held);
  }
  return out;
}

function observationText(reports: Record<string, ObservationReport>): string {
  const r3 = (v: number) => Math.round(v * 1000) / 1000;
  return table(
    ['level', 'frames', 'object F1', 'shape acc', 'colour acc', 'position error (bins)'],
    Object.entries(reports).map(([level, r]) => [
      level,
      r.frames,
      r3(r.objectF1),
      r3(r.shapeAccuracy),
      r3(r.colorAccuracy),
      r3(r.positionErrorBins),
    ]),
  );
}

export const evaluateCommand: CommandDef = {
  name: 'eval',
  summary: 'evaluate a checkpoint (or a baseline) closed loop and write eval_info.json',
  specs: [
    ...AGENT_SPECS,
    {
      flags: '--levels <list>',
      description: 'levels to run, e.g. L1,L2,L3,L4',
      kind: list,
      default: ['L1', 'L2', 'L3', 'L4'],
    },
    {
      flags: '--modes <list>',
      description: 'static, mild and/or strong (dynamic perturbations)',
      kind: list,
      default: ['static'],
    },
    {
      flags: '--tasks <list>',
      description: 'only these task families (default: every task of each level)',
      kind: list,
    },
    {
      flags: '--episodes <n>',
      description: 'episodes per task, level and mode',
      kind: integer(1, 100_000),
      default: 10,
    },
    {
      flags: '--seed <n>',
      description: 'evaluation seed (episode seeds follow tabletop deriveSeed)',
      kind: integer(0),
      default: 1,
    },
    {
      flags: '--shard <K/N>',
      description: 'run only shard K of N of the episode list; merge with actllm merge',
      kind: shard,
    },
    {
      flags: '--out <dir>',
      description: 'folder for eval_info.json (default: print only)',
      kind: text,
    },
    {
      flags: '--observations <n>',
      description:
        'also measure the observation model alone on n held-out frames per level (F1, shape, colour, position error)',
      kind: integer(0, 100_000),
      default: 0,
    },
    ...POLICY_SPECS,
    ...COMMON,
  ],
  examples: `
Examples:
  $ actllm eval --checkpoint ckpt/run1 --levels L1,L2,L3,L4 --modes static,strong --episodes 20 --out eval/run1
  $ actllm eval --agent oracle --levels L1 --tasks rotate,twist --episodes 5
  $ actllm eval --checkpoint ckpt/run1 --episodes 20 --shard 2/4 --out eval/shard-2    # then actllm merge`,
  async run(o, io) {
    const agentName = o['agent'] as (typeof AGENTS)[number];
    const levels = o['levels'] as string[];
    const modes = o['modes'] as string[];
    for (const m of modes)
      if (!(MODES as readonly string[]).includes(m))
        throw usage(`--modes: unknown mode "${m}"; use static, mild or strong.`);
    const tasks = (o['tasks'] as string[] | undefined) ?? null;
    checkPlan(levels, tasks);
    const s = o['shard'] as Shard | undefined;
    const out = o['out'] as string | undefined;
    if (out !== undefined) checkWritable(out);
    const checkpoint =
      agentName === 'actllm' ? required<string>(o, 'checkpoint', '--checkpoint') : undefined;
    const settings = checkpoint ? readTrainSettings(checkpoint) : undefined;
    const viewSizes = (o['views'] as Views | undefined) ?? settings?.views ?? null;

    let agent: Agent;
    let counting: ParseCountingAgent | undefined;
    let dispose = async () => {};
    let policyAgent: ActllmAgent | undefined;
    const frames = o['observations'] as number;
    if (frames > 0 && (!checkpoint || s))
      throw usage('--observations needs --checkpoint and runs unsharded.');
    if (checkpoint) {
      const loaded = await createPolicyAgent(checkpoint, o);
      dispose = () => loaded.dispose();
      policyAgent = loaded.policy;
      counting = loaded.agent;
      agent = counting;
    } else {
      agent = agentName === 'oracle' ? new OracleAgent() : new RandomAgent(o['seed'] as number);
    }

    const header: EvalHeader = {
      format: EVAL_INFO_FORMAT,
      version: 1,
      agent: agentName,
      checkpoint: checkpoint ?? null,
      seed: o['seed'] as number,
      episodes_per_task: o['episodes'] as number,
      levels,
      modes: modes as Mode[],
      tasks,
      views: viewSizes,
    };
    const jobs = episodeList(header).filter((_, i) => inShard(i, s));
    const env = await TabletopEnv.create(viewSizes ? { views: viewSizes } : {});
    const started = performance.now();
    const done: EpisodeEntry[] = [];
    let observationModel: Record<string, ObservationReport> | undefined;
    const bar = createBar(
      io,
      jobs.length,
      'eval |{bar}| {value}/{total} episodes | success {rate} | ETA {eta_formatted}',
      {
        rate: '-',
      },
    );
    try {
      for (const job of jobs) {
        const before = counting?.failures ?? 0;
        const r = await runEpisode(env, agent, {
          task: job.task,
          partition: job.level,
          index: job.index,
          seed: job.seed,
          dynamic: intensityOf(job.mode),
        });
        done.push({
          ...job,
          success: r.success,
          steps: r.steps,
          failure: r.cause,
          parse_failures: (counting?.failures ?? 0) - before,
        });
        const wins = done.filter((e) => e.success).length;
        bar.update(done.length, { rate: (wins / done.length).toFixed(3) });
      }
      if (policyAgent && frames > 0)
        observationModel = await observationReports(
          env,
          policyAgent,
          levels,
          tasks,
          frames,
          header.seed,
        );
    } finally {
      bar.stop();
      env.close();
      await dispose();
    }
    const info = {
      ...buildEvalInfo(header, done, s),
      ...(observationModel ? { observation_model: observationModel } : {}),
    };
    if (out !== undefined) writeJsonAtomic(join(out, EVAL_INFO_FILE), info);
    const seconds = (performance.now() - started) / 1000;
    printResult(
      io,
      {
        command: 'eval',
        out: out ?? null,
        agent: agentName,
        shard: s ?? null,
        episodes: done.length,
        seconds: Math.round(seconds * 10) / 10,
        ...(counting ? { parse_rate: Math.round(counting.parseRate * 1e4) / 1e4 } : {}),
        per_level: info.per_level,
        overall: info.overall,
        ...(observationModel ? { observation_model: observationModel } : {}),
      },
      () =>
        [
          fields([
            ['agent', checkpoint ? `${agentName} (${checkpoint})` : agentName],
            ['shard', shardText(s)],
            ['episodes', `${done.length} in ${duration(seconds)}`],
            ...(counting ? ([['parse rate', counting.parseRate.toFixed(4)]] as const) : []),
            ...(out !== undefined ? ([['written', join(out, EVAL_INFO_FILE)]] as const) : []),
          ]),
          '',
          evalSummaryText(info),
          ...(observationModel ? ['', observationText(observationModel)] : []),
        ].join('\n'),
    );
  },
};
