import * as tf from '@tensorflow/tfjs-core';
import type { KernelDef, KernelSpec } from './types.js';
import { attrInt, normAxis, req } from './util.js';

/** Softmax, LogSoftmax (opset 13: one axis) and LayerNormalization (opset 17). */

/** tfjs normalizes over the last axis only: other axes are moved there and back. */
function onAxis(x: tf.Tensor, axis: number, f: (t: tf.Tensor) => tf.Tensor): tf.Tensor {
  const last = x.rank - 1;
  if (axis === last || x.rank === 0) return f(x);
  const perm = x.shape.map((_, i) => (i === axis ? last : i === last ? axis : i));
  return tf.tidy(() => tf.transpose(f(tf.transpose(x, perm)), perm));
}

function softmaxKernel(log: boolean) {
  return (spec: KernelSpec) => (inputs: readonly (tf.Tensor | undefined)[]) => {
    const x = req(inputs, 0, spec.node.op);
    const axis = normAxis(attrInt(spec.attrs, 'axis', -1), x.rank, spec.node.op);
    return [onAxis(x, axis, (t) => (log ? tf.logSoftmax(t) : tf.softmax(t)))];
  };
}

/**
 * Composed from moments; its optional Mean and InvStdDev outputs come with the shape ONNX
 * gives them (the normalized axes kept as 1s).
 */
function layerNormKernel(spec: KernelSpec) {
  const eps = Number(spec.attrs['epsilon'] ?? 1e-5);
  const count = spec.node.outputs.length;
  return (inputs: readonly (tf.Tensor | undefined)[]): tf.Tensor[] => {
    const x = req(inputs, 0, 'LayerNormalization');
    const scale = req(inputs, 1, 'LayerNormalization');
    const bias = inputs[2];
    const axis = normAxis(attrInt(spec.attrs, 'axis', -1), x.rank, 'LayerNormalization');
    const axes = Array.from({ length: x.rank - axis }, (_, i) => axis + i);
    return tf.tidy(() => {
      const { mean, variance } = tf.moments(x, axes, true);
      const inv = tf.rsqrt(tf.add(variance, eps));
      const normed = tf.mul(tf.mul(tf.sub(x, mean), inv), scale);
      const y = bias ? tf.add(normed, bias) : normed;
      return [y, mean, inv].slice(0, count);
    });
  };
}

export const NN_KERNELS: Readonly<Record<string, KernelDef>> = {
  Softmax: { tfKernels: ['Softmax'], create: softmaxKernel(false) },
  LogSoftmax: { tfKernels: ['Max', 'Exp', 'Sum', 'Log'], create: softmaxKernel(true) },
  LayerNormalization: {
    tfKernels: ['Mean', 'SquaredDifference', 'Rsqrt'],
    create: layerNormKernel,
  },
};
