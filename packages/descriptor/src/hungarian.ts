/**
 * Minimum-cost assignment (the Hungarian method, in the O(n^2 m) form with row and column
 * potentials and shortest augmenting paths, after Jonker and Volgenant). Rectangular costs
 * are fine: every row of the smaller side gets a distinct column of the larger one.
 */

export interface Assignment {
  /** `pairs[k] = [row, column]`, one per row of the smaller side, rows ascending. */
  readonly pairs: readonly (readonly [number, number])[];
  readonly total: number;
}

const UNREACHABLE = 1e15;

/** Assigns rows to columns of `cost` (all rows the same length, finite values). */
export function assign(cost: readonly (readonly number[])[]): Assignment {
  const rows = cost.length;
  const cols = cost[0]?.length ?? 0;
  if (rows === 0 || cols === 0) return { pairs: [], total: 0 };
  // A non-finite cost would stall the augmenting-path search, so it becomes a very large one.
  const at = (r: number, c: number): number => {
    const x = cost[r]?.[c] ?? Infinity;
    return Number.isFinite(x) ? x : UNREACHABLE;
  };
  if (rows <= cols) return solve(rows, cols, at, false);
  return solve(cols, rows, (r, c) => at(c, r), true);
}

/** `n <= m`; `at(i, j)` is the cost of row i, column j (0-based). */
function solve(
  n: number,
  m: number,
  at: (i: number, j: number) => number,
  transposed: boolean,
): Assignment {
  // 1-based arrays with a virtual column 0, as in the classic formulation.
  const u = new Float64Array(n + 1);
  const v = new Float64Array(m + 1);
  const match = new Int32Array(m + 1); // match[j] = row assigned to column j (0: none)
  const way = new Int32Array(m + 1);
  for (let i = 1; i <= n; i++) {
    match[0] = i;
    let j0 = 0;
    const minv = new Float64Array(m + 1).fill(Infinity);
    const used = new Uint8Array(m + 1);
    do {
      used[j0] = 1;
      const i0 = match[j0] as number;
      let delta = Infinity;
      let j1 = 0;
      for (let j = 1; j <= m; j++) {
        if (used[j]) continue;
        const reduced = at(i0 - 1, j - 1) - (u[i0] as number) - (v[j] as number);
        if (reduced < (minv[j] as number)) {
          minv[j] = reduced;
          way[j] = j0;
        }
        if ((minv[j] as number) < delta) {
          delta = minv[j] as number;
          j1 = j;
        }
      }
      for (let j = 0; j <= m; j++) {
        if (used[j]) {
          u[match[j] as number] = (u[match[j] as number] as number) + delta;
          v[j] = (v[j] as number) - delta;
        } else {
          minv[j] = (minv[j] as number) - delta;
        }
      }
      j0 = j1;
    } while (match[j0] !== 0);
    do {
      const j1 = way[j0] as number;
      match[j0] = match[j1] as number;
      j0 = j1;
    } while (j0 !== 0);
  }
  const pairs: [number, number][] = [];
  let total = 0;
  for (let j = 1; j <= m; j++) {
    const i = match[j] as number;
    if (i === 0) continue;
    total += at(i - 1, j - 1);
    pairs.push(transposed ? [j - 1, i - 1] : [i - 1, j - 1]);
  }
  pairs.sort((a, b) => a[0] - b[0]);
  return { pairs, total };
}
