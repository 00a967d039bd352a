import type { Action } from './action.js';
import type { EpisodeOutcome } from './environment.js';
import type { Image, ViewName } from './image.js';
import type { Instruction, ObjectState } from './scene.js';

/** Bumped whenever the record layout changes incompatibly. */
export const EPISODE_RECORD_VERSION = 1;

/** The views and ground truth at one moment. `F` is {@link Image} in memory, a path on disk. */
export interface EpisodeFrame<F = Image> {
  readonly views: Readonly<Record<ViewName, F>>;
  readonly objects: readonly ObjectState[];
}

export interface EpisodeStep<F = Image> {
  /** What the agent saw before acting. */
  readonly observation: EpisodeFrame<F>;
  readonly action: Action;
  /**
   * Ground truth right after the action, before the environment disturbed the scene (dynamic
   * scenes). Absent when nothing disturbed it: then the next frame shows the same objects.
   * This, not the next frame, is what the action did: the forward model's target.
   */
  readonly afterAction?: readonly ObjectState[];
  /** Environment-specific notes about this step (for example perturbations applied after it). */
  readonly info?: Readonly<Record<string, unknown>>;
}

/** One recorded episode: what a dataset stores and what the dialogue package trains from. */
export interface EpisodeRecord<F = Image> {
  readonly version: typeof EPISODE_RECORD_VERSION;
  readonly id: string;
  readonly task: string;
  readonly partition: string;
  readonly seed: number;
  readonly instruction: Instruction<F>;
  readonly steps: readonly EpisodeStep<F>[];
  /** The scene after the last action. */
  readonly final: EpisodeFrame<F>;
  readonly outcome: Exclude<EpisodeOutcome, 'running'>;
}
