import * as tf from '@tensorflow/tfjs';
import type { KernelDef } from './types.js';
import { tfDtype } from '../convert.js';
import { req } from './util.js';

/** Comparisons, selection, casts and Identity. */

/**
 * A cast to bool is `x != 0`: the wasm Cast kernel copies the bytes of an int32 instead of
 * normalizing them to 0/1, so the comparison is the portable form.
 */
function castTo(x: tf.Tensor, to: 'float32' | 'int32' | 'bool'): tf.Tensor {
  if (to === 'bool')
    return x.dtype === 'bool' ? tf.clone(x) : tf.notEqual(x, tf.scalar(0, x.dtype));
  // tfjs casts float to int by truncation toward zero, as ONNX does.
  return x.dtype === to ? tf.clone(x) : tf.cast(x, to);
}

export const LOGIC_KERNELS: Readonly<Record<string, KernelDef>> = {
  Equal: {
    tfKernels: ['Equal'],
    create: () => (inputs) => [tf.equal(req(inputs, 0, 'Equal'), req(inputs, 1, 'Equal'))],
  },
  Less: {
    tfKernels: ['Less'],
    create: () => (inputs) => [tf.less(req(inputs, 0, 'Less'), req(inputs, 1, 'Less'))],
  },
  Where: {
    tfKernels: ['Select'],
    create: () => (inputs) => [
      tf.where(req(inputs, 0, 'Where'), req(inputs, 1, 'Where'), req(inputs, 2, 'Where')),
    ],
  },
  Cast: {
    tfKernels: ['Cast', 'NotEqual'],
    create: (spec) => {
      const to = spec.attrs['to'];
      const target = tfDtype(to === 'int32' || to === 'int64' || to === 'bool' ? to : 'float32');
      return (inputs) => [castTo(req(inputs, 0, 'Cast'), target)];
    },
  },
  Identity: {
    tfKernels: [],
    create: () => (inputs) => [tf.clone(req(inputs, 0, 'Identity'))],
  },
};
