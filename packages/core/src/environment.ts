import type { Action, EndEffector } from './action.js';
import type { Instruction, ObjectState, Observation } from './scene.js';
import type { ViewName } from './image.js';

/** A value or a promise of it: implementations choose, callers always `await`. */
export type Awaitable<T> = T | Promise<T>;

/** Options of `Environment.reset`; environments extend it with their own settings. */
export interface ResetOptions {
  readonly seed: number;
  readonly task: string;
}

/**
 * Why an episode ended, or `running`. `failure`: it ended early because the task can no
 * longer succeed (an object left the workspace, a rule was broken for good).
 */
export type EpisodeOutcome = 'running' | 'success' | 'failure' | 'step_limit';

export interface StepInfo {
  readonly outcome: EpisodeOutcome;
  /** The step limit of this episode. */
  readonly maxSteps: number;
  /** Set when the action was refused; the state did not change. */
  readonly invalidAction?: { readonly code: string; readonly message: string };
  /**
   * Ground truth right after the action, set only when the environment then disturbed the
   * scene (dynamic scenes): the observation shows the disturbed scene, this what the action did.
   */
  readonly afterAction?: readonly ObjectState[];
  /** Environment-specific details (for example the perturbations applied after this step). */
  readonly [key: string]: unknown;
}

export interface StepResult {
  readonly observation: Observation;
  readonly done: boolean;
  readonly success: boolean;
  readonly info: StepInfo;
}

export interface EnvironmentMetadata {
  /** Task families this environment can reset to. */
  readonly tasks: readonly string[];
  /** Partitions (train, L1, ...) it can draw episodes from. */
  readonly partitions: readonly string[];
  readonly views: readonly ViewName[];
  /** The end effector each task mounts, when the environment has one per task. */
  readonly endEffectors?: Readonly<Record<string, EndEffector>>;
}

/** A manipulation environment: the simulator, or a real robot behind the same interface. */
export interface Environment<R extends ResetOptions = ResetOptions> {
  readonly metadata: EnvironmentMetadata;
  reset(options: R): Awaitable<Observation>;
  /** A malformed action is refused: the result reports it in `info.invalidAction`, the state is unchanged. */
  step(action: Action): Awaitable<StepResult>;
  close?(): Awaitable<void>;
}

/** A policy. `reset` starts a new episode; `act` is called once per step. */
export interface Agent {
  readonly name: string;
  reset(instruction: Instruction): Awaitable<void>;
  act(observation: Observation): Awaitable<Action>;
}
