import { deriveSeed, partitionTasks, summarize, type FailureCause } from '@actllm/tabletop';
import type { Intensity } from '@actllm/tabletop';
import type { Shard, Views } from './config.js';

/**
 * `eval_info.json`, shaped after LeRobot's: `per_episode`, then summaries per task, per
 * level and overall, each per mode. Everything in it follows from the header and the
 * episodes, so shards merge into exactly the file of the unsharded run.
 */
export const EVAL_INFO_FILE = 'eval_info.json';
export const EVAL_INFO_FORMAT = 'actllm-eval-info';

/** `static` is the benchmark's `none`: no perturbations. */
export const MODES = ['static', 'mild', 'strong'] as const;
export type Mode = (typeof MODES)[number];

export function intensityOf(mode: Mode): Intensity {
  return mode === 'static' ? 'none' : mode;
}

/** What fixes the episode list (and so every shard's share of it). */
export interface EvalHeader {
  readonly format: typeof EVAL_INFO_FORMAT;
  readonly version: 1;
  readonly agent: string;
  readonly checkpoint: string | null;
  readonly seed: number;
  readonly episodes_per_task: number;
  readonly levels: readonly string[];
  readonly modes: readonly Mode[];
  /** The task filter, or null for every task of each level. */
  readonly tasks: readonly string[] | null;
  readonly views: Views | null;
}

export interface EpisodeJob {
  readonly task: string;
  readonly level: string;
  readonly mode: Mode;
  readonly index: number;
  readonly seed: number;
}

export interface EpisodeEntry extends EpisodeJob {
  readonly success: boolean;
  readonly steps: number;
  readonly failure: FailureCause | null;
  /** Steps whose turn did not decode into an action (0 for the baselines). */
  readonly parse_failures: number;
}

export interface Summary {
  readonly rate: number;
  readonly ci95: readonly [number, number];
  readonly episodes: number;
  readonly successes: number;
  readonly mean_steps: number;
  readonly failures: Readonly<Record<string, number>>;
}

export interface EvalInfo extends EvalHeader {
  readonly shard?: Shard;
  readonly per_episode: readonly EpisodeEntry[];
  readonly per_task: Readonly<
    Record<string, Readonly<Record<string, Readonly<Record<string, Summary>>>>>
  >;
  readonly per_level: Readonly<Record<string, Readonly<Record<string, Summary>>>>;
  readonly overall: Readonly<Record<string, Summary>>;
}

/** The tasks of a level under the filter, in the benchmark's order. */
export function levelTasks(level: string, filter: readonly string[] | null): string[] {
  const all = partitionTasks(level);
  return filter ? all.filter((t) => filter.includes(t)) : all;
}

/**
 * Every episode of an evaluation in canonical order: by mode, level, task (the benchmark's
 * order) and index. Episode `i` of task `t` in level `p` has tabletop's seed
 * `deriveSeed(seed, t, p, i)`, whatever the mode and the shard.
 */
export function episodeList(
  h: Pick<EvalHeader, 'modes' | 'levels' | 'tasks' | 'episodes_per_task' | 'seed'>,
): EpisodeJob[] {
  const jobs: EpisodeJob[] = [];
  for (const mode of h.modes)
    for (const level of h.levels)
      for (const task of levelTasks(level, h.tasks))
        for (let index = 0; index < h.episodes_per_task; index++)
          jobs.push({ task, level, mode, index, seed: deriveSeed(h.seed, task, level, index) });
  return jobs;
}

export function jobKey(j: Pick<EpisodeJob, 'mode' | 'level' | 'task' | 'index'>): string {
  return `${j.mode}\u0000${j.level}\u0000${j.task}\u0000${j.index}`;
}

function summary(entries: readonly EpisodeEntry[]): Summary {
  const s = summarize(
    entries.map((e) => ({ success: e.success, steps: e.steps, cause: e.failure })),
  );
  return {
    rate: s.rate,
    ci95: [s.ci95.low, s.ci95.high],
    episodes: s.episodes,
    successes: s.successes,
    mean_steps: s.meanSteps,
    failures: s.failures,
  };
}

/**
 * The whole record from the header and the episodes: episodes sorted canonically, the
 * summaries recomputed (tabletop's `summarize`, Wilson 95% intervals). Keys appear in the
 * header's order, so the JSON text is a function of the content.
 */
export function buildEvalInfo(
  header: EvalHeader,
  episodes: readonly EpisodeEntry[],
  shard?: Shard,
): EvalInfo {
  const order = new Map(episodeList(header).map((j, i) => [jobKey(j), i]));
  const sorted = [...episodes].sort(
    (a, b) => (order.get(jobKey(a)) ?? 0) - (order.get(jobKey(b)) ?? 0),
  );
  const per_task: Record<string, Record<string, Record<string, Summary>>> = {};
  const per_level: Record<string, Record<string, Summary>> = {};
  const overall: Record<string, Summary> = {};
  for (const mode of header.modes) {
    const ofMode = sorted.filter((e) => e.mode === mode);
    if (ofMode.length === 0) continue;
    overall[mode] = summary(ofMode);
    for (const level of header.levels) {
      const ofLevel = ofMode.filter((e) => e.level === level);
      if (ofLevel.length === 0) continue;
      (per_level[mode] ??= {})[level] = summary(ofLevel);
      for (const task of levelTasks(level, header.tasks)) {
        const ofTask = ofLevel.filter((e) => e.task === task);
        if (ofTask.length) ((per_task[mode] ??= {})[level] ??= {})[task] = summary(ofTask);
      }
    }
  }
  return {
    ...canonicalHeader(header),
    ...(shard ? { shard } : {}),
    per_episode: sorted.map(canonicalEntry),
    per_task,
    per_level,
    overall,
  };
}

/** The header's fields in their fixed order (a parsed file may hold them in any). */
export function canonicalHeader(h: EvalHeader): EvalHeader {
  return {
    format: EVAL_INFO_FORMAT,
    version: 1,
    agent: h.agent,
    checkpoint: h.checkpoint,
    seed: h.seed,
    episodes_per_task: h.episodes_per_task,
    levels: h.levels,
    modes: h.modes,
    tasks: h.tasks,
    views: h.views,
  };
}

function canonicalEntry(e: EpisodeEntry): EpisodeEntry {
  return {
    task: e.task,
    level: e.level,
    mode: e.mode,
    index: e.index,
    seed: e.seed,
    success: e.success,
    steps: e.steps,
    failure: e.failure,
    parse_failures: e.parse_failures,
  };
}
