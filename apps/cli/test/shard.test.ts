import { describe, expect, it } from 'vitest';
import { inShard, shardSize, shardSlice } from '../src/shard.js';

describe('shard slices', () => {
  it('split 13 tasks x 100 episodes over 32 shards: every episode once, none empty', () => {
    const total = 13 * 100;
    const seen = new Array<number>(total).fill(0);
    for (let index = 1; index <= 32; index++) {
      const shard = { index, count: 32 };
      const slice = shardSlice(total, shard);
      expect(slice).toEqual({ from: index - 1, to: total, step: 32 });
      let n = 0;
      for (let p = slice?.from ?? 0; p < (slice?.to ?? 0); p += slice?.step ?? 1) {
        expect(inShard(p, shard)).toBe(true);
        seen[p] = (seen[p] ?? 0) + 1;
        n++;
      }
      expect(n).toBe(shardSize(total, shard));
      expect([40, 41]).toContain(n);
    }
    expect(seen.every((c) => c === 1)).toBe(true);
  });

  it('leave the shards past the last item empty', () => {
    expect(shardSlice(4, { index: 5, count: 5 })).toBeUndefined();
    expect(shardSize(4, { index: 5, count: 5 })).toBe(0);
    expect(shardSize(4, { index: 4, count: 5 })).toBe(1);
    expect(shardSize(4, undefined)).toBe(4);
    expect(shardSlice(4, undefined)).toBeUndefined();
  });
});
