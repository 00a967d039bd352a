import type { AssetSpec, TaskFamily } from './types.js';
import { instructionOf, refer } from './refer.js';
import {
  clearIntruder,
  containerCentre,
  containerLook,
  noIntruders,
  pickLooks,
  findObject,
  isInside,
  moveTo,
  objectScale,
  spawnFree,
  stay,
} from './common.js';
import type { Disc } from './placement.js';
import type { SpawnSpec } from '../physics/spec.js';

export interface PutIntoGoal {
  readonly target: string;
  readonly container: string;
}

const TEMPLATES = [
  'Put the {target} into the {container}.',
  'Place the {target} in the {container}.',
] as const;

/** "Put the red block into the green bowl.": one object into one container, among distractors. */
export const visualManipulation: TaskFamily<PutIntoGoal> = {
  name: 'visual_manipulation',
  templates: TEMPLATES,
  sample(rng, partition) {
    const taken: Disc[] = [];
    const box = containerLook(rng, partition);
    const [targetLook, ...others] = pickLooks(rng, partition.looks, 1 + rng.int(1, 4));
    if (!targetLook) throw new Error('unreachable: pickLooks returned too few');
    const scene: SpawnSpec[] = [
      spawnFree(rng, taken, 'obj0', box.shape, box.color, 1),
      spawnFree(rng, taken, 'obj1', targetLook.shape, targetLook.color, objectScale(rng)),
      ...others.map((o, i) =>
        spawnFree(rng, taken, `obj${i + 2}`, o.shape, o.color, objectScale(rng)),
      ),
    ];
    const assets: Record<string, AssetSpec> = {};
    const text = rng
      .pick(TEMPLATES)
      .replace('{target}', refer(rng, targetLook, partition, 'target', assets))
      .replace('{container}', refer(rng, box, partition, 'container', assets));
    return {
      scene,
      instruction: instructionOf(text, assets),
      goal: { target: 'obj1', container: 'obj0' },
      oracleSteps: 1,
    };
  },
  success(goal, state) {
    return putIntoDone(goal, state.objects);
  },
  oracle(goal, state) {
    return putInto(goal, state.objects);
  },
};

/** The rule shared by the put-into tasks: the target inside the container, nothing else in it. */
export function putIntoDone(goal: PutIntoGoal, objects: Parameters<typeof findObject>[0]): boolean {
  const t = findObject(objects, goal.target);
  const c = findObject(objects, goal.container);
  return !!t && !!c && isInside(t, c) && noIntruders(objects, c, [goal.target]);
}

/** The plan shared by the put-into tasks: take out an intruder, else carry the target onto the container's centre. */
export function putInto(
  goal: PutIntoGoal,
  objects: Parameters<typeof findObject>[0],
): ReturnType<typeof stay> {
  const t = findObject(objects, goal.target);
  const c = findObject(objects, goal.container);
  if (!t || !c)
    throw new Error(
      `unreachable: goal objects ${goal.target}, ${goal.container} missing from the scene`,
    );
  const clear = clearIntruder(objects, c, [goal.target]);
  if (clear) return clear;
  return isInside(t, c) ? stay(t) : moveTo(t, containerCentre(c));
}
