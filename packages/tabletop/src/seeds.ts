/**
 * Seed derivation: one integer seed per (seed, task, partition[, index]), so every episode
 * is reproducible on its own, whichever worker runs it and in whatever order.
 */

/** FNV-1a, 32 bits. */
export function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** Mixes a seed with labels into a new safe-integer seed (52 bits). */
export function deriveSeed(seed: number, ...labels: (string | number)[]): number {
  let x = BigInt.asUintN(64, BigInt(seed));
  for (const label of labels) {
    x = BigInt.asUintN(64, (x ^ BigInt(fnv1a(String(label)))) * 0x9e3779b97f4a7c15n);
    x ^= x >> 29n;
  }
  return Number(BigInt.asUintN(52, x));
}
