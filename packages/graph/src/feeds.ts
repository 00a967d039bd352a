import type { Tensor } from '@actllm/core';
import type { TensorRef } from './ir.js';
import { formatShape } from './shape.js';

/**
 * Why a fed tensor does not fit the graph input `ref`, or `undefined` when it fits. Symbolic
 * dimensions are bound on first sight in `bindings` and must agree across all feeds of a run.
 * The interpreter and the backends share this check and wrap the text in their own errors.
 */
export function feedMismatch(
  ref: TensorRef,
  feed: Pick<Tensor, 'dtype' | 'shape'>,
  bindings: Map<string, number>,
): string | undefined {
  const why = mismatch(ref, feed, bindings);
  if (why === undefined) return undefined;
  return `${ref.name} is ${feed.dtype}${formatShape(feed.shape)} but the graph expects ${ref.dtype}${formatShape(ref.shape)}: ${why}`;
}

function mismatch(
  ref: TensorRef,
  feed: Pick<Tensor, 'dtype' | 'shape'>,
  bindings: Map<string, number>,
): string | undefined {
  if (feed.dtype !== ref.dtype) return 'the dtypes differ';
  if (feed.shape.length !== ref.shape.length) return 'the ranks differ';
  for (const [i, d] of ref.shape.entries()) {
    const actual = feed.shape[i] as number;
    if (typeof d === 'number') {
      if (d !== actual) return `dimension ${i} must be ${d}`;
      continue;
    }
    const bound = bindings.get(d);
    if (bound !== undefined && bound !== actual) return `${d} is already bound to ${bound}`;
    bindings.set(d, actual);
  }
  return undefined;
}
