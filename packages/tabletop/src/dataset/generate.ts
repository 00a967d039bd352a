import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ViewName } from '@actllm/core';
import { TabletopError } from '../errors.js';
import { TabletopEnv } from '../env/environment.js';
import { getPartition } from '../tasks/partitions.js';
import { assertTaskInPartition, getTask, partitionTasks } from '../tasks/registry.js';
import { DEFAULT_VIEW_SIZES, type ViewSize } from '../render/camera.js';
import type { PhysicsOptions } from '../physics/spec.js';
import { deriveSeed } from '../seeds.js';
import { assertIntensity, type Intensity } from '../dynamic/schedule.js';
import { runEpisode, summarize } from './episode.js';
import { readTree, writeFileAtomic } from './files.js';
import {
  DATASET_FORMAT,
  DATASET_FORMAT_VERSION,
  episodeDir,
  episodeId,
  type DatasetConfig,
  type DatasetManifest,
  type EpisodeJob,
  type EpisodeSummary,
  type TabletopEpisodeRecord,
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
  /** Task families; default all registered ones. */
  readonly tasks?: readonly string[];
  /** Episodes per task. */
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
  readonly onProgress?: (progress: GenerateProgress) => void;
}

function invalid(message: string): TabletopError {
  return new TabletopError('TABLETOP_INVALID_OPTION', message);
}

function checkOptions(o: GenerateOptions): void {
  if (!Number.isInteger(o.episodes) || o.episodes < 0)
    throw invalid(`episodes must be a non-negative integer; got ${o.episodes}.`);
  if (!Number.isSafeInteger(o.seed)) throw invalid(`seed must be a safe integer; got ${o.seed}.`);
  const workers = o.workers ?? 1;
  if (!Number.isInteger(workers) || workers < 0 || workers > 64)
    throw invalid(`workers must be an integer from 0 to 64; got ${workers}.`);
  if (!o.out) throw invalid('out must name the dataset directory.');
  if (o.dynamic !== undefined) assertIntensity(o.dynamic);
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

/** The manifest line of an episode already on disk (a resumed run). */
function summaryOnDisk(out: string, job: EpisodeJob): EpisodeSummary | undefined {
  const path = episodeDir(job.task, job.id);
  if (!existsSync(join(out, path, 'record.json'))) return undefined;
  const files = readTree(join(out, path));
  const record = JSON.parse(
    Buffer.from(files.get('record.json') ?? new Uint8Array()).toString('utf8'),
  ) as TabletopEpisodeRecord;
  return summarize(job, record, files);
}

/**
 * Generates oracle episodes into `out` (format: README, "Dataset format"). Resumable:
 * episodes already complete on disk are skipped. Every episode directory appears
 * atomically; `manifest.json` is written last. Same options, same bytes, whatever the
 * number of workers.
 */
export async function generateDataset(options: GenerateOptions): Promise<DatasetManifest> {
  checkOptions(options);
  const partition = options.partition ?? 'train';
  const dynamic = options.dynamic ?? 'none';
  getPartition(partition);
  const tasks = options.tasks ?? partitionTasks(partition);
  for (const t of tasks) {
    getTask(t);
    assertTaskInPartition(t, partition);
  }
  const config: DatasetConfig = {
    format: DATASET_FORMAT,
    version: DATASET_FORMAT_VERSION,
    partition,
    seed: options.seed,
    views: {
      top: options.views?.top ?? DEFAULT_VIEW_SIZES.top,
      front: options.views?.front ?? DEFAULT_VIEW_SIZES.front,
    },
    physics: options.physics ?? {},
    // Left out when static, so datasets made before the option existed still resume.
    ...(dynamic === 'none' ? {} : { dynamic }),
  };
  ensureConfig(options.out, config);

  const jobs: EpisodeJob[] = tasks.flatMap((task) =>
    Array.from({ length: options.episodes }, (_, index) => ({
      task,
      index,
      seed: deriveSeed(options.seed, task, partition, index),
      id: episodeId(task, index),
    })),
  );
  const total = jobs.length;
  const summaries = new Map<string, EpisodeSummary>();
  let skipped = 0;
  const record = (s: EpisodeSummary): void => {
    summaries.set(s.id, s);
    options.onProgress?.({ done: summaries.size, total, skipped, episode: s });
  };
  const todo: EpisodeJob[] = [];
  for (const job of jobs) {
    const existing = summaryOnDisk(options.out, job);
    if (existing) {
      skipped++;
      record(existing);
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
  const counts: Record<string, { episodes: number; success: number }> = {};
  for (const t of tasks) counts[t] = { episodes: 0, success: 0 };
  for (const e of episodes) {
    const c = counts[e.task];
    if (c) {
      c.episodes++;
      if (e.outcome === 'success') c.success++;
    }
  }
  const manifest: DatasetManifest = {
    ...config,
    tasks,
    episodesPerTask: options.episodes,
    total,
    counts,
    episodes,
  };
  writeFileAtomic(join(options.out, 'manifest.json'), `${JSON.stringify(manifest, null, 1)}\n`);
  return manifest;
}
