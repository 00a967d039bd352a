import type { Action, ObjectState, Rng } from '@actllm/core';
import type { SpawnSpec } from '../physics/spec.js';

/** Which shapes and colours a partition may draw (part 2 adds the L2-L4 splits). */
export interface PartitionSpec {
  readonly name: string;
  readonly objectShapes: readonly string[];
  readonly containerShapes: readonly string[];
  readonly colors: readonly string[];
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

/** What the success predicate and the oracle see: ground truth now and at reset. */
export interface TaskState {
  readonly objects: readonly ObjectState[];
  readonly initial: readonly ObjectState[];
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
  sample(rng: Rng, partition: PartitionSpec): TaskSample<G>;
  success(goal: G, state: TaskState): boolean;
  /** The scripted expert: plans from the current ground truth (closed loop). */
  oracle(goal: G, state: TaskState): Action;
}
