import type { ObjectState } from '@actllm/core';
import type { SpawnSpec } from '../physics/spec.js';
import {
  clearIntruder,
  findObject,
  isInside,
  noIntruders,
  objectScale,
  pickLook,
  spawnFree,
  stay,
} from './common.js';
import type { Disc } from './placement.js';
import { objectAsset, refer } from './refer.js';
import { TWO_SLOT_SCALE, putInSlot, twoSlotContainers } from './slots.js';
import type { AssetSpec, Look, PartitionSpec, TaskFamily } from './types.js';

export interface GatherGoal {
  /** Every object sharing the attribute, in slot order. */
  readonly targets: readonly string[];
  readonly container: string;
}

type Attribute = 'shape' | 'color';

const TARGET_SCALE = 0.9;

const other = (a: Attribute): Attribute => (a === 'shape' ? 'color' : 'shape');

/** Values of `attribute` that at least `n` looks of the partition share. */
function valuesWith(partition: PartitionSpec, attribute: Attribute, n: number): string[] {
  const counts = new Map<string, number>();
  for (const l of partition.looks) counts.set(l[attribute], (counts.get(l[attribute]) ?? 0) + 1);
  return [...counts].filter(([, c]) => c >= n).map(([v]) => v);
}

/**
 * Two targets share the attribute (and differ in the other one); the cue picture shows a
 * third object with the attribute, so the rule is "the same X as", not "the same object as".
 * One or two distractors have another value of the attribute.
 */
function sampleLooks(
  rng: Parameters<TaskFamily['sample']>[0],
  partition: PartitionSpec,
  attribute: Attribute,
): { targets: Look[]; cue: Look; distractors: Look[] } {
  const value = rng.pick(valuesWith(partition, attribute, 3));
  const matching = rng.shuffle(partition.looks.filter((l) => l[attribute] === value));
  const [a, b, cue] = matching;
  if (!a || !b || !cue) throw new Error('unreachable: valuesWith guarantees three looks');
  const rest = partition.looks.filter(
    (l) => l[attribute] !== value && l[other(attribute)] !== a[other(attribute)],
  );
  const distractors: Look[] = [];
  for (let i = rng.int(1, 3); i > 0; i--) distractors.push(pickLook(rng, rest, distractors));
  return { targets: [a, b], cue, distractors };
}

/** What the oracle does next: clear out an intruder, else put the next target in its slot. */
function gatherStep(goal: GatherGoal, objects: readonly ObjectState[]): ReturnType<typeof stay> {
  const c = findObject(objects, goal.container);
  if (!c) throw new Error(`unreachable: container ${goal.container} missing`);
  const clear = clearIntruder(objects, c, goal.targets);
  if (clear) return clear;
  for (const [i, id] of goal.targets.entries()) {
    const t = findObject(objects, id);
    if (t && !isInside(t, c)) return putInSlot(t, c, i, goal.targets.length);
  }
  const first = findObject(objects, goal.targets[0] ?? '');
  if (!first) throw new Error('unreachable: gather goal without targets');
  return stay(first);
}

const TEMPLATES: Readonly<Record<Attribute, readonly string[]>> = {
  shape: [
    'Put all objects with the same shape as {object} into the {container}.',
    'Gather every object shaped like {object} in the {container}.',
  ],
  color: [
    'Put all objects with the same colour as {object} into the {container}.',
    'Gather every object coloured like {object} in the {container}.',
  ],
};

/** same_shape and same_color: one family per attribute, the same rules. */
function gatherFamily(name: string, attribute: Attribute): TaskFamily<GatherGoal> {
  return {
    name,
    templates: TEMPLATES[attribute],
    sample(rng, partition) {
      const { targets, cue, distractors } = sampleLooks(rng, partition, attribute);
      const taken: Disc[] = [];
      const box = {
        shape: rng.pick(twoSlotContainers(partition.containerShapes)),
        color: rng.pick(partition.containerColors),
      };
      const scene: SpawnSpec[] = [
        spawnFree(rng, taken, 'obj0', box.shape, box.color, TWO_SLOT_SCALE),
      ];
      // Targets at the smallest scale: two of the widest shape (star) then fit side by side.
      for (const l of targets)
        scene.push(spawnFree(rng, taken, `obj${scene.length}`, l.shape, l.color, TARGET_SCALE));
      for (const l of distractors)
        scene.push(spawnFree(rng, taken, `obj${scene.length}`, l.shape, l.color, objectScale(rng)));
      const assets: Record<string, AssetSpec> = { object: objectAsset(cue, 'cue') };
      const text = rng
        .pick(TEMPLATES[attribute])
        .replace('{container}', refer(rng, box, partition, 'container', assets));
      return {
        scene,
        instruction: { text, assets },
        goal: { targets: ['obj1', 'obj2'], container: 'obj0' },
        oracleSteps: 2,
      };
    },
    success(goal, state) {
      const c = findObject(state.objects, goal.container);
      if (!c) return false;
      const all = goal.targets.every((id) => {
        const o = findObject(state.objects, id);
        return !!o && isInside(o, c);
      });
      return all && noIntruders(state.objects, c, goal.targets);
    },
    oracle(goal, state) {
      return gatherStep(goal, state.objects);
    },
  };
}

/** "Put all objects with the same shape as {object} into the frame." */
export const sameShape = gatherFamily('same_shape', 'shape');
/** "Put all objects with the same colour as {object} into the pallet." (L4 only) */
export const sameColor = gatherFamily('same_color', 'color');
