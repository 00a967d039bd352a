import type { Rng } from '@actllm/core';
import type { SpawnSpec } from '../physics/spec.js';
import { DARK_VARIANTS } from '../objects/colors.js';
import { getShape } from '../objects/shapes.js';
import { lookKey, objectScale, pickLooks, spawnFree } from './common.js';
import type { Disc } from './placement.js';
import { objectAsset } from './refer.js';
import type { AssetSpec, Look, PartitionSpec } from './types.js';

/** Made-up words: nouns and comparative adjectives that no training instruction uses. */
export const NOVEL_NOUNS = ['blicket', 'wug', 'dax', 'zup', 'fep', 'toma', 'gazzer', 'kiki'];
export const NOVEL_ADJECTIVES = ['daxer', 'blickier', 'modier', 'kobar', 'zupper', 'feppier'];

/** What a made-up adjective compares (VIMA-Bench: larger/smaller, taller/shorter, lighter/darker). */
export const COMPARISONS = ['size', 'height', 'lightness'] as const;
export type Comparison = (typeof COMPARISONS)[number];

/** Scales of the larger and the smaller object that a size adjective compares. */
export const BIG = 1.15;
export const SMALL = 0.8;
/** Height multipliers of the taller and the shorter object that a height adjective compares. */
export const TALL = 1.6;
export const SHORT = 0.55;

/** One object of a compared pair: its look, its scale and its height multiplier. */
export interface Variant {
  readonly look: Look;
  readonly scale: number;
  readonly height: number;
}

/** A compared pair: `more` is the larger, taller or darker one, `less` the other. */
export interface Pair {
  readonly more: Variant;
  readonly less: Variant;
}

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

/** Two looks of one shape as a pair compared by `kind` (a light look and its dark variant for lightness). */
function pairOf(kind: Comparison, a: Look, b: Look): Pair {
  if (kind === 'size')
    return { more: { look: a, scale: BIG, height: 1 }, less: { look: b, scale: SMALL, height: 1 } };
  if (kind === 'height')
    return {
      more: { look: a, scale: 1, height: TALL },
      less: { look: b, scale: 1, height: SHORT },
    };
  return { more: { look: b, scale: 1, height: 1 }, less: { look: a, scale: 1, height: 1 } };
}

/** Pairs of looks (light, dark) of one shape that the partition both offers. */
function lightDark(partition: PartitionSpec, shape?: string): [Look, Look][] {
  const have = new Set(partition.looks.map(lookKey));
  return partition.looks.flatMap((l): [Look, Look][] => {
    const dark = DARK_VARIANTS.get(l.color);
    const d = dark && { shape: l.shape, color: dark };
    return d && have.has(lookKey(d)) && (!shape || l.shape === shape) ? [[l, d]] : [];
  });
}

/** Shapes that occur at least `n` times in the partition, named by a seen word. */
export function pairShapes(partition: PartitionSpec, n: number): string[] {
  const counts = new Map<string, number>();
  for (const l of partition.looks) counts.set(l.shape, (counts.get(l.shape) ?? 0) + 1);
  return [...counts]
    .filter(([s, c]) => c >= n && !partition.novelShapes.includes(s) && getShape(s).symmetry !== 0)
    .map(([s]) => s);
}

/**
 * A made-up adjective defined by examples: `{adj_a1}` is <adj> than `{adj_b1}`, and so on,
 * each pair another object drawn twice (larger and smaller, taller and shorter, or in a light
 * and a dark colour). `more` says which way the adjective compares.
 */
export function adjectiveDemo(
  rng: Rng,
  demos: readonly Pair[],
  more: boolean,
): { sentence: string; word: string; assets: Record<string, AssetSpec> } {
  const word = rng.pick(NOVEL_ADJECTIVES);
  const assets: Record<string, AssetSpec> = {};
  const sentences = demos.map((pair, i) => {
    const [a, b] = more ? [pair.more, pair.less] : [pair.less, pair.more];
    assets[`adj_a${i + 1}`] = objectAsset(a.look, `adj_a${i + 1}`, a.scale, a.height);
    assets[`adj_b${i + 1}`] = objectAsset(b.look, `adj_b${i + 1}`, b.scale, b.height);
    return `{adj_a${i + 1}} is ${word} than {adj_b${i + 1}}.`;
  });
  return { word, sentence: sentences.join(' '), assets };
}

