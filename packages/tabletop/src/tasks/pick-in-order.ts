import type { ObjectState } from '@actllm/core';
import type { SpawnSpec } from '../physics/spec.js';
import {
  describe,
  findObject,
  isInside,
  moveTo,
  containerCentre,
  pickLooks,
  spawnFree,
  stay,
} from './common.js';
import type { Disc } from './placement.js';
import { instructionOf, refer } from './refer.js';
import type { AssetSpec, TaskFamily, TaskState } from './types.js';

export interface PickInOrderGoal {
  readonly target: string;
  /** The containers to visit in order; the last one is where the target started. */
  readonly visits: readonly string[];
}

/** The start container: a frame, whose inside is bare table, so the target can start in it. */
const START_CONTAINER = 'frame';
const TARGET_SCALE = 0.9;
const TEMPLATES = [
  'Put the {target} into the {first}, then into the {second}. Finally restore it into its original container.',
];

/** How many visits the target has made in order, read from the episode memory. */
function visitsMade(goal: PickInOrderGoal, state: TaskState): number {
  let k = 0;
  for (const objects of (state.history ?? [state.objects]).slice(1)) {
    const t = findObject(objects, goal.target);
    const c = findObject(objects, goal.visits[k] ?? '');
    if (t && c && isInside(t, c)) k += 1;
  }
  return k;
}

/**
 * "Put the red block into the green bowl, then into the blue pan. Finally restore it into its
 * original container.": the target starts in a frame, which the instruction never names.
 */
export const pickInOrderThenRestore: TaskFamily<PickInOrderGoal> = {
  name: 'pick_in_order_then_restore',
  templates: TEMPLATES,
  sample(rng, partition) {
    const others = rng.shuffle(partition.containerShapes.filter((s) => s !== START_CONTAINER));
    const colors = rng.shuffle(partition.containerColors);
    const boxes = [START_CONTAINER, others[0] ?? 'bowl', others[1] ?? 'pan'].map((shape, i) => ({
      shape,
      color: colors[i] ?? 'gray',
    }));
    const [target, ...distractors] = pickLooks(rng, partition.looks, 1 + rng.int(0, 2));
    if (!target) throw new Error('unreachable: pickLooks returned too few');
    const taken: Disc[] = [];
    const scene: SpawnSpec[] = boxes.map((b, i) =>
      spawnFree(rng, taken, `obj${i}`, b.shape, b.color, 1),
    );
    const start = scene[0];
    if (!start) throw new Error('unreachable: no start container');
    // Inside the frame's walls, on the table: no overlap with the frame's colliders.
    scene.push({
      id: 'obj3',
      ...target,
      scale: TARGET_SCALE,
      pose: { ...start.pose, theta: rng.float(-Math.PI, Math.PI) },
    });
    for (const l of distractors)
      scene.push(spawnFree(rng, taken, `obj${scene.length}`, l.shape, l.color, 1));
    const assets: Record<string, AssetSpec> = {};
    const text = (TEMPLATES[0] ?? '')
      .replace('{target}', refer(target, partition, 'target', assets))
      .replace('{first}', describe(boxes[1] ?? target))
      .replace('{second}', describe(boxes[2] ?? target));
    return {
      scene,
      instruction: instructionOf(text, assets),
      goal: { target: 'obj3', visits: ['obj1', 'obj2', 'obj0'] },
      oracleSteps: 3,
    };
  },
  success(goal, state) {
    return visitsMade(goal, state) >= goal.visits.length;
  },
  oracle(goal, state) {
    const t: ObjectState | undefined = findObject(state.objects, goal.target);
    if (!t) throw new Error(`unreachable: ${goal.target} missing from the scene`);
    const c = findObject(state.objects, goal.visits[visitsMade(goal, state)] ?? '');
    return c ? moveTo(t, containerCentre(c)) : stay(t);
  },
};
