import * as tf from '@tensorflow/tfjs-core';
import type { Kernel, KernelDef } from './types.js';
import { isFloat, req } from './util.js';

/** Element-wise arithmetic; tfjs broadcasts like numpy, which is ONNX's multidirectional rule. */

function binary(
  op: string,
  f: (a: tf.Tensor, b: tf.Tensor) => tf.Tensor,
  tfKernels: readonly string[],
): KernelDef {
  return {
    tfKernels,
    create: (): Kernel => (inputs) => [f(req(inputs, 0, op), req(inputs, 1, op))],
  };
}

/**
 * ONNX integer Div truncates toward zero; tfjs floor-divides. The floor quotient is one too
 * low exactly when the division is inexact and the signs differ.
 */
export function truncDiv(a: tf.Tensor, b: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const q = tf.floorDiv(a, b);
    const inexact = tf.notEqual(tf.sub(a, tf.mul(q, b)), tf.scalar(0, 'int32'));
    const signsDiffer = tf.notEqual(tf.less(a, 0), tf.less(b, 0));
    return tf.add(q, tf.cast(tf.logicalAnd(inexact, signsDiffer), 'int32'));
  });
}

/**
 * A float op on any numeric input: integer tensors are computed in float32 and truncated
 * back, as the reference stores a float result into an integer array.
 */
function unary(
  op: string,
  f: (x: tf.Tensor) => tf.Tensor,
  tfKernels: readonly string[],
): KernelDef {
  return {
    tfKernels,
    create: (): Kernel => (inputs) => {
      const x = req(inputs, 0, op);
      if (isFloat(x)) return [f(x)];
      return [tf.tidy(() => tf.cast(f(tf.cast(x, 'float32')), x.dtype))];
    },
  };
}

export const ELEMENTWISE_KERNELS: Readonly<Record<string, KernelDef>> = {
  Add: binary('Add', tf.add, ['Add']),
  Sub: binary('Sub', tf.sub, ['Sub']),
  Mul: binary('Mul', tf.mul, ['Multiply']),
  Div: binary('Div', (a, b) => (isFloat(a) ? tf.div(a, b) : truncDiv(a, b)), [
    'RealDiv',
    'FloorDiv',
  ]),
  Pow: binary('Pow', tf.pow, ['Pow']),
  Neg: {
    tfKernels: ['Neg'],
    create: () => (inputs) => [tf.neg(req(inputs, 0, 'Neg'))],
  },
  Relu: {
    tfKernels: ['Relu'],
    create: () => (inputs) => [tf.relu(req(inputs, 0, 'Relu'))],
  },
  Sqrt: unary('Sqrt', tf.sqrt, ['Sqrt']),
  Exp: unary('Exp', tf.exp, ['Exp']),
  Log: unary('Log', tf.log, ['Log']),
  Tanh: unary('Tanh', tf.tanh, ['Tanh']),
  Erf: unary('Erf', tf.erf, ['Erf']),
  Sigmoid: unary('Sigmoid', tf.sigmoid, ['Sigmoid']),
};
