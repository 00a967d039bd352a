import * as tf from '@tensorflow/tfjs-core';
import type { KernelDef, KernelSpec } from './types.js';
import { attrInt, attrInts, intsAt, normAxis, req } from './util.js';

/** ReduceSum (axes as an input), ReduceMean and ReduceMax (axes as an attribute, opset 17). */

type Reduction = 'sum' | 'mean' | 'max';

function reduceWith(kind: Reduction, x: tf.Tensor, axes: number[], keep: boolean): tf.Tensor {
  if (kind === 'sum') return tf.sum(x, axes, keep);
  if (kind === 'max') return tf.max(x, axes, keep);
  // tfjs means of integers are float; the reference truncates them back.
  const m = tf.mean(x, axes, keep);
  return x.dtype === 'float32' ? m : tf.tidy(() => tf.cast(m, x.dtype));
}

function reduceKernel(kind: Reduction, axesFromInput: boolean) {
  return (spec: KernelSpec) => {
    const keep = attrInt(spec.attrs, 'keepdims', 1) === 1;
    const noop = attrInt(spec.attrs, 'noop_with_empty_axes', 0) === 1;
    const fixed = axesFromInput ? undefined : attrInts(spec.attrs, 'axes');
    return (inputs: readonly (tf.Tensor | undefined)[]): tf.Tensor[] => {
      const x = req(inputs, 0, spec.node.op);
      const raw = axesFromInput ? intsAt(spec, inputs, 1) : fixed;
      if (raw !== undefined && raw.length === 0 && noop) return [tf.clone(x)];
      const rank = x.rank;
      const axes =
        raw && raw.length > 0
          ? [...new Set(raw.map((a) => normAxis(a, rank, spec.node.op)))]
          : Array.from({ length: rank }, (_, i) => i);
      // A rank-0 input has nothing to reduce; tfjs would reject the empty axis list.
      if (axes.length === 0) return [tf.clone(x)];
      return [reduceWith(kind, x, axes, keep)];
    };
  };
}

export const REDUCE_KERNELS: Readonly<Record<string, KernelDef>> = {
  ReduceSum: { tfKernels: ['Sum'], create: reduceKernel('sum', true) },
  ReduceMean: { tfKernels: ['Mean'], create: reduceKernel('mean', false) },
  ReduceMax: { tfKernels: ['Max'], create: reduceKernel('max', false) },
};
