/** Rounds to 4 decimals: reports are compared and stored as text. */
export function round4(v: number): number {
  return Math.round(v * 1e4) / 1e4 + 0;
}

/**
 * Wilson score interval at 95% (z = 1.96). Unlike the normal approximation it stays inside
 * [0, 1] and is not degenerate at 0 or n successes, which oracles and random agents hit.
 */
export function wilson(successes: number, n: number): { low: number; high: number } {
  if (n === 0) return { low: 0, high: 1 };
  const z = 1.96;
  const p = successes / n;
  const z2 = z * z;
  const denom = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denom;
  const half = (z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / denom;
  return { low: round4(Math.max(0, centre - half)), high: round4(Math.min(1, centre + half)) };
}
