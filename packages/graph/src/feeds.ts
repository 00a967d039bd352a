import { tensorProblem, type Tensor, type TensorMap } from '@actllm/core';
import type { TensorRef } from './ir.js';
import { GraphError } from './errors.js';
import { formatShape } from './shape.js';

/**
 * The one check of tensors handed to a graph (inputs, weights, trainer state), shared by
 * the front door (`createSession`, `createTrainer`), the interpreter and the backends, so
 * the same mistake gives the same `GRAPH_*` code whatever runs the graph.
 */

/**
 * Why a fed tensor does not fit the graph input `ref`, or `undefined` when it fits. Symbolic
 * dimensions are bound on first sight in `bindings` and must agree across all feeds of a run.
 * When `feed` carries `data`, its length is checked against the shape.
 */
export function feedMismatch(
  ref: TensorRef,
  feed: Pick<Tensor, 'dtype' | 'shape'> & { readonly data?: unknown },
  bindings: Map<string, number>,
): string | undefined {
  const why = mismatch(ref, feed, bindings);
  if (why === undefined) return undefined;
  return `${ref.name} is ${String(feed.dtype)}${formatShape(feed.shape)} but the graph expects ${ref.dtype}${formatShape(ref.shape)}: ${why}`;
}

function mismatch(
  ref: TensorRef,
  feed: Pick<Tensor, 'dtype' | 'shape'> & { readonly data?: unknown },
  bindings: Map<string, number>,
): string | undefined {
  if (feed.dtype !== ref.dtype) return 'the dtypes differ';
  if (feed.shape.length !== ref.shape.length) return 'the ranks differ';
  // Bind into a scratch copy: a feed that fails must not leave its symbols bound.
  const local = new Map<string, number>();
  let size = 1;
  for (const [i, d] of ref.shape.entries()) {
    const actual = feed.shape[i] as number;
    size *= actual;
    if (typeof d === 'number') {
      if (d !== actual) return `dimension ${i} must be ${d}`;
      continue;
    }
    const bound = bindings.get(d) ?? local.get(d);
    if (bound !== undefined && bound !== actual) return `${d} is already bound to ${bound}`;
    local.set(d, actual);
  }
  // Length only: the interpreter's float64 mode feeds float32 tensors as Float64Arrays.
  const length = (feed.data as ArrayLike<unknown> | undefined)?.length;
  if (length !== undefined && length !== size) {
    return `its data holds ${length} elements, its shape ${size}`;
  }
  for (const [k, v] of local) bindings.set(k, v);
  return undefined;
}

/**
 * Checks every tensor `refs` names in `feeds`: present, a tensor, the right dtype, shape and
 * data length, symbolic dimensions consistent (across all calls sharing `bindings`).
 * `kind` names what is checked in messages ("Input", "Weight", "State").
 */
export function checkFeeds(
  refs: readonly TensorRef[],
  feeds: TensorMap,
  bindings: Map<string, number>,
  kind: string,
): void {
  for (const ref of refs) {
    const feed: unknown = Object.hasOwn(feeds, ref.name) ? feeds[ref.name] : undefined;
    if (feed === undefined) {
      throw new GraphError(
        'GRAPH_MISSING_FEED',
        `${kind} ${ref.name} (${ref.dtype}${formatShape(ref.shape)}) was not given; pass it by name.`,
      );
    }
    const problem = tensorProblem(feed);
    if (problem !== undefined) {
      throw new GraphError('GRAPH_INVALID_FEED', `${kind} ${ref.name}: ${problem}.`);
    }
    const why = feedMismatch(ref, feed as Tensor, bindings);
    if (why !== undefined) throw new GraphError('GRAPH_INVALID_FEED', `${kind} ${why}.`);
  }
}

/** Refuses names in `feeds` that are not among `known` (typos would otherwise pass silently). */
export function checkKnownNames(
  feeds: object,
  known: ReadonlySet<string>,
  kind: string,
  what: string,
): void {
  const unknown = Object.keys(feeds).filter((n) => !known.has(n));
  if (unknown.length === 0) return;
  const list = [...known].slice(0, 20).join(', ');
  throw new GraphError(
    'GRAPH_UNKNOWN_FEED',
    `${what} has no ${kind.toLowerCase()} ${unknown.slice(0, 5).join(', ')}; its ${kind.toLowerCase()}s are ${list}${known.size > 20 ? ', ...' : ''}.`,
  );
}
