import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ViewName } from '@actllm/core';
import { TabletopError } from '../errors.js';
import { TabletopEnv } from '../env/environment.js';
import { getPartition } from '../tasks/partitions.js';
import { assertTaskInPartition, getTask, partitionTasks } from '../tasks/registry.js';
import type { ViewSize } from '../render/camera.js';
import type { PhysicsOptions } from '../physics/spec.js';
import { checkPhysicsOptions } from '../physics/options.js';
import { checkViews } from '../env/views.js';
import { deriveSeed } from '../seeds.js';
import { assertIntensity, type Intensity } from '../dynamic/schedule.js';
import { runEpisode } from './episode.js';
import { writeFileAtomic } from './files.js';
import { appendJournal, removeJournal, removeLeftovers, storedSummaries } from './journal.js';
import { verifiedFiles } from './verify.js';
import {
  DATASET_FORMAT,
  DATASET_FORMAT_VERSION,
  countEpisodes,
  episodeId,
  type DatasetConfig,
  type DatasetManifest,
  type EpisodeJob,
  type EpisodeSlice,
  type EpisodeSummary,
} from './format.js';
import { runOnWorkers } from './pool.js';

export interface GenerateProgress {
  /** Episodes finished so far (made or found on disk). */
  readonly done: number;
  readonly total: number;
  /** Of `done`, episodes found complete on disk and skipped. */
  readonly skipped: number;
  readonly episode: EpisodeSummary;
}

export interface GenerateOptions {
  /** Default `train`. */
  readonly partition?: string;
  /** Task families, each once; default every family of the partition. */
  readonly tasks?: readonly string[];
  /** Episodes per task, at least 1. */
  readonly episodes: number;
  readonly seed: number;
  /** Worker threads; 0 runs in this thread. Default 1. */
  readonly workers?: number;
  /** Dataset directory (created if missing). */
  readonly out: string;
  readonly views?: Partial<Record<ViewName, ViewSize>>;
  readonly physics?: PhysicsOptions;
  /** Dynamic mode of every episode (default `none`): seeded perturbations between steps. */
  readonly dynamic?: Intensity;
  /**
   * Make only these positions of the run's episodes (default all): each is the same episode,
   * byte for byte, as in the whole run. The manifest lists only them and records the slice.
   */
  readonly slice?: EpisodeSlice;
  /** Called after each episode; if it throws, generation stops and the promise rejects. */
  readonly onProgress?: (progress: GenerateProgress) => void;
}

const OPTION_NAMES = new Set([
  'partition',
  'tasks',
  'episodes',
  'seed',
  'workers',
  'out',
  'views',
  'physics',
  'dynamic',
  'slice',
  'onProgress',
]);
const SLICE_NAMES = ['from', 'to', 'step'];
/** Most episodes per task one call makes (a guard against a typo such as 1e9). */
const MAX_EPISODES = 1_000_000;

function invalid(message: string): TabletopError {
  return new TabletopError('TABLETOP_INVALID_OPTION', message);
}

function checkOptions(o: GenerateOptions): void {
  if (typeof o !== 'object' || o === null)
    throw invalid('generateDataset needs an options object.');
  const unknown = Object.keys(o).filter((k) => !OPTION_NAMES.has(k));
  if (unknown.length > 0) {
    throw invalid(`Unknown option ${unknown.join(', ')}; use ${[...OPTION_NAMES].join(', ')}.`);
  }
  if (!Number.isInteger(o.episodes) || o.episodes < 1 || o.episodes > MAX_EPISODES)
    throw invalid(`episodes must be an integer from 1 to ${MAX_EPISODES}; got ${o.episodes}.`);
  if (!Number.isSafeInteger(o.seed)) throw invalid(`seed must be a safe integer; got ${o.seed}.`);
  const workers = o.workers ?? 1;
  if (!Number.isInteger(workers) || workers < 0 || workers > 64)
    throw invalid(`workers must be an integer from 0 to 64; got ${workers}.`);
  if (typeof o.out !== 'string' || !o.out) throw invalid('out must name the dataset directory.');
  if (o.dynamic !== undefined) assertIntensity(o.dynamic);
  if (o.onProgress !== undefined && typeof o.onProgress !== 'function')
    throw invalid('onProgress must be a function.');
}

function checkTasks(tasks: readonly string[], partition: string): void {
  if (!Array.isArray(tasks) || tasks.length === 0)
    throw invalid('tasks must be a non-empty list of task families.');
  const seen = new Set<string>();
  for (const t of tasks as readonly unknown[]) {
    if (typeof t !== 'string')
      throw invalid(`tasks must be names of task families; got ${String(t)}.`);
    if (seen.has(t)) throw invalid(`Task "${t}" is listed twice; list each family once.`);
    seen.add(t);
    getTask(t);
    assertTaskInPartition(t, partition);
  }
}

/**
 * The slice with its defaults filled in, checked against the run's `positions` (tasks times
 * episodes per task): integers, `0 <= from < to <= positions`, `step >= 1`, so it selects at
 * least one episode.
 */
function checkSlice(slice: EpisodeSlice, positions: number): Required<EpisodeSlice> {
  if (typeof slice !== 'object' || slice === null || Array.isArray(slice))
    throw invalid('slice must be an object { from?, to?, step? }.');
  const unknown = Object.keys(slice).filter((k) => !SLICE_NAMES.includes(k));
  if (unknown.length > 0)
    throw invalid(`Unknown slice field ${unknown.join(', ')}; use ${SLICE_NAMES.join(', ')}.`);
  const { from = 0, to = positions, step = 1 } = slice;
  for (const [name, value] of [
    ['from', from],
    ['to', to],
    ['step', step],
  ] as const) {
    if (!Number.isSafeInteger(value))
      throw invalid(`slice.${name} must be an integer; got ${String(value)}.`);
  }
  if (step < 1) throw invalid(`slice.step must be at least 1; got ${step}.`);
  if (to < 1 || to > positions)
    throw invalid(
      `slice.to must be from 1 to ${positions} (tasks times episodes per task); got ${to}.`,
    );
  if (from < 0 || from >= to)
    throw invalid(
      `slice.from must be from 0 to ${to - 1} (below slice.to) so the slice holds an episode; got ${from}.`,
    );
  return { from, to, step };
}

