import type { Action, EndEffector, ObjectState, Rng } from '@actllm/core';
import type { SpawnSpec } from '../physics/spec.js';
import type { Disc } from './placement.js';

/** What a small object looks like: its shape and its colour (or texture). */
export interface Look {
  readonly shape: string;
  readonly color: string;
}

/** Which objects and task families a partition (level) may draw. */
export interface PartitionSpec {
  readonly name: string;
  /** Every (shape, colour) a small object may take: the split tables made concrete. */
  readonly looks: readonly Look[];
  /** Shapes and colours that occur in `looks`. */
  readonly objectShapes: readonly string[];
  readonly colors: readonly string[];
  readonly containerShapes: readonly string[];
  readonly containerColors: readonly string[];
  /** Never seen in training: an instruction shows such an object as a picture, not by name. */
  readonly novelShapes: readonly string[];
  readonly novelColors: readonly string[];
  /** Task families of the level (some may not be implemented yet; see `partitionTasks`). */
  readonly tasks: readonly string[];
}

/** A picture the instruction refers to: one object alone, or a set of objects as a scene. */
export type AssetSpec =
  | { readonly kind: 'object'; readonly object: SpawnSpec }
  | { readonly kind: 'scene'; readonly objects: readonly SpawnSpec[] };

/** One sampled episode of a task family: plain data, so it can be stored and replayed. */
export interface TaskSample<G> {
  readonly scene: readonly SpawnSpec[];
  readonly instruction: {
    readonly text: string;
    readonly assets?: Readonly<Record<string, AssetSpec>>;
  };
  /** What success means for this episode (ids, target poses, ...); JSON-serializable. */
  readonly goal: G;
  /** Steps the scripted oracle needs; the episode limit is this plus 2. */
  readonly oracleSteps: number;
}

/** What the success predicate and the oracle see: ground truth now, at reset, and in between. */
export interface TaskState {
  readonly objects: readonly ObjectState[];
  readonly initial: readonly ObjectState[];
  /**
   * Ground truth after reset, after every step and after every perturbation so far
   * (`history[0]` is `initial`, the last entry is `objects`): the episode memory that the
   * memory tasks' rules and oracles need. A state reached by a step counts even when a
   * perturbation undid it right after.
   */
  readonly history?: readonly (readonly ObjectState[])[];
}

/** Where an object is at one physics substep of a push: its centre, base height and yaw. */
export interface BodyPose {
  readonly id: string;
  readonly x: number;
  readonly y: number;
  readonly z: number;
  readonly theta: number;
}

/**
 * A task family as data and functions: the environment knows nothing task-specific, so a
 * new family is a new object of this type added to the registry.
 * (Method syntax on purpose: a TaskFamily<G> is then usable where TaskFamily<unknown> is expected.)
 */
export interface TaskFamily<G = unknown> {
  readonly name: string;
  /** Instruction templates, for documentation and vocabulary building. */
  readonly templates: readonly string[];
  /**
   * The tool the family mounts (default `suction`, which does `pick_place`); `spatula` does
   * `push`. The environment refuses the other primitive.
   */
  readonly endEffector?: EndEffector;
  sample(rng: Rng, partition: PartitionSpec): TaskSample<G>;
  success(goal: G, state: TaskState): boolean;
  /** The scripted expert: plans from the current ground truth (closed loop). */
  oracle(goal: G, state: TaskState): Action;
  /** Areas that dynamic perturbations must not put objects on (goal spots); default none. */
  reserved?(goal: G, state: TaskState): readonly Disc[];
  /**
   * Objects that dynamic perturbations must leave alone because the rule watches their pose
   * (an obstacle not to touch: a disturbance moving it would read as the agent's touch).
   */
  kept?(goal: G): readonly string[];
  /**
   * True when the episode can no longer succeed (a rule broken for good): the environment
   * then ends it as a failure. Default: never (leaving the workspace is checked for every family).
   */
  failed?(goal: G, state: TaskState): boolean;
  /**
   * Checked at every physics substep of a push, with the poses of the objects then: true when
   * the rule is broken at that instant (a block past the line in mid-push). Once it is, the
   * episode ends as a failure after the step.
   */
  during?(goal: G, poses: readonly BodyPose[], initial: readonly ObjectState[]): boolean;
}
