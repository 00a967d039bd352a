import type { SpawnSpec } from '../physics/spec.js';
import { containerLook, objectScale, pickLook, pickLooks, shapeName, spawnFree } from './common.js';
import {
  adjectiveDemo,
  pairScene,
  sampleComparison,
  twoContainers,
  twoNouns,
} from './novel-words.js';
import type { Disc } from './placement.js';
import { objectAsset, refer } from './refer.js';
import type { AssetSpec, TaskFamily, TaskState } from './types.js';
import { putInto, putIntoDone, type PutIntoGoal } from './visual-manipulation.js';

/** The put-into rule and oracle, shared by the three families that define words by example. */
const putIntoRules = {
  success(goal: PutIntoGoal, state: TaskState): boolean {
    return putIntoDone(goal, state.objects);
  },
  oracle(goal: PutIntoGoal, state: TaskState) {
    return putInto(goal, state.objects);
  },
};

const NOUN_TEMPLATES = [
  'This is a {noun} {noun_object}. This is a {noun} {noun_container}. Put a {noun} into a {noun}.',
  'This is a {noun} {noun_container}. This is a {noun} {noun_object}. Put a {noun} into a {noun}.',
];

/** Both definitions, in a random order. */
function nounSentences(
  rng: Parameters<TaskFamily['sample']>[0],
  objWord: string,
  boxWord: string,
): string {
  const defs = [`This is a ${objWord} {noun_object}.`, `This is a ${boxWord} {noun_container}.`];
  return (rng.bool() ? defs : [...defs].reverse()).join(' ');
}

/**
 * "This is a blicket {object}. This is a wug {container}. Put a blicket into a wug.": both
 * nouns are made up and defined only by the pictures; a second container of another shape
 * makes "a wug" matter.
 */
export const novelNoun: TaskFamily<PutIntoGoal> = {
  name: 'novel_noun',
  templates: NOUN_TEMPLATES,
  sample(rng, partition) {
    const [box, otherBox] = twoContainers(rng, partition);
    const [target, ...distractors] = pickLooks(rng, partition.looks, 1 + rng.int(1, 3));
    if (!target) throw new Error('unreachable: pickLooks returned too few');
    const taken: Disc[] = [];
    const scene: SpawnSpec[] = [box, otherBox].map((c, i) =>
      spawnFree(rng, taken, `obj${i}`, c.shape, c.color, 1),
    );
    for (const l of [target, ...distractors])
      scene.push(spawnFree(rng, taken, `obj${scene.length}`, l.shape, l.color, objectScale(rng)));
    const [objWord, boxWord] = twoNouns(rng);
    const text = `${nounSentences(rng, objWord, boxWord)} Put a ${objWord} into a ${boxWord}.`;
    return {
      scene,
      instruction: {
        text,
        assets: {
          noun_object: objectAsset(target, 'noun_object'),
          noun_container: objectAsset(box, 'noun_container'),
        },
      },
      goal: { target: 'obj2', container: 'obj0' },
      oracleSteps: 1,
    };
  },
  ...putIntoRules,
};

const ADJ_TEMPLATES = [
  '{adj_a1} is {adjective} than {adj_b1}. {adj_a2} is {adjective} than {adj_b2}. Put the {adjective} {shape} into the {container}.',
];

/**
 * "{A1} is daxer than {B1}. {A2} is daxer than {B2}. Put the daxer hexagon into the frame.":
 * the made-up adjective compares size, height or lightness, shown by 2-3 example pairs of
 * other objects; two objects of the named shape that differ that way are in the scene.
 */
export const novelAdj: TaskFamily<PutIntoGoal> = {
  name: 'novel_adj',
  templates: ADJ_TEMPLATES,
  sample(rng, partition) {
    const { pair, demos, shape } = sampleComparison(rng, partition, 2);
    const box = containerLook(rng, partition);
    const more = rng.bool();
    const { scene, target } = pairScene(rng, partition, [box], pair, more);
    const adj = adjectiveDemo(rng, demos, more);
    const assets: Record<string, AssetSpec> = { ...adj.assets };
    const boxWords = refer(rng, box, partition, 'container', assets);
    const text = `${adj.sentence} Put the ${adj.word} ${shapeName(shape)} into the ${boxWords}.`;
    return {
      scene,
      instruction: { text, assets },
      goal: { target, container: 'obj0' },
      oracleSteps: 1,
    };
  },
  ...putIntoRules,
};

const ADJ_NOUN_TEMPLATES = NOUN_TEMPLATES.map((t) =>
  t.replace(
    'Put a {noun} into a {noun}.',
    '{adj_a} is {adjective} than {adj_b}. Put the {adjective} {noun} into the {noun}.',
  ),
);

/**
 * Both at once (L4): the noun names the shape of two objects in the scene (shown in a third
 * colour), the adjective picks one of them (by size, height or lightness), the second noun
 * the container.
 */
export const novelAdjAndNoun: TaskFamily<PutIntoGoal> = {
  name: 'novel_adj_and_noun',
  templates: ADJ_NOUN_TEMPLATES,
  sample(rng, partition) {
    const { pair, demos, shape } = sampleComparison(rng, partition, 3);
    const shown = pickLook(
      rng,
      partition.looks.filter((l) => l.shape === shape),
      [pair.more.look, pair.less.look],
    );
    const [box, otherBox] = twoContainers(rng, partition);
    const more = rng.bool();
    const { scene, target } = pairScene(rng, partition, [box, otherBox], pair, more);
    const adj = adjectiveDemo(rng, demos, more);
    const [objWord, boxWord] = twoNouns(rng);
    const put = `Put the ${adj.word} ${objWord} into the ${boxWord}.`;
    return {
      scene,
      instruction: {
        text: `${nounSentences(rng, objWord, boxWord)} ${adj.sentence} ${put}`,
        assets: {
          noun_object: objectAsset(shown, 'noun_object'),
          noun_container: objectAsset(box, 'noun_container'),
          ...adj.assets,
        },
      },
      goal: { target, container: 'obj0' },
      oracleSteps: 1,
    };
  },
  ...putIntoRules,
};
