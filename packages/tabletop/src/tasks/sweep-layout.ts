import type { ObjectState, Point2, Rng } from '@actllm/core';
import { isMarking } from './common.js';
import type { SpawnSpec } from '../physics/spec.js';
import type { Disc } from './placement.js';
import { refer } from './refer.js';
import type { AssetSpec, Look, PartitionSpec } from './types.js';

/** The zone at 1.2: its inside (0.178 square) holds three small blocks with room to pass. */
export const ZONE_SCALE = 1.2;
/** Small blocks, 0.039 a side: the 0.1-wide spatula covers one with room to spare. */
export const BLOCK_SCALE = 0.65;

/** A direction of approach: the zone's centre, the push direction `d` and the lateral `e`. */
export interface Axes {
  readonly origin: Point2;
  readonly d: Point2;
  readonly e: Point2;
  readonly angle: number;
}

/**
 * A random approach direction; the zone sits `ahead` along it from the workspace centre
 * (give or take 0.12), so the blocks behind it and the zone fit on the table together.
 */
export function sampleAxes(rng: Rng, ahead: number): Axes {
  const angle = rng.float(-Math.PI, Math.PI);
  const d = { x: Math.cos(angle), y: Math.sin(angle) };
  const origin = {
    x: 0.5 + d.x * ahead + rng.float(-0.12, 0.12),
    y: 0.5 + d.y * ahead + rng.float(-0.12, 0.12),
  };
  return { origin, d, e: { x: -d.y, y: d.x }, angle };
}

/** The workspace point `depth` along `d` and `lateral` along `e` from the zone's centre. */
export function at(a: Axes, depth: number, lateral: number): Point2 {
  return {
    x: a.origin.x + a.d.x * depth + a.e.x * lateral,
    y: a.origin.y + a.d.y * depth + a.e.y * lateral,
  };
}

export function within(p: Point2, margin: number): boolean {
  return p.x >= margin && p.x <= 1 - margin && p.y >= margin && p.y <= 1 - margin;
}

export const round4 = (v: number): number => Math.round(v * 1e4) / 1e4;

/**
 * Discs along the workspace's border (covering the outer 0.1): the sweeps reserve them, so
 * no disturbance drops a block where the spatula could not get behind it.
 */
export function borderDiscs(): Disc[] {
  const out: Disc[] = [];
  for (let t = 0; t <= 1.0001; t += 0.08) {
    out.push({ x: 0.02, y: t, r: 0.08 }, { x: 0.98, y: t, r: 0.08 });
    out.push({ x: t, y: 0.02, r: 0.08 }, { x: t, y: 0.98, r: 0.08 });
  }
  return out;
}

/**
 * Discs around every solid object (0.06 beyond its centre): a displaced block keeps the
 * spacing of the sampled layout, so the spatula can start behind it without touching another.
 */
export function spacingDiscs(objects: readonly ObjectState[]): Disc[] {
  return objects.filter((o) => !isMarking(o)).map((o) => ({ x: o.pose.x, y: o.pose.y, r: 0.06 }));
}

/** How many blocks an instruction asks for, as VIMA-Bench words it. */
export const COUNT_WORDS = ['one', 'two', 'three', 'all'] as const;
export type CountWord = (typeof COUNT_WORDS)[number];

/**
 * A count word (among `words`), how many blocks it asks for, and how many blocks of the named
 * look the scene holds (at least that many, at most `most`; "all" means every one of them).
 */
export function sampleCount(
  rng: Rng,
  words: readonly CountWord[],
  most: number,
): { word: CountWord; count: number; blocks: number } {
  const word = rng.pick(words);
  if (word === 'all') {
    const blocks = rng.int(2, most + 1);
    return { word, count: blocks, blocks };
  }
  const count = COUNT_WORDS.indexOf(word) + 1;
  return { word, count, blocks: rng.int(count, most + 1) };
}

/** The look of the blocks to sweep, and `n` distractor block looks in other colours. */
export function blockLooks(
  rng: Rng,
  partition: PartitionSpec,
  n: number,
  avoid = '',
): { target: Look; distractors: Look[] } {
  const looks = partition.looks.filter((l) => l.shape === 'block' && l.color !== avoid);
  const target = rng.pick(looks);
  const others = rng.shuffle(looks.filter((l) => l.color !== target.color));
  return {
    target,
    distractors: Array.from({ length: n }, (_, i) => others[i % others.length] ?? target),
  };
}

/** "two small red blocks", or "two {swept}" with a picture of one. */
export function sweptWords(
  rng: Rng,
  partition: PartitionSpec,
  look: Look,
  word: CountWord,
  assets: Record<string, AssetSpec>,
): string {
  const named = refer(rng, look, partition, 'swept', assets);
  if (named.startsWith('{')) return `${word} ${named}`;
  const colour = look.color.replace(/_/g, ' ');
  return word === 'one' ? `one small ${colour} block` : `${word} small ${colour} blocks`;
}

/** A zone marking at the axes' centre, square to the approach. */
export function zoneSpec(id: string, color: string, a: Axes): SpawnSpec {
  return {
    id,
    shape: 'zone',
    color,
    scale: ZONE_SCALE,
    pose: { x: round4(a.origin.x), y: round4(a.origin.y), theta: round4(a.angle) },
  };
}

/** A small block at a workspace point, turned at random. */
export function blockSpec(rng: Rng, id: string, look: Look, p: Point2): SpawnSpec {
  return {
    id,
    shape: look.shape,
    color: look.color,
    scale: BLOCK_SCALE,
    pose: { x: round4(p.x), y: round4(p.y), theta: round4(rng.float(-Math.PI, Math.PI)) },
  };
}

/**
 * `n` block positions at random depths and lateral offsets behind the zone, clear of each
 * other by 0.09 (the spatula then starts behind one without touching the next) and of
 * `avoid`; null when they do not fit in the workspace.
 */
export function blockSpots(
  rng: Rng,
  a: Axes,
  n: number,
  box: { readonly depth: readonly [number, number]; readonly lateral: number },
  avoid: readonly Disc[] = [],
): Point2[] | null {
  const out: Point2[] = [];
  for (let tries = 0; out.length < n && tries < 60; tries++) {
    const p = at(a, rng.float(box.depth[0], box.depth[1]), rng.float(-box.lateral, box.lateral));
    if (!within(p, 0.07)) continue;
    if (out.some((q) => Math.hypot(q.x - p.x, q.y - p.y) < 0.09)) continue;
    if (avoid.some((d) => Math.hypot(d.x - p.x, d.y - p.y) < d.r)) continue;
    out.push(p);
  }
  return out.length === n ? out : null;
}
