import * as tf from '@tensorflow/tfjs-core';
import { TfjsBackendError } from '../errors.js';
import type { KernelDef, KernelSpec } from './types.js';
import { attrInt, intsAt, normAxis, req } from './util.js';

/** Concat, Split, Slice, Pad, Gather. */

function present(inputs: readonly (tf.Tensor | undefined)[]): tf.Tensor[] {
  return inputs.filter((t): t is tf.Tensor => t !== undefined);
}

function splitKernel(spec: KernelSpec) {
  const count = spec.node.outputs.length;
  return (inputs: readonly (tf.Tensor | undefined)[]): tf.Tensor[] => {
    const x = req(inputs, 0, 'Split');
    const axis = normAxis(attrInt(spec.attrs, 'axis', 0), x.rank, 'Split');
    const dim = x.shape[axis] ?? 0;
    const sizes = intsAt(spec, inputs, 1) ?? Array.from({ length: count }, () => dim / count);
    if (sizes.reduce((p, s) => p + s, 0) !== dim || !sizes.every(Number.isInteger)) {
      throw new TfjsBackendError(
        'TFJS_RUNTIME',
        `Split: sizes [${sizes.join(', ')}] do not add up to ${dim}.`,
      );
    }
    return tf.split(x, sizes, axis);
  };
}

interface AxisSlice {
  readonly start: number;
  readonly length: number;
  readonly step: number;
}

/** ONNX Slice clamping on one axis of size `dim`. */
export function sliceAxis(dim: number, start: number, end: number, step: number): AxisSlice {
  if (step > 0) {
    const s = Math.min(Math.max(start < 0 ? start + dim : start, 0), dim);
    const e = Math.min(Math.max(end < 0 ? end + dim : end, 0), dim);
    return { start: s, length: Math.max(0, Math.ceil((e - s) / step)), step };
  }
  const s = Math.min(Math.max(start < 0 ? start + dim : start, 0), dim - 1);
  const e = Math.min(Math.max(end < 0 ? end + dim : end, -1), dim - 1);
  return { start: s, length: Math.max(0, Math.ceil((s - e) / -step)), step };
}

/**
 * Unit steps are one tf.slice; other steps gather the indices `start + i * step` on their
 * axis (strided slices of bool tensors are wrong on the wasm runtime, gathers are not).
 */
function sliceKernel(spec: KernelSpec) {
  return (inputs: readonly (tf.Tensor | undefined)[]): tf.Tensor[] => {
    const x = req(inputs, 0, 'Slice');
    const starts = intsAt(spec, inputs, 1) ?? [];
    const ends = intsAt(spec, inputs, 2) ?? [];
    const axes = intsAt(spec, inputs, 3) ?? starts.map((_, i) => i);
    const steps = intsAt(spec, inputs, 4) ?? starts.map(() => 1);
    const begin = x.shape.map(() => 0);
    const size = [...x.shape];
    const strided: [number, AxisSlice][] = [];
    axes.forEach((a, i) => {
      const axis = normAxis(a, x.rank, 'Slice');
      const r = sliceAxis(x.shape[axis] ?? 0, starts[i] ?? 0, ends[i] ?? 0, steps[i] ?? 1);
      if (r.step === 1 || r.length === 0) {
        begin[axis] = r.length === 0 ? 0 : r.start;
        size[axis] = r.length;
      } else strided.push([axis, r]);
    });
    return [
      tf.tidy(() => {
        let y = tf.slice(x, begin, size);
        for (const [axis, r] of strided) {
          const end = r.start + r.length * r.step;
          y = tf.gather(y, tf.range(r.start, end, r.step, 'int32'), axis);
        }
        return y;
      }),
    ];
  };
}

/** Constant padding; negative pads crop first (tf.pad only grows). */
function padKernel(spec: KernelSpec) {
  return (inputs: readonly (tf.Tensor | undefined)[]): tf.Tensor[] => {
    const x = req(inputs, 0, 'Pad');
    const pads = intsAt(spec, inputs, 1) ?? [];
    const rank = x.rank;
    const value = inputs[2] ? (inputs[2].dataSync()[0] ?? 0) : 0;
    const before = x.shape.map((_, i) => pads[i] ?? 0);
    const after = x.shape.map((_, i) => pads[i + rank] ?? 0);
    return [
      tf.tidy(() => {
        const begin = before.map((p) => Math.max(-p, 0));
        const size = x.shape.map((d, i) => d - (begin[i] ?? 0) - Math.max(-(after[i] ?? 0), 0));
        const cropped = before.some((p) => p < 0) || after.some((p) => p < 0);
        const core = cropped ? tf.slice(x, begin, size) : x;
        const grow = before.map((p, i): [number, number] => [
          Math.max(p, 0),
          Math.max(after[i] ?? 0, 0),
        ]);
        if (x.dtype !== 'bool') return tf.pad(core, grow, value);
        // Pad bool as int32 (0/1) and compare back, so every runtime agrees.
        return tf.notEqual(
          tf.pad(tf.cast(core, 'int32'), grow, value ? 1 : 0),
          tf.scalar(0, 'int32'),
        );
      }),
    ];
  };
}

/**
 * Gather with ONNX index rules: negative indices count from the end; an index out of range
 * is an error (tfjs would read garbage on some runtimes), so indices are checked on the host.
 */
function gatherKernel(spec: KernelSpec) {
  return (inputs: readonly (tf.Tensor | undefined)[]): tf.Tensor[] => {
    const data = req(inputs, 0, 'Gather');
    const indices = req(inputs, 1, 'Gather');
    const axis = normAxis(attrInt(spec.attrs, 'axis', 0), data.rank, 'Gather');
    const k = data.shape[axis] ?? 0;
    const host = spec.constants[1] ?? indices.dataSync();
    let wrap = false;
    for (const v of host) {
      if (v < -k || v >= k) {
        throw new TfjsBackendError(
          'TFJS_RUNTIME',
          `Gather ${spec.node.name}: index ${v} is out of range for a dimension of size ${k}.`,
        );
      }
      if (v < 0) wrap = true;
    }
    const shape = [...data.shape.slice(0, axis), ...indices.shape, ...data.shape.slice(axis + 1)];
    return [
      tf.tidy(() => {
        let flat = tf.reshape(indices, [-1]);
        if (wrap) flat = tf.where(tf.less(flat, 0), tf.add(flat, tf.scalar(k, 'int32')), flat);
        return tf.reshape(tf.gather(data, flat as tf.Tensor1D, axis), shape);
      }),
    ];
  };
}

export const SLICE_KERNELS: Readonly<Record<string, KernelDef>> = {
  Concat: {
    tfKernels: ['Concat'],
    create: (spec) => (inputs) => {
      const xs = present(inputs);
      const axis = normAxis(attrInt(spec.attrs, 'axis', 0), xs[0]?.rank ?? 1, 'Concat');
      return [xs.length === 1 ? tf.clone(xs[0] as tf.Tensor) : tf.concat(xs, axis)];
    },
  },
  Split: { tfKernels: ['SplitV'], create: splitKernel },
  Slice: { tfKernels: ['Slice', 'GatherV2'], create: sliceKernel },
  Pad: { tfKernels: ['PadV2'], create: padKernel },
  Gather: { tfKernels: ['GatherV2'], create: gatherKernel },
};
