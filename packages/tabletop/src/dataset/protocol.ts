import type { PhysicsOptions } from '../physics/spec.js';
import type { ViewSize } from '../render/camera.js';
import type { ViewName } from '@actllm/core';
import type { Intensity } from '../dynamic/schedule.js';
import type { EpisodeJob, EpisodeSummary } from './format.js';

/** How every episode of a dataset is reset: its partition and dynamic mode. */
export interface EpisodeSettings {
  readonly partition: string;
  readonly dynamic: Intensity;
}

/** What a worker is started with. */
export interface WorkerSetup extends EpisodeSettings {
  readonly out: string;
  readonly views: Readonly<Record<ViewName, ViewSize>>;
  readonly physics: PhysicsOptions;
}

export type ToWorker =
  { readonly type: 'job'; readonly job: EpisodeJob } | { readonly type: 'stop' };

export type FromWorker =
  | { readonly type: 'ready' }
  | { readonly type: 'done'; readonly summary: EpisodeSummary }
  | { readonly type: 'error'; readonly id: string; readonly message: string };
