import type * as tf from '@tensorflow/tfjs-core';
import type { Tensor, TensorMap } from '@actllm/core';
import type { TensorRef } from '@actllm/graph';
import { toTf } from './convert.js';

/**
 * Loads feeds into tfjs (graph's front door has checked them); on a failure, what was
 * already loaded is freed.
 */
export function loadFeeds(
  refs: readonly TensorRef[],
  feeds: TensorMap,
  kind: string,
): Map<string, tf.Tensor> {
  const out = new Map<string, tf.Tensor>();
  try {
    for (const ref of refs) {
      out.set(ref.name, toTf(feeds[ref.name] as Tensor, `${kind} ${ref.name}`));
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
