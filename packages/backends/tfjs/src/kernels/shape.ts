import * as tf from '@tensorflow/tfjs-core';
import { broadcastConcrete } from '@actllm/graph';
import { TfjsBackendError } from '../errors.js';
import type { KernelDef, KernelSpec } from './types.js';
import { attrInts, broadcastTo, intsAt, normAxis, req } from './util.js';

/** Reshape, Transpose, Unsqueeze, Squeeze, Expand, Shape: shapes are computed on the host. */

function reshapeTarget(x: tf.Tensor, target: readonly number[]): number[] {
  // allowzero = 0: a 0 copies the input's dimension; tfjs resolves the -1.
  return target.map((d, i) => (d === 0 ? (x.shape[i] ?? 0) : d));
}

function unsqueezed(shape: readonly number[], axes: readonly number[]): number[] {
  const rank = shape.length + axes.length;
  const at = new Set(axes.map((a) => normAxis(a, rank, 'Unsqueeze')));
  const out: number[] = [];
  let k = 0;
  for (let i = 0; i < rank; i++) out.push(at.has(i) ? 1 : (shape[k++] as number));
  return out;
}

function squeezed(shape: readonly number[], axes: readonly number[] | undefined): number[] {
  const drop = axes
    ? new Set(axes.map((a) => normAxis(a, shape.length, 'Squeeze')))
    : new Set(shape.flatMap((d, i) => (d === 1 ? [i] : [])));
  for (const a of drop) {
    if (shape[a] !== 1) {
      throw new TfjsBackendError(
        'TFJS_RUNTIME',
        `Squeeze: axis ${a} of [${shape.join(', ')}] is not of size 1.`,
      );
    }
  }
  return shape.filter((_, i) => !drop.has(i));
}

function expandKernel(spec: KernelSpec) {
  return (inputs: readonly (tf.Tensor | undefined)[]): tf.Tensor[] => {
    const x = req(inputs, 0, 'Expand');
    const shape = broadcastConcrete(x.shape, intsAt(spec, inputs, 1) ?? []);
    const same = shape.length === x.rank && shape.every((d, i) => d === x.shape[i]);
    return [same ? tf.clone(x) : broadcastTo(x, shape, spec.runtime)];
  };
}

export const SHAPE_KERNELS: Readonly<Record<string, KernelDef>> = {
  Reshape: {
    tfKernels: ['Reshape'],
    create: (spec) => (inputs) => {
      const x = req(inputs, 0, 'Reshape');
      return [tf.reshape(x, reshapeTarget(x, intsAt(spec, inputs, 1) ?? []))];
    },
  },
  Transpose: {
    tfKernels: ['Transpose'],
    create: (spec) => {
      const perm = attrInts(spec.attrs, 'perm');
      // Without perm, ONNX reverses the axes, as tf.transpose does.
      return (inputs) => [tf.transpose(req(inputs, 0, 'Transpose'), perm)];
    },
  },
  Unsqueeze: {
    tfKernels: ['Reshape'],
    create: (spec) => (inputs) => {
      const x = req(inputs, 0, 'Unsqueeze');
      return [tf.reshape(x, unsqueezed(x.shape, intsAt(spec, inputs, 1) ?? []))];
    },
  },
  Squeeze: {
    tfKernels: ['Reshape'],
    create: (spec) => (inputs) => {
      const x = req(inputs, 0, 'Squeeze');
      return [tf.reshape(x, squeezed(x.shape, intsAt(spec, inputs, 1)))];
    },
  },
  Expand: { tfKernels: ['Tile'], create: expandKernel },
  Shape: {
    tfKernels: [],
    create: () => (inputs) => [tf.tensor1d(req(inputs, 0, 'Shape').shape, 'int32')],
  },
};
