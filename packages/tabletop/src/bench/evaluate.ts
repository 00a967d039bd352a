import type { Agent } from '@actllm/core';
import { TabletopError } from '../errors.js';
import { TabletopEnv } from '../env/environment.js';
import { assertIntensity, type Intensity } from '../dynamic/schedule.js';
import { getPartition } from '../tasks/partitions.js';
import { getTask, partitionTasks } from '../tasks/registry.js';
import { deriveSeed } from '../seeds.js';
import { runEpisode, type EpisodeResult } from './episode.js';
import { summarize, type RateSummary } from './summary.js';

export interface EvaluateOptions {
  /** One level or several (`train`, `L1` ... `L4`). */
  readonly partition: string | readonly string[];
  /** Task families to run; default every implemented family of each partition. A family outside a partition is skipped there. */
  readonly tasks?: readonly string[];
  readonly episodesPerTask: number;
  readonly seed: number;
  /** Dynamic perturbation intensity (default `none`). */
  readonly dynamic?: Intensity;
  /** An environment to reuse (its view sizes and physics); default a new one, closed at the end. */
  readonly env?: TabletopEnv;
  /** Called after every episode, e.g. for progress. */
  readonly onEpisode?: (result: EpisodeResult) => void;
}

export interface LevelReport extends RateSummary {
  readonly tasks: Readonly<Record<string, RateSummary>>;
}

/** Plain JSON: `JSON.stringify(report)` is the serialized form. */
export interface EvaluationReport {
  readonly agent: string;
  readonly seed: number;
  readonly dynamic: Intensity;
  readonly episodesPerTask: number;
  readonly levels: Readonly<Record<string, LevelReport>>;
}

/**
 * Thrown by `evaluate` when the agent (or `onEpisode`) throws: `report` holds every episode
 * finished before it (the interrupted task and level included, with the episodes done so
 * far), `cause` the original error.
 */
export class EvaluationAbortedError extends TabletopError {
  readonly report: EvaluationReport;

  constructor(report: EvaluationReport, cause: unknown) {
    const why = cause instanceof Error ? cause.message : String(cause);
    super(
      'TABLETOP_EVALUATION_ABORTED',
      `evaluate stopped: the agent threw (${why}); the episodes done so far are in error.report.`,
      { cause },
    );
    this.report = report;
  }
}

function checkOptions(options: EvaluateOptions): { partitions: string[]; dynamic: Intensity } {
  const n = options.episodesPerTask;
  if (!Number.isSafeInteger(n) || n < 1 || !Number.isSafeInteger(options.seed)) {
    throw new TabletopError(
      'TABLETOP_INVALID_OPTION',
      `evaluate: episodesPerTask must be a positive integer and seed a safe integer; got ${n} and ${options.seed}.`,
    );
  }
  const partitions =
    typeof options.partition === 'string' ? [options.partition] : [...options.partition];
  for (const p of partitions) getPartition(p);
  for (const t of options.tasks ?? []) getTask(t);
  for (const t of options.tasks ?? []) {
    if (!partitions.some((p) => partitionTasks(p).includes(t)))
      throw new TabletopError(
        'TABLETOP_TASK_NOT_IN_PARTITION',
        `evaluate: task "${t}" belongs to none of ${partitions.join(', ')}; pick a partition that has it (L4 holds ${partitionTasks('L4').join(', ')}).`,
      );
  }
  for (const p of partitions) {
    if (tasksOf(p, options.tasks).length === 0)
      throw new TabletopError(
        'TABLETOP_TASK_NOT_IN_PARTITION',
        `evaluate: none of the tasks given belongs to partition "${p}" (it would run 0 episodes); use some of ${partitionTasks(p).join(', ')}.`,
      );
  }
  return { partitions, dynamic: assertIntensity(options.dynamic ?? 'none') };
}

function tasksOf(partition: string, wanted: readonly string[] | undefined): string[] {
  const available = partitionTasks(partition);
  return wanted ? available.filter((t) => wanted.includes(t)) : available;
}

/**
 * Runs `agent` on `episodesPerTask` episodes of every task of every partition and reports
 * success rates with Wilson 95% intervals, mean steps and failures by cause, per task and per
 * level. Episode `i` of task `t` in partition `p` has seed `deriveSeed(seed, t, p, i)`, the
 * same as `generateDataset`, so a report is reproducible and comparable across agents.
 */
export async function evaluate(agent: Agent, options: EvaluateOptions): Promise<EvaluationReport> {
  const { partitions, dynamic } = checkOptions(options);
  const env = options.env ?? (await TabletopEnv.create());
  const levels: Record<string, LevelReport> = {};
  const report = (): EvaluationReport => ({
    agent: agent.name,
    seed: options.seed,
    dynamic,
    episodesPerTask: options.episodesPerTask,
    levels: { ...levels },
  });
  try {
    for (const partition of partitions) {
      const all: EpisodeResult[] = [];
      const tasks: Record<string, RateSummary> = {};
      for (const task of tasksOf(partition, options.tasks)) {
        const results: EpisodeResult[] = [];
        for (let index = 0; index < options.episodesPerTask; index++) {
          const seed = deriveSeed(options.seed, task, partition, index);
          let r: EpisodeResult;
          try {
            r = await runEpisode(env, agent, { task, partition, index, seed, dynamic });
            options.onEpisode?.(r);
          } catch (e) {
            // Keep what was done: this task and level so far, then rethrow with the report.
            if (results.length > 0) tasks[task] = summarize(results);
            if (all.length + results.length > 0)
              levels[partition] = { ...summarize([...all, ...results]), tasks };
            throw new EvaluationAbortedError(report(), e);
          }
          results.push(r);
        }
        tasks[task] = summarize(results);
        all.push(...results);
      }
      levels[partition] = { ...summarize(all), tasks };
    }
  } finally {
    if (!options.env) env.close();
  }
  return report();
}