/** A spawn spec of one variant at a free spot. */
function spawnVariant(rng: Rng, taken: Disc[], id: string, v: Variant): SpawnSpec {
  const spec = spawnFree(rng, taken, id, v.look.shape, v.look.color, v.scale);
  return v.height === 1 ? spec : { ...spec, height: v.height };
}

/**
 * The scene of the adjective tasks: containers first (`obj0` the target's), then the
 * compared pair in a random order (the target is the one the adjective selects), then 0-1
 * distractors of other shapes.
 */
export function pairScene(
  rng: Rng,
  partition: PartitionSpec,
  containers: readonly Look[],
  pair: Pair,
  more: boolean,
): { scene: SpawnSpec[]; target: string } {
  const taken: Disc[] = [];
  const scene: SpawnSpec[] = containers.map((c, i) =>
    spawnFree(rng, taken, `obj${i}`, c.shape, c.color, 1),
  );
  const base = scene.length;
  const order = rng.bool() ? [pair.more, pair.less] : [pair.less, pair.more];
  order.forEach((v, i) => scene.push(spawnVariant(rng, taken, `obj${base + i}`, v)));
  const others = partition.looks.filter((l) => l.shape !== pair.more.look.shape);
  for (const l of pickLooks(rng, others, rng.int(0, 2)))
    scene.push(spawnFree(rng, taken, `obj${scene.length}`, l.shape, l.color, objectScale(rng)));
  const wanted = more ? pair.more : pair.less;
  return { scene, target: `obj${base + order.indexOf(wanted)}` };
}

/** What a sampled comparison holds: the scene's pair of one shape and 2-3 example pairs. */
export interface ComparisonSample {
  readonly kind: Comparison;
  readonly shape: string;
  readonly pair: Pair;
  readonly demos: readonly Pair[];
}

/** Example pairs of other shapes than `shape`, compared by `kind`. */
function demoPairs(
  rng: Rng,
  partition: PartitionSpec,
  kind: Comparison,
  shape: string,
  n: number,
): Pair[] {
  if (kind === 'lightness') {
    const pairs = rng.shuffle(lightDark(partition).filter(([l]) => l.shape !== shape));
    return pairs.slice(0, n).map(([a, b]) => pairOf(kind, a, b));
  }
  const looks = pickLooks(
    rng,
    partition.looks.filter((l) => l.shape !== shape),
    n,
  );
  return looks.map((l) => pairOf(kind, l, l));
}

/**
 * A comparison the partition can show: its kind (size, height or lightness, among those it
 * has objects for), a pair of one shape with at least `minLooks` looks, and 2-3 examples.
 */
export function sampleComparison(
  rng: Rng,
  partition: PartitionSpec,
  minLooks: number,
): ComparisonSample {
  const shapes = pairShapes(partition, minLooks);
  // Lightness needs a light and dark pair of the named shape and two more of other shapes.
  const darkShapes = shapes.filter(
    (s) =>
      lightDark(partition, s).length > 0 &&
      lightDark(partition).filter(([l]) => l.shape !== s).length >= 2,
  );
  const kinds = COMPARISONS.filter((k) => k !== 'lightness' || darkShapes.length > 0);
  const kind = rng.pick(kinds);
  const shape = rng.pick(kind === 'lightness' ? darkShapes : shapes);
  let pair: Pair;
  if (kind === 'lightness') {
    const [a, b] = rng.pick(lightDark(partition, shape));
    pair = pairOf(kind, a, b);
  } else {
    const [a, b] = pickLooks(
      rng,
      partition.looks.filter((l) => l.shape === shape),
      2,
    );
    if (!a || !b) throw new Error('unreachable: pickLooks returned too few');
    pair = pairOf(kind, a, b);
  }
  const demos = demoPairs(rng, partition, kind, shape, rng.int(2, 4));
  return { kind, shape, pair, demos };
}
