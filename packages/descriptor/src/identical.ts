/**
 * Pairs objects of two lists that are at cost 0 from each other (the same `key`), before a
 * minimum-cost assignment of the rest. When the cost is a (pseudo)metric, which centre
 * distance plus a per-attribute penalty is, some optimal assignment holds every such pair: if
 * `b` and `a` are identical but optimal pairs are (b, a') and (b', a), swapping to (b, a) and
 * (b', a') costs c(b', a') <= c(b', a) + c(a, a') = c(b', a) + c(b, a'), no more; an unpaired
 * one swaps in the same way. Scenes mostly keep their objects in place from one step to the
 * next, so this leaves the cubic assignment only the objects that moved.
 */
export interface Rest<T> {
  readonly before: T[];
  readonly after: T[];
  /** Indices of `before` and `after` in the input lists, parallel to them. */
  readonly beforeIndex: number[];
  readonly afterIndex: number[];
}

/** Pushes the identical pairs onto `paired` (as [before, after]) and returns the rest. */
export function pairIdentical<T>(
  before: readonly T[],
  after: readonly T[],
  key: (item: T) => string,
  paired: [T, T][],
  pairedIndex?: [number, number][],
): Rest<T> {
  const waiting = new Map<string, { readonly js: number[]; next: number }>();
  after.forEach((a, j) => {
    const k = key(a);
    const entry = waiting.get(k);
    if (entry === undefined) waiting.set(k, { js: [j], next: 0 });
    else entry.js.push(j);
  });
  const usedAfter = new Uint8Array(after.length);
  const rest: Rest<T> = { before: [], after: [], beforeIndex: [], afterIndex: [] };
  before.forEach((b, i) => {
    const entry = waiting.get(key(b));
    const j = entry?.js[entry.next];
    if (entry !== undefined) entry.next++;
    if (j === undefined) {
      rest.before.push(b);
      rest.beforeIndex.push(i);
      return;
    }
    usedAfter[j] = 1;
    paired.push([b, after[j] as T]);
    pairedIndex?.push([i, j]);
  });
  after.forEach((a, j) => {
    if (usedAfter[j]) return;
    rest.after.push(a);
    rest.afterIndex.push(j);
  });
  return rest;
}