/** Refuses to mix episodes made with other settings into one directory. */
function ensureConfig(out: string, config: DatasetConfig): void {
  const path = join(out, 'dataset.json');
  if (existsSync(path)) {
    const existing = readFileSync(path, 'utf8');
    if (existing !== `${JSON.stringify(config, null, 1)}\n`) {
      throw new TabletopError(
        'TABLETOP_DATASET_MISMATCH',
        `${out} holds a dataset made with other settings (see its dataset.json); use a new out directory or the same partition, seed, views, physics and dynamic mode.`,
      );
    }
    return;
  }
  writeFileAtomic(path, `${JSON.stringify(config, null, 1)}\n`);
}

/**
 * The manifest line of an episode a previous run finished, when its files on disk still
 * match the checksum stored for it. Anything else (never finished, damaged, or stored for
 * another seed) is undefined: the episode is made again.
 */
function finishedOnDisk(
  out: string,
  job: EpisodeJob,
  stored: ReadonlyMap<string, EpisodeSummary>,
): EpisodeSummary | undefined {
  const s = stored.get(job.id);
  if (!s || s.seed !== job.seed || s.task !== job.task || s.index !== job.index) return undefined;
  try {
    verifiedFiles(out, s);
  } catch {
    return undefined;
  }
  return s;
}

/**
 * Generates oracle episodes into `out` (format: README, "Dataset format"). Resumable:
 * episodes whose files match their stored checksum are skipped; damaged, incomplete or
 * unknown ones are made again, and an interrupted run's temporary files are removed. Every
 * option is checked before anything is written. Every episode directory appears
 * atomically; `manifest.json` is written last. Same options, same bytes, whatever the
 * number of workers. With `slice`, only those episodes are made, each with the bytes it has
 * in the whole run.
 */
export async function generateDataset(options: GenerateOptions): Promise<DatasetManifest> {
  checkOptions(options);
  const partition = options.partition ?? 'train';
  const dynamic = options.dynamic ?? 'none';
  getPartition(partition);
  const tasks = options.tasks ?? partitionTasks(partition);
  checkTasks(tasks, partition);
  const slice =
    options.slice === undefined
      ? undefined
      : checkSlice(options.slice, tasks.length * options.episodes);
  const views = checkViews(options.views);
  const physics = checkPhysicsOptions(options.physics);
  const config: DatasetConfig = {
    format: DATASET_FORMAT,
    version: DATASET_FORMAT_VERSION,
    partition,
    seed: options.seed,
    views: {
      top: { width: views.top.width, height: views.top.height },
      front: { width: views.front.width, height: views.front.height },
    },
    physics,
    // Left out when static, so datasets made before the option existed still resume.
    ...(dynamic === 'none' ? {} : { dynamic }),
  };
  ensureConfig(options.out, config);
  removeLeftovers(options.out);
  const stored = storedSummaries(options.out);

  // Positions in the run's order (task by task, index by index), the slice's or all of them.
  const { from, to, step } = slice ?? { from: 0, to: tasks.length * options.episodes, step: 1 };
  const jobs: EpisodeJob[] = [];
  for (let p = from; p < to; p += step) {
    const task = tasks[Math.floor(p / options.episodes)] as string;
    const index = p % options.episodes;
    jobs.push({
      task,
      index,
      seed: deriveSeed(options.seed, task, partition, index),
      id: episodeId(task, index),
    });
  }
  const total = jobs.length;
  const summaries = new Map<string, EpisodeSummary>();
  let skipped = 0;
  const report = (s: EpisodeSummary): void => {
    summaries.set(s.id, s);
    try {
      options.onProgress?.({ done: summaries.size, total, skipped, episode: s });
    } catch (cause) {
      throw new TabletopError(
        'TABLETOP_CALLBACK_FAILED',
        `onProgress threw after episode ${s.id}; generation stopped (run again to resume): ${String(cause)}`,
        { cause },
      );
    }
  };
  const record = (s: EpisodeSummary): void => {
    appendJournal(options.out, s);
    report(s);
  };
  const todo: EpisodeJob[] = [];
  for (const job of jobs) {
    const existing = finishedOnDisk(options.out, job, stored);
    if (existing) {
      skipped++;
      report(existing);
    } else todo.push(job);
  }

  const workers = options.workers ?? 1;
  const setup = {
    out: options.out,
    partition,
    dynamic,
    views: config.views,
    physics: config.physics,
  };
  if (workers === 0) {
    const env = await TabletopEnv.create({ views: setup.views, physics: setup.physics });
    try {
      for (const job of todo) record(runEpisode(env, options.out, setup, job));
    } finally {
      env.close();
    }
  } else {
    await runOnWorkers(workers, setup, todo, record);
  }

  const episodes = jobs.map((j) => summaries.get(j.id)).filter((s): s is EpisodeSummary => !!s);
  const counts = countEpisodes(tasks, episodes);
  const manifest: DatasetManifest = {
    ...config,
    tasks,
    episodesPerTask: options.episodes,
    ...(slice ? { slice } : {}),
    total,
    counts,
    episodes,
  };
  writeFileAtomic(join(options.out, 'manifest.json'), `${JSON.stringify(manifest, null, 1)}\n`);
  removeJournal(options.out);
  return manifest;
}
