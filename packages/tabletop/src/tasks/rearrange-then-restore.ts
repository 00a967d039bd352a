import type { ObjectState, Pose } from '@actllm/core';
import { findObject, stay } from './common.js';
import { allSpots, arrangeStep, atGoal, rearrange, type RearrangeGoal } from './rearrange.js';
import type { TaskFamily, TaskState } from './types.js';

const TEMPLATES = [
  'Rearrange to this {scene} and then restore.',
  'Rearrange the objects to match this {scene}, then put them back where they were.',
];
const CLEARANCE = 0.07;

/** True when every goal object stands at its goal pose in `objects`. */
function arranged(goal: RearrangeGoal, objects: readonly ObjectState[]): boolean {
  return goal.targets.every((t) => {
    const o = findObject(objects, t.id);
    return !!o && atGoal(o, t.pose);
  });
}

/** The goal arrangement was reached after some step (the episode memory says so). */
function reachedOnce(goal: RearrangeGoal, state: TaskState): boolean {
  return (state.history ?? []).slice(1).some((objects) => arranged(goal, objects));
}

/** The poses the goal objects had at the start. */
function startPoses(goal: RearrangeGoal, state: TaskState): { id: string; pose: Pose }[] {
  return goal.targets.flatMap((t) => {
    const o = findObject(state.initial, t.id);
    return o ? [{ id: t.id, pose: o.pose }] : [];
  });
}

/**
 * "Rearrange to this {scene} and then restore.": the goal scene must be reached after some
 * step, then every moved object put back where it started. The start arrangement is not
 * shown again, so a policy must remember it (the oracle reads the episode memory).
 */
export const rearrangeThenRestore: TaskFamily<RearrangeGoal> = {
  name: 'rearrange_then_restore',
  templates: TEMPLATES,
  sample(rng, partition) {
    const base = rearrange.sample(rng, partition);
    return {
      ...base,
      instruction: { ...base.instruction, text: rng.pick(TEMPLATES) },
      oracleSteps: base.oracleSteps + base.goal.targets.length,
    };
  },
  success(goal, state) {
    return (
      reachedOnce(goal, state) &&
      startPoses(goal, state).every((t) => {
        const o = findObject(state.objects, t.id);
        return !!o && atGoal(o, t.pose);
      })
    );
  },
  reserved(goal, state) {
    return [...goal.targets, ...startPoses(goal, state)].map((t) => ({
      x: t.pose.x,
      y: t.pose.y,
      r: CLEARANCE,
    }));
  },
  oracle(goal, state) {
    const targets = reachedOnce(goal, state) ? startPoses(goal, state) : goal.targets;
    const move = arrangeStep(targets, state, allSpots(goal, state));
    if (move) return move;
    const first = findObject(state.objects, goal.targets[0]?.id ?? '');
    if (!first) throw new Error('unreachable: rearrange goal without objects');
    return stay(first);
  },
};
