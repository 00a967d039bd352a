import * as tf from '@tensorflow/tfjs-core';
import type { KernelDef } from './types.js';
import { tfDtype } from '../convert.js';
import { broadcastConcrete } from '@actllm/graph';
import { broadcastTo, req } from './util.js';

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
    create: (spec) => (inputs) => {
      const a = req(inputs, 0, 'Equal');
      const b = req(inputs, 1, 'Equal');
      if (spec.runtime !== 'wasm') return [tf.equal(a, b)];
      // The wasm comparison kernels broadcast slowly: operands are expanded first.
      const shape = broadcastConcrete(a.shape, b.shape);
      return [
        tf.tidy(() => tf.equal(broadcastTo(a, shape, 'wasm'), broadcastTo(b, shape, 'wasm'))),
      ];
    },
  },
  Less: {
    tfKernels: ['Less'],
    create: () => (inputs) => [tf.less(req(inputs, 0, 'Less'), req(inputs, 1, 'Less'))],
  },
  Where: {
    tfKernels: ['Select'],
    create: (spec) => (inputs) => {
      const c = req(inputs, 0, 'Where');
      const x = req(inputs, 1, 'Where');
      const y = req(inputs, 2, 'Where');
      if (spec.runtime !== 'wasm') return [tf.where(c, x, y)];
      // tf.where broadcasts with Tile, slow on wasm; expand the operands first.
      const shape = broadcastConcrete(broadcastConcrete(c.shape, x.shape), y.shape);
      return [
        tf.tidy(() =>
          tf.where(
            broadcastTo(c, shape, 'wasm'),
            broadcastTo(x, shape, 'wasm'),
            broadcastTo(y, shape, 'wasm'),
          ),
        ),
      ];
    },
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
