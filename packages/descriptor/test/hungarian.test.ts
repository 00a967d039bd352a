import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compare } from '../src/index.js';

// The assignment is internal; it is tested through compare(), whose total cost must equal a
// brute-force minimum over every one-to-one assignment.
function bruteForce(cost: number[][]): number {
  const rows = cost.length;
  const cols = cost[0]?.length ?? 0;
  if (rows === 0 || cols === 0) return 0;
  const k = Math.min(rows, cols);
  let best = Infinity;
  const usedR = new Set<number>();
  const usedC = new Set<number>();
  const go = (picked: number, sum: number, fromRow: number): void => {
    if (picked === k) {
      best = Math.min(best, sum);
      return;
    }
    for (let r = fromRow; r < rows; r++) {
      if (usedR.has(r)) continue;
      usedR.add(r);
      for (let c = 0; c < cols; c++) {
        if (usedC.has(c)) continue;
        usedC.add(c);
        go(picked + 1, sum + (cost[r]?.[c] ?? 0), r + 1);
        usedC.delete(c);
      }
      usedR.delete(r);
    }
  };
  go(0, 0, 0);
  return best;
}

const point = fc.record({ x: fc.integer({ min: 0, max: 20 }), y: fc.integer({ min: 0, max: 20 }) });

describe('minimum-cost matching', () => {
  it('finds the optimal one-to-one assignment (against brute force)', () => {
    fc.assert(
      fc.property(
        fc.array(point, { maxLength: 5 }),
        fc.array(point, { maxLength: 5 }),
        (ps, ts) => {
          const toScene = (pts: { x: number; y: number }[]) => ({
            version: 1 as const,
            objects: pts.map((p) => ({ object: 'block', color: 'red', x: p.x / 20, y: p.y / 20 })),
          });
          const result = compare(toScene(ps), toScene(ts), { matchDistance: 10 });
          const cost = ps.map((p) =>
            ts.map((t) => Math.hypot(p.x / 20 - t.x / 20, p.y / 20 - t.y / 20)),
          );
          const total = result.matches.reduce((s, m) => s + m.distance, 0);
          expect(total).toBeCloseTo(bruteForce(cost), 9);
          expect(result.matches).toHaveLength(Math.min(ps.length, ts.length));
          expect(new Set(result.matches.map((m) => m.truth)).size).toBe(result.matches.length);
        },
      ),
      { numRuns: 300 },
    );
  });
});
