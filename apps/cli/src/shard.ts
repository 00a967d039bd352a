import type { Shard } from './config.js';

/**
 * Sharding: item `i` (0-based) of a deterministic list belongs to shard `(i mod N) + 1`.
 * Round-robin rather than contiguous blocks, so shards of a list ordered by task get a
 * similar mix of slow and fast tasks.
 */
export function inShard(i: number, shard: Shard | undefined): boolean {
  return shard === undefined || i % shard.count === shard.index - 1;
}

/**
 * The same rule as a tabletop `generateDataset` slice over a list of `total` items: the
 * positions `K - 1`, `K - 1 + N`, ... below `total`, or undefined when shard K gets none
 * (K > total). Without a shard, undefined too: the whole list.
 */
export function shardSlice(
  total: number,
  shard: Shard | undefined,
): { from: number; to: number; step: number } | undefined {
  if (!shard || shard.index > total) return undefined;
  return { from: shard.index - 1, to: total, step: shard.count };
}

/** How many of `total` items shard K of N gets (all of them without a shard). */
export function shardSize(total: number, shard: Shard | undefined): number {
  if (!shard) return total;
  return Math.max(0, Math.ceil((total - shard.index + 1) / shard.count));
}

export function shardText(shard: Shard | undefined): string {
  return shard ? `${shard.index}/${shard.count}` : 'all';
}

/**
 * Checks that a set of shard outputs is complete: every index 1..N exactly once, all of
 * the same N. Returns a message naming what is wrong, or undefined.
 */
export function shardProblem(shards: readonly Shard[]): string | undefined {
  const counts = new Set(shards.map((s) => s.count));
  if (counts.size !== 1) return `the shards were made with different N (${[...counts].join(', ')})`;
  const n = shards[0]?.count ?? 0;
  const seen = new Map<number, number>();
  for (const s of shards) seen.set(s.index, (seen.get(s.index) ?? 0) + 1);
  const twice = [...seen].filter(([, c]) => c > 1).map(([i]) => `${i}/${n}`);
  if (twice.length) return `shard ${twice.join(', ')} is given more than once`;
  const missing = Array.from({ length: n }, (_, i) => i + 1).filter((i) => !seen.has(i));
  if (missing.length) return `shard ${missing.map((i) => `${i}/${n}`).join(', ')} is missing`;
  return undefined;
}
