import type { ObjectState, Rng } from '@actllm/core';
import { TabletopError } from '../errors.js';
import { floorHeight, getShape } from '../objects/shapes.js';
import type { SpawnSpec } from '../physics/spec.js';
import {
  containerCentre,
  findObject,
  isInside,
  moveTo,
  noIntruders,
  pickLooks,
  spawnFree,
  stay,
} from './common.js';
import type { Disc } from './placement.js';
import { instructionOf, refer } from './refer.js';
import { statesOf } from './sweep.js';
import type { AssetSpec, Look, PartitionSpec, TaskFamily, TaskSample, TaskState } from './types.js';

export interface PickInOrderGoal {
  readonly target: string;
  /** The containers to visit in order; the last one is where the target started. */
  readonly visits: readonly string[];
}

const TARGET_SCALE = 0.9;
/**
 * The target starts this far above the start container's floor and drops onto it, as the
 * suction cup releases objects: spawned touching a thin floor, a disc-shaped target was
 * measured sinking through it (and lifting the pan onto itself).
 */
const DROP = 0.004;
const TEMPLATES = [
  'Put the {target} into the {first}, then into the {second}. Finally restore it into its original container.',
  'Move the {target} into the {first} and then into the {second}. Finally put it back into the container it started in.',
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

/** Four containers in four colours: where the target starts, the two named, and a spare. */
function containerLooks(rng: Rng, partition: PartitionSpec): Look[] {
  const colors = rng.shuffle(partition.containerColors);
  return colors.slice(0, 4).map((color) => ({ shape: rng.pick(partition.containerShapes), color }));
}

/** The target upright on the start container's floor, over the centre of its holding region. */
function insideStart(start: SpawnSpec, target: Look, rng: Rng): SpawnSpec {
  const [state] = statesOf([start]);
  if (!state) throw new Error('unreachable: no start container state');
  const centre = containerCentre(state);
  return {
    id: 'target',
    ...target,
    scale: TARGET_SCALE,
    pose: { x: centre.x, y: centre.y, theta: rng.float(-Math.PI, Math.PI) },
    z: floorHeight(getShape(start.shape)) * start.scale + DROP,
  };
}

/** One layout attempt; throws TABLETOP_SAMPLING_FAILED when the containers do not fit. */
function layout(rng: Rng, partition: PartitionSpec): TaskSample<PickInOrderGoal> {
  const boxes = containerLooks(rng, partition);
  const [target, ...distractors] = pickLooks(rng, partition.looks, 1 + rng.int(0, 2));
  if (!target || boxes.length < 4) throw new Error('unreachable: too few looks');
  // Ids in random order, so no id tells which container is the start one.
  const ids = rng.shuffle([0, 1, 2, 3]).map((i) => `obj${i}`);
  const taken: Disc[] = [];
  const containers = boxes.map((b, i) =>
    spawnFree(rng, taken, ids[i] ?? 'obj0', b.shape, b.color, 1),
  );
  const [start, first, second] = containers;
  if (!start || !first || !second) throw new Error('unreachable: too few containers');
  const scene: SpawnSpec[] = [...containers].sort((a, b) => a.id.localeCompare(b.id));
  scene.push({ ...insideStart(start, target, rng), id: 'obj4' });
  for (const l of distractors)
    scene.push(spawnFree(rng, taken, `obj${scene.length}`, l.shape, l.color, 1));
  const assets: Record<string, AssetSpec> = {};
  const text = rng
    .pick(TEMPLATES)
    .replace('{target}', refer(rng, target, partition, 'target', assets))
    .replace('{first}', refer(rng, boxes[1] ?? target, partition, 'first', assets))
    .replace('{second}', refer(rng, boxes[2] ?? target, partition, 'second', assets));
  return {
    scene,
    instruction: instructionOf(text, assets),
    goal: { target: 'obj4', visits: [first.id, second.id, start.id] },
    oracleSteps: 3,
  };
}

/**
 * "Put the red block into the green bowl, then into the blue pan. Finally restore it into its
 * original container.": the target starts in one of the two containers the instruction never
 * names (its shape and place vary), so only the memory of the first scene tells which.
 */
export const pickInOrderThenRestore: TaskFamily<PickInOrderGoal> = {
  name: 'pick_in_order_then_restore',
  templates: TEMPLATES,
  sample(rng, partition) {
    for (let attempt = 0; attempt < 50; attempt++) {
      try {
        return layout(rng, partition);
      } catch (e) {
        if (!(e instanceof TabletopError) || e.code !== 'TABLETOP_SAMPLING_FAILED') throw e;
      }
    }
    throw new TabletopError(
      'TABLETOP_SAMPLING_FAILED',
      'Could not lay out four containers for pick_in_order_then_restore in 50 attempts.',
    );
  },
  success(goal, state) {
    const start = findObject(state.objects, goal.visits[goal.visits.length - 1] ?? '');
    return (
      visitsMade(goal, state) >= goal.visits.length &&
      !!start &&
      noIntruders(state.objects, start, [goal.target])
    );
  },
  oracle(goal, state) {
    const t: ObjectState | undefined = findObject(state.objects, goal.target);
    if (!t) throw new Error(`unreachable: ${goal.target} missing from the scene`);
    const c = findObject(state.objects, goal.visits[visitsMade(goal, state)] ?? '');
    return c ? moveTo(t, containerCentre(c)) : stay(t);
  },
};
