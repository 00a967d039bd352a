import * as tf from '@tensorflow/tfjs';
import type { Kernel, KernelDef, KernelSpec } from './types.js';
import { attrInt, req } from './util.js';

/**
 * MatMul and Gemm. Plans also fuse a transpose of the last two axes into the product and a
 * following bias Add (and Relu) into tfjs' fused matMul (see plan.ts); `fusedProduct` runs
 * every such form.
 */

export interface ProductForm {
  readonly transposeA: boolean;
  readonly transposeB: boolean;
  readonly activation: 'linear' | 'relu';
}

function swapLast(x: tf.Tensor): tf.Tensor {
  const r = x.rank;
  return tf.transpose(
    x,
    x.shape.map((_, i) => (i === r - 2 ? r - 1 : i === r - 1 ? r - 2 : i)),
  );
}

/** The wasm fused kernel takes a bias of rank 1 only: one value per output column. */
function biasFits(bias: tf.Tensor, out: readonly number[]): boolean {
  return bias.rank === 1 && bias.shape[0] === out[out.length - 1];
}

/**
 * tfjs broadcasts batch dimensions only when one side's flattened batch is 1; other
 * broadcasts (e.g. [2, 1] against [3]) are expanded explicitly first.
 */
function alignBatches(a: tf.Tensor, b: tf.Tensor): [tf.Tensor, tf.Tensor] {
  const batchA = a.shape.slice(0, -2);
  const batchB = b.shape.slice(0, -2);
  const size = (s: number[]): number => s.reduce((p, d) => p * d, 1);
  const same = batchA.length === batchB.length && batchA.every((d, i) => d === batchB[i]);
  if (same || size(batchA) === 1 || size(batchB) === 1) return [a, b];
  const rank = Math.max(batchA.length, batchB.length);
  const batch = Array.from({ length: rank }, (_, i) => {
    const x = batchA[batchA.length - rank + i] ?? 1;
    return x === 1 ? (batchB[batchB.length - rank + i] ?? 1) : x;
  });
  return [
    tf.broadcastTo(a, [...batch, ...a.shape.slice(-2)]),
    tf.broadcastTo(b, [...batch, ...b.shape.slice(-2)]),
  ];
}

function productShape(a: tf.Tensor, b: tf.Tensor, form: ProductForm): number[] {
  const m = a.shape[form.transposeA ? a.rank - 1 : a.rank - 2] ?? 1;
  const n = b.shape[form.transposeB ? b.rank - 2 : b.rank - 1] ?? 1;
  const batchA = a.shape.slice(0, -2);
  const batchB = b.shape.slice(0, -2);
  const rank = Math.max(batchA.length, batchB.length);
  const batch = Array.from({ length: rank }, (_, i) => {
    const x = batchA[batchA.length - rank + i] ?? 1;
    const y = batchB[batchB.length - rank + i] ?? 1;
    return x === 1 ? y : x;
  });
  return [...batch, m, n];
}

/** numpy matmul of 1-D operands: lift to matrices, multiply, drop the added axes. */
function vectorMatMul(a: tf.Tensor, b: tf.Tensor): tf.Tensor {
  const a2 = a.rank === 1 ? tf.expandDims(a, 0) : a;
  const b2 = b.rank === 1 ? tf.expandDims(b, 1) : b;
  const y = tf.matMul(a2, b2);
  const drop: number[] = [];
  if (a.rank === 1) drop.push(y.rank - 2);
  if (b.rank === 1) drop.push(y.rank - 1);
  return tf.squeeze(y, drop);
}

/** `act(op(a) x op(b) + bias)`, through tfjs' fused kernel when its preconditions hold. */
export function fusedProduct(
  a: tf.Tensor,
  b: tf.Tensor,
  bias: tf.Tensor | undefined,
  form: ProductForm,
): tf.Tensor {
  return tf.tidy(() => {
    if (a.rank < 2 || b.rank < 2) {
      const at = form.transposeA ? swapLast(a) : a;
      const bt = form.transposeB ? swapLast(b) : b;
      let y = vectorMatMul(at, bt);
      if (bias) y = tf.add(y, bias);
      return form.activation === 'relu' ? tf.relu(y) : y;
    }
    const [x, y] = alignBatches(a, b);
    const fits = !bias || biasFits(bias, productShape(x, y, form));
    if (fits) {
      const config = { a: x, b: y, transposeA: form.transposeA, transposeB: form.transposeB };
      return tf.fused.matMul(
        bias
          ? { ...config, bias, activation: form.activation }
          : { ...config, activation: form.activation },
      );
    }
    const z = tf.add(tf.matMul(x, y, form.transposeA, form.transposeB), bias);
    return form.activation === 'relu' ? tf.relu(z) : z;
  });
}

const PLAIN: ProductForm = { transposeA: false, transposeB: false, activation: 'linear' };

/** A product kernel; integer products go to the reference where the runtime lacks them. */
export function productKernel(spec: KernelSpec, form: ProductForm, withBias: boolean): Kernel {
  return (inputs) => {
    const a = req(inputs, 0, spec.node.op);
    if (a.dtype !== 'float32' && !spec.intMatMul) return spec.reference(inputs);
    const bias = withBias ? inputs[2] : undefined;
    return [fusedProduct(a, req(inputs, 1, spec.node.op), bias, form)];
  };
}

function gemmKernel(spec: KernelSpec): Kernel {
  const alpha = Number(spec.attrs['alpha'] ?? 1);
  const beta = Number(spec.attrs['beta'] ?? 1);
  const form: ProductForm = {
    transposeA: attrInt(spec.attrs, 'transA', 0) === 1,
    transposeB: attrInt(spec.attrs, 'transB', 0) === 1,
    activation: 'linear',
  };
  if (alpha === 1 && beta === 1) return productKernel(spec, form, true);
  return (inputs) => {
    const a = req(inputs, 0, 'Gemm');
    if (a.dtype !== 'float32') return spec.reference(inputs);
    const c = inputs[2];
    return [
      tf.tidy(() => {
        const y = fusedProduct(a, req(inputs, 1, 'Gemm'), undefined, form);
        const scaled = alpha === 1 ? y : tf.mul(y, alpha);
        return c ? tf.add(scaled, beta === 1 ? c : tf.mul(c, beta)) : scaled;
      }),
    ];
  };
}

export const MATMUL_KERNELS: Readonly<Record<string, KernelDef>> = {
  MatMul: { tfKernels: ['BatchMatMul'], create: (spec) => productKernel(spec, PLAIN, false) },
  Gemm: { tfKernels: ['BatchMatMul'], create: gemmKernel },
};
