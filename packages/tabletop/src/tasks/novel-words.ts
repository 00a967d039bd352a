import type { Rng } from '@actllm/core';
import type { SpawnSpec } from '../physics/spec.js';
import { getShape } from '../objects/shapes.js';
import { objectScale, pickLook, pickLooks, spawnFree } from './common.js';
import type { Disc } from './placement.js';
import { objectAsset } from './refer.js';
import type { AssetSpec, Look, PartitionSpec } from './types.js';

/** Made-up words: nouns and comparative adjectives that no training instruction uses. */
export const NOVEL_NOUNS = ['blicket', 'wug', 'dax', 'zup', 'fep', 'toma', 'gazzer', 'kiki'];
export const NOVEL_ADJECTIVES = ['daxer', 'blickier', 'modier', 'kobar', 'zupper', 'feppier'];

/** Scales of the larger and the smaller object that an adjective compares. */
export const BIG = 1.15;
export const SMALL = 0.8;

/** Two different made-up nouns. */
export function twoNouns(rng: Rng): [string, string] {
  const [a, b] = rng.shuffle(NOVEL_NOUNS);
  return [a ?? 'blicket', b ?? 'wug'];
}

/** The target's container and a second container of another shape (what "a wug" rules out). */
export function twoContainers(rng: Rng, partition: PartitionSpec): [Look, Look] {
  const [s0, s1] = rng.shuffle(partition.containerShapes);
  const [c0, c1] = rng.shuffle(partition.containerColors);
  return [
    { shape: s0 ?? 'bowl', color: c0 ?? 'gray' },
    { shape: s1 ?? 'pan', color: c1 ?? 'brown' },
  ];
}

/**
 * A made-up adjective defined by example: `{adj_a}` is <adj> than `{adj_b}`, two pictures of
 * one object (another shape than the scene's pair) at a large and a small scale. `bigger`
 * says which way the adjective compares.
 */
export function adjectiveDemo(
  rng: Rng,
  demo: Look,
  bigger: boolean,
): { sentence: string; word: string; assets: Record<string, AssetSpec> } {
  const word = rng.pick(NOVEL_ADJECTIVES);
  return {
    word,
    sentence: `{adj_a} is ${word} than {adj_b}.`,
    assets: {
      adj_a: objectAsset(demo, 'adj_a', bigger ? BIG : SMALL),
      adj_b: objectAsset(demo, 'adj_b', bigger ? SMALL : BIG),
    },
  };
}

/** Looks of a shape that occurs at least `n` times in the partition, named by a seen word. */
export function pairShapes(partition: PartitionSpec, n: number): string[] {
  const counts = new Map<string, number>();
  for (const l of partition.looks) counts.set(l.shape, (counts.get(l.shape) ?? 0) + 1);
  return [...counts]
    .filter(([s, c]) => c >= n && !partition.novelShapes.includes(s) && getShape(s).symmetry !== 0)
    .map(([s]) => s);
}

/**
 * The scene of the adjective tasks: containers first (`obj0` the target's), then two objects
 * of one shape at a big and a small scale (the target is the one the adjective selects),
 * then 0-1 distractors of other shapes.
 */
export function pairScene(
  rng: Rng,
  partition: PartitionSpec,
  containers: readonly Look[],
  pair: readonly [Look, Look],
  bigger: boolean,
): { scene: SpawnSpec[]; target: string } {
  const taken: Disc[] = [];
  const scene: SpawnSpec[] = containers.map((c, i) =>
    spawnFree(rng, taken, `obj${i}`, c.shape, c.color, 1),
  );
  const firstBig = rng.bool();
  const base = scene.length;
  pair.forEach((l, i) => {
    const scale = (i === 0) === firstBig ? BIG : SMALL;
    scene.push(spawnFree(rng, taken, `obj${base + i}`, l.shape, l.color, scale));
  });
  const others = partition.looks.filter((l) => l.shape !== pair[0].shape);
  for (const l of pickLooks(rng, others, rng.int(0, 2)))
    scene.push(spawnFree(rng, taken, `obj${scene.length}`, l.shape, l.color, objectScale(rng)));
  const bigIndex = firstBig ? base : base + 1;
  const smallIndex = firstBig ? base + 1 : base;
  return { scene, target: `obj${bigger ? bigIndex : smallIndex}` };
}

/** Two looks of one shape in different colours, and a look of another shape for the demo. */
export function samplePair(
  rng: Rng,
  partition: PartitionSpec,
  minLooks: number,
): { pair: [Look, Look]; demo: Look; shape: string } {
  const shape = rng.pick(pairShapes(partition, minLooks));
  const [a, b] = pickLooks(
    rng,
    partition.looks.filter((l) => l.shape === shape),
    2,
  );
  if (!a || !b) throw new Error('unreachable: pickLooks returned too few');
  const demo = pickLook(
    rng,
    partition.looks.filter((l) => l.shape !== shape),
  );
  return { pair: [a, b], demo, shape };
}
