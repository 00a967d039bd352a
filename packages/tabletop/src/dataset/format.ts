import type { EpisodeRecord, ViewName } from '@actllm/core';
import type { PhysicsOptions } from '../physics/spec.js';
import type { ViewSize } from '../render/camera.js';
import type { Intensity } from '../dynamic/schedule.js';

/** Bumped when the on-disk layout changes incompatibly. */
export const DATASET_FORMAT_VERSION = 1;
export const DATASET_FORMAT = 'actllm-tabletop-dataset';

/** `dataset.json`: the settings every episode of the directory was made with. */
export interface DatasetConfig {
  readonly format: typeof DATASET_FORMAT;
  readonly version: typeof DATASET_FORMAT_VERSION;
  readonly partition: string;
  readonly seed: number;
  readonly views: Readonly<Record<ViewName, ViewSize>>;
  readonly physics: PhysicsOptions;
  /** Dynamic mode (`mild` or `strong`); absent for static episodes. */
  readonly dynamic?: Exclude<Intensity, 'none'>;
}

/** One job: which episode to make. */
export interface EpisodeJob {
  readonly task: string;
  readonly index: number;
  /** Derived from (dataset seed, task, partition, index). */
  readonly seed: number;
  readonly id: string;
}

/** A manifest line: one finished episode. */
export interface EpisodeSummary {
  readonly id: string;
  readonly task: string;
  readonly index: number;
  readonly seed: number;
  readonly outcome: 'success' | 'failure' | 'step_limit';
  readonly steps: number;
  /** Directory of the episode, relative to the dataset root. */
  readonly path: string;
  /** SHA-256 over the episode's files (see README: dataset format). */
  readonly sha256: string;
}

/**
 * Part of a run's episodes: the positions `from`, `from + step`, `from + 2 * step`, ... below
 * `to` in the run's order (task by task in the order of `tasks`, each task's indices 0 to
 * `episodes - 1`); position `p` is episode `p mod episodes` of task `floor(p / episodes)`.
 */
export interface EpisodeSlice {
  /** First position, default 0. */
  readonly from?: number;
  /** End position (excluded), default every task's episodes (`tasks.length * episodes`). */
  readonly to?: number;
  /** Distance between positions, default 1. */
  readonly step?: number;
}

/** `manifest.json`, written last: counts, seeds and checksums. */
export interface DatasetManifest extends DatasetConfig {
  readonly tasks: readonly string[];
  readonly episodesPerTask: number;
  /** Only when the run made a slice of its episodes: that slice, every field filled in. */
  readonly slice?: Required<EpisodeSlice>;
  /** Episodes the run was asked for: every task's, or the slice's. */
  readonly total: number;
  readonly counts: Readonly<
    Record<string, { readonly episodes: number; readonly success: number }>
  >;
  readonly episodes: readonly EpisodeSummary[];
}

/**
 * `record.json` of an episode: core's record with file paths for frames (`F = string`, as on
 * disk; images when read back with `openDataset`), plus the task goal.
 */
export type TabletopEpisodeRecord<F = string> = EpisodeRecord<F> & {
  readonly goal: unknown;
  readonly oracleSteps: number;
};

export function episodeId(task: string, index: number): string {
  return `${task}-${String(index).padStart(6, '0')}`;
}

export function episodeDir(task: string, id: string): string {
  return `episodes/${task}/${id}`;
}

/** Episodes and successes per task, every task of `tasks` present (the manifest's `counts`). */
export function countEpisodes(
  tasks: readonly string[],
  episodes: readonly EpisodeSummary[],
): Record<string, { episodes: number; success: number }> {
  const counts: Record<string, { episodes: number; success: number }> = {};
  for (const t of tasks) counts[t] = { episodes: 0, success: 0 };
  for (const e of episodes) {
    const c = counts[e.task];
    if (c) {
      c.episodes++;
      if (e.outcome === 'success') c.success++;
    }
  }
  return counts;
}
