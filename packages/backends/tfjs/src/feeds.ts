import type * as tf from '@tensorflow/tfjs';
import type { Tensor, TensorMap } from '@actllm/core';
import { feedMismatch, type TensorRef } from '@actllm/graph';
import { TfjsBackendError } from './errors.js';
import { toTf } from './convert.js';

/** Checking host tensors against the graph's declared inputs, and loading them into tfjs. */

function formatShape(shape: readonly (number | string)[]): string {
  return `[${shape.join(', ')}]`;
}

/** Checks dtype and shape, binding symbolic dimensions consistently across all feeds. */
export function checkFeed(
  ref: TensorRef,
  feed: Tensor | undefined,
  bindings: Map<string, number>,
  kind: string,
): Tensor {
  if (!feed) {
    throw new TfjsBackendError(
      'TFJS_INVALID_FEED',
      `${kind} ${ref.name} (${ref.dtype}${formatShape(ref.shape)}) was not given; pass it by name.`,
    );
  }
  const why = feedMismatch(ref, feed, bindings);
  if (why !== undefined) throw new TfjsBackendError('TFJS_INVALID_FEED', `${kind} ${why}.`);
  return feed;
}

/** Loads checked feeds into tfjs; on a failure, what was already loaded is freed. */
export function loadFeeds(
  refs: readonly TensorRef[],
  feeds: TensorMap,
  bindings: Map<string, number>,
  kind: string,
): Map<string, tf.Tensor> {
  const out = new Map<string, tf.Tensor>();
  try {
    for (const ref of refs) {
      const feed = checkFeed(ref, feeds[ref.name], bindings, kind);
      out.set(ref.name, toTf(feed, `${kind} ${ref.name}`));
    }
  } catch (error) {
    disposeAll(out.values());
    throw error;
  }
  return out;
}

export function disposeAll(tensors: Iterable<tf.Tensor>): void {
  for (const t of tensors) t.dispose();
}
