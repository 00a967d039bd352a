import * as tf from '@tensorflow/tfjs-core';
import type { Tensor } from '@actllm/core';
import { TfjsBackendError } from '../errors.js';
import { tfDtype, toTf } from '../convert.js';
import type { KernelDef, KernelSpec } from './types.js';
import { intsAt, req } from './util.js';

/** Constant, Range, ConstantOfShape. Plans load Constant values once, not per run. */

function attrTensor(spec: KernelSpec): Tensor | undefined {
  const v = spec.attrs['value'];
  return typeof v === 'object' && !Array.isArray(v) ? (v as Tensor) : undefined;
}

function scalarOf(t: tf.Tensor): number {
  return t.dataSync()[0] ?? 0;
}

/**
 * Float ranges are `start + i * delta` (as the reference computes them), not a running
 * sum, so long ranges do not drift.
 */
function rangeKernel(spec: KernelSpec) {
  return (inputs: readonly (tf.Tensor | undefined)[]): tf.Tensor[] => {
    const [s, l, d] = [0, 1, 2].map(
      (i) => spec.constants[i]?.[0] ?? scalarOf(req(inputs, i, 'Range')),
    );
    const start = s as number;
    const delta = d as number;
    if (delta === 0) throw new TfjsBackendError('TFJS_RUNTIME', 'Range needs a non-zero delta.');
    const n = Math.max(Math.ceil(((l as number) - start) / delta), 0);
    const dtype = req(inputs, 0, 'Range').dtype;
    if (dtype !== 'float32') return [tf.range(start, start + n * delta, delta, 'int32')];
    return [tf.tidy(() => tf.add(tf.mul(tf.range(0, n, 1, 'float32'), delta), start))];
  };
}

export const GENERATE_KERNELS: Readonly<Record<string, KernelDef>> = {
  Constant: {
    tfKernels: [],
    create: (spec) => {
      const value = attrTensor(spec);
      if (!value)
        throw new TfjsBackendError('TFJS_RUNTIME', `Constant ${spec.node.name} has no value.`);
      return () => [toTf(value, `Constant ${spec.node.name}`)];
    },
  },
  Range: { tfKernels: ['Range'], create: rangeKernel },
  ConstantOfShape: {
    tfKernels: ['Fill'],
    create: (spec) => {
      const value = attrTensor(spec);
      const dtype = tfDtype(value?.dtype ?? 'float32');
      const v = value ? Number(value.data[0] ?? 0) : 0;
      return (inputs) => {
        const shape = intsAt(spec, inputs, 0) ?? [];
        if (dtype !== 'bool') return [tf.fill(shape, v, dtype)];
        return [tf.tidy(() => tf.notEqual(tf.fill(shape, v, 'int32'), tf.scalar(0, 'int32')))];
      };
    },
  },
};
