import type { EndEffector } from '@actllm/core';
import { TabletopError } from '../errors.js';
import type { TaskFamily } from './types.js';
import { getPartition } from './partitions.js';
import { visualManipulation } from './visual-manipulation.js';
import { sceneUnderstanding } from './scene-understanding.js';
import { rotate } from './rotate.js';
import { rearrange } from './rearrange.js';
import { sameColor, sameShape } from './gather.js';
import { twist } from './twist.js';
import { pickInOrderThenRestore } from './pick-in-order.js';
import { followOrder } from './follow-order.js';
import { manipulateOldNeighbor } from './old-neighbor.js';
import { rearrangeThenRestore } from './rearrange-then-restore.js';
import { followMotion } from './follow-motion.js';
import { novelAdj, novelAdjAndNoun, novelNoun } from './novel.js';
import { sweepWithoutExceeding } from './sweep-exceeding.js';
import { sweepWithoutTouching } from './sweep-touching.js';

const FAMILIES = new Map<string, TaskFamily>();

/** Adds a task family (part 2 registers the rest this way); a name can be taken only once. */
export function registerTask(family: TaskFamily): void {
  if (FAMILIES.has(family.name)) {
    throw new TabletopError(
      'TABLETOP_INVALID_OPTION',
      `A task family named "${family.name}" is already registered; pick another name.`,
    );
  }
  FAMILIES.set(family.name, family);
}

const BUILT_IN = [
  visualManipulation,
  sceneUnderstanding,
  rotate,
  rearrange,
  sameShape,
  sameColor,
  twist,
  novelNoun,
  novelAdj,
  novelAdjAndNoun,
  followMotion,
  rearrangeThenRestore,
  manipulateOldNeighbor,
  followOrder,
  pickInOrderThenRestore,
  sweepWithoutExceeding,
  sweepWithoutTouching,
] as TaskFamily[];
for (const f of BUILT_IN) registerTask(f);

/** Names of the registered task families, in registration order. */
export function listTasks(): string[] {
  return [...FAMILIES.keys()];
}

export function getTask(name: string): TaskFamily {
  const family = FAMILIES.get(name);
  if (!family) {
    throw new TabletopError(
      'TABLETOP_UNKNOWN_TASK',
      `Unknown task "${name}"; use one of ${listTasks().join(', ')}.`,
    );
  }
  return family;
}

/**
 * The implemented task families of a partition, in the order of its table. L4 families
 * never appear under `train`, L1, L2 or L3 (and the reverse), so no level leaks into another.
 */
export function partitionTasks(partition: string): string[] {
  return getPartition(partition).tasks.filter((t) => FAMILIES.has(t));
}

/** The end effector a task mounts: `spatula` (push only) or `suction` (pick_place only). */
export function endEffectorOf(task: string): EndEffector {
  return getTask(task).endEffector ?? 'suction';
}

/** Throws unless `task` belongs to `partition`. */
export function assertTaskInPartition(task: string, partition: string): void {
  if (!getPartition(partition).tasks.includes(task)) {
    throw new TabletopError(
      'TABLETOP_TASK_NOT_IN_PARTITION',
      `Task "${task}" is not part of partition "${partition}"; use one of ${partitionTasks(partition).join(', ')}.`,
    );
  }
}
