import type { AssetSpec, Look, TaskFamily } from './types.js';
import { objectScale, pickLook, spawnFree } from './common.js';
import { objectAsset, refer } from './refer.js';
import { putInto, putIntoDone, type PutIntoGoal } from './visual-manipulation.js';
import type { Disc } from './placement.js';
import type { SpawnSpec } from '../physics/spec.js';

const TEMPLATES = [
  'Put the object in {scene} that has the colour of {object} into the {container}.',
  'Find the object in {scene} with the same colour as {object} and put it into the {container}.',
] as const;

/**
 * The target is named through two pictures: the scene (as it is at the start) and another
 * object whose colour it shares. Every other object in the scene has a different colour.
 */
export const sceneUnderstanding: TaskFamily<PutIntoGoal> = {
  name: 'scene_understanding',
  templates: TEMPLATES,
  sample(rng, partition) {
    const taken: Disc[] = [];
    const count = rng.int(2, 5);
    const looks: Look[] = [];
    for (let i = 0; i < count; i++) {
      const colours = new Set(looks.map((l) => l.color));
      looks.push(
        pickLook(
          rng,
          partition.looks.filter((l) => !colours.has(l.color)),
        ),
      );
    }
    const [target] = looks;
    if (!target) throw new Error('unreachable: no target sampled');
    const used = new Set(looks.map((l) => l.color));
    const box = {
      shape: rng.pick(partition.containerShapes),
      color: rng.pick(partition.containerColors.filter((c) => !used.has(c))),
    };
    const scene: SpawnSpec[] = [spawnFree(rng, taken, 'obj0', box.shape, box.color, 1)];
    looks.forEach((l, i) =>
      scene.push(spawnFree(rng, taken, `obj${i + 1}`, l.shape, l.color, objectScale(rng))),
    );
    const cueLooks = partition.looks.filter(
      (l) => l.color === target.color && l.shape !== target.shape,
    );
    const assets: Record<string, AssetSpec> = {
      scene: { kind: 'scene', objects: scene },
      object: objectAsset(pickLook(rng, cueLooks), 'cue'),
    };
    const text = rng
      .pick(TEMPLATES)
      .replace('{container}', refer(rng, box, partition, 'container', assets));
    return {
      scene,
      instruction: { text, assets },
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
