import type { TaskFamily } from './types.js';
import { describe, findObject, isInside, objectScale, spawnFree } from './common.js';
import { putInto, type PutIntoGoal } from './visual-manipulation.js';
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
    const colors = rng.shuffle(partition.colors).slice(0, count + 1);
    const targetColor = colors[0] ?? 'red';
    const containerShape = rng.pick(partition.containerShapes);
    const containerColor = colors[count] ?? 'gray';
    const targetShape = rng.pick(partition.objectShapes);
    const scene: SpawnSpec[] = [spawnFree(rng, taken, 'obj0', containerShape, containerColor, 1)];
    for (let i = 0; i < count; i++) {
      const shape = i === 0 ? targetShape : rng.pick(partition.objectShapes);
      scene.push(spawnFree(rng, taken, `obj${i + 1}`, shape, colors[i] ?? 'red', objectScale(rng)));
    }
    const cueShape = rng.pick(partition.objectShapes.filter((s) => s !== targetShape));
    const cue: SpawnSpec = {
      id: 'cue',
      shape: cueShape,
      color: targetColor,
      scale: 1,
      pose: { x: 0.5, y: 0.5, theta: 0 },
    };
    const text = rng
      .pick(TEMPLATES)
      .replace('{container}', describe({ shape: containerShape, color: containerColor }));
    return {
      scene,
      instruction: {
        text,
        assets: {
          scene: { kind: 'scene', objects: scene },
          object: { kind: 'object', object: cue },
        },
      },
      goal: { target: 'obj1', container: 'obj0' },
      oracleSteps: 1,
    };
  },
  success(goal, state) {
    const t = findObject(state.objects, goal.target);
    const c = findObject(state.objects, goal.container);
    return !!t && !!c && isInside(t, c);
  },
  oracle(goal, state) {
    return putInto(goal, state.objects);
  },
};
