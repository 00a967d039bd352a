import * as tf from '@tensorflow/tfjs-core';
import type { RuntimeName } from '../runtime.js';
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
  /**
   * The product is summed over all its batch axes (a ReduceSum folded in, see fuse.ts):
   * one 2-D product over the concatenated inner axis instead of a batch of them.
   */
  readonly sumBatch?: boolean;
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

/** Below this many multiply-adds per matrix, a batched product stays one wasm call. */
const LOOP_MIN = 1 << 20;

function sizeOf(shape: readonly number[]): number {
  return shape.reduce((p, d) => p * d, 1);
}

/**
 * Float products on the wasm runtime. tfjs-backend-wasm 4.22 sends only plain 2-D
 * products (no transpose, no batch) to XNNPACK; every other form runs a naive loop about
 * 20 times slower. So transposes are materialized, a batch against a single matrix is
 * folded into the rows (or columns), and large batched products are split into 2-D ones.
 * The sums are the same; only their order within a dot product may differ.
 */
function wasmProduct(x: tf.Tensor, y: tf.Tensor, form: ProductForm): tf.Tensor {
  const out = productShape(x, y, form);
  const m = out[out.length - 2] ?? 1;
  const n = out[out.length - 1] ?? 1;
  const k = x.shape[form.transposeA ? x.rank - 2 : x.rank - 1] ?? 1;
  const batchA = sizeOf(x.shape.slice(0, -2));
  const batchB = sizeOf(y.shape.slice(0, -2));
  if (batchA > 1 && batchB > 1 && m * k * n < LOOP_MIN) {
    return tf.matMul(x, y, form.transposeA, form.transposeB);
  }
  const a = tf.reshape(form.transposeA ? swapLast(x) : x, [batchA, m, k]);
  const b = tf.reshape(form.transposeB ? swapLast(y) : y, [batchB, k, n]);
  if (batchB === 1) {
    return tf.reshape(tf.matMul(tf.reshape(a, [batchA * m, k]), tf.reshape(b, [k, n])), out);
  }
  if (batchA === 1) {
    // out[i] = A x B[i]: B's matrices side by side as columns, one product, then apart.
    const cols = tf.reshape(tf.transpose(b, [1, 0, 2]), [k, batchB * n]);
    const wide = tf.reshape(tf.matMul(tf.reshape(a, [m, k]), cols), [m, batchB, n]);
    return tf.reshape(tf.transpose(wide, [1, 0, 2]), out);
  }
  const as = tf.unstack(a);
  const bs = tf.unstack(b);
  return tf.reshape(tf.stack(as.map((t, i) => tf.matMul(t, bs[i] as tf.Tensor))), out);
}

/**
 * sum over b of op(A[b]) x op(B[b]) = [op(A[0]) op(A[1]) ...] x [op(B[0]); op(B[1]); ...]:
 * the batches laid side by side along the inner axis, one 2-D product. Operands whose batch
 * axes differ (not planned, but possible at run time) take the batched product and a sum.
 */
function batchSum(
  a: tf.Tensor,
  b: tf.Tensor,
  bias: tf.Tensor | undefined,
  form: ProductForm,
  runtime: RuntimeName | undefined,
): tf.Tensor {
  const plain: ProductForm = { ...form, sumBatch: false };
  const batch = a.shape.slice(0, -2);
  const same = a.rank >= 3 && b.rank === a.rank && batch.every((d, i) => d === b.shape[i]);
  if (!same) {
    const y = fusedProduct(a, b, undefined, { ...plain, activation: 'linear' }, runtime);
    const summed = tf.sum(
      y,
      Array.from({ length: y.rank - 2 }, (_, i) => i),
    );
    const biased = bias ? tf.add(summed, bias) : summed;
    return form.activation === 'relu' ? tf.relu(biased) : biased;
  }
  const count = sizeOf(batch);
  const r = a.rank;
  const [a0, a1] = [a.shape[r - 2] ?? 1, a.shape[r - 1] ?? 1];
  const [b0, b1] = [b.shape[r - 2] ?? 1, b.shape[r - 1] ?? 1];
  // op(A) as [M, count * K]: stacked rows of A[b] (transposed) or its batches side by side.
  const a2 = form.transposeA
    ? tf.reshape(a, [count * a0, a1])
    : tf.reshape(tf.transpose(tf.reshape(a, [count, a0, a1]), [1, 0, 2]), [a0, count * a1]);
  // op(B) as [count * K, N].
  const b2 = form.transposeB
    ? tf.reshape(tf.transpose(tf.reshape(b, [count, b0, b1]), [0, 2, 1]), [count * b1, b0])
    : tf.reshape(b, [count * b0, b1]);
  return fusedProduct(a2, b2, bias, { ...plain, transposeB: false }, runtime);
}

/** The result shape of a product where an operand is a vector (ONNX MatMul semantics). */
function vectorShape(a: tf.Tensor, b: tf.Tensor, form: ProductForm): number[] {
  const at = form.transposeA && a.rank >= 2 ? swapLast(a) : a;
  const bt = form.transposeB && b.rank >= 2 ? swapLast(b) : b;
  if (at.rank === 1 && bt.rank === 1) return [];
  if (at.rank === 1) return [...bt.shape.slice(0, -2), bt.shape[bt.rank - 1] as number];
  return at.shape.slice(0, -1);
}

/** `act(op(a) x op(b) + bias)`, through tfjs' fused kernel when its preconditions hold. */
export function fusedProduct(
  a: tf.Tensor,
  b: tf.Tensor,
  bias: tf.Tensor | undefined,
  form: ProductForm,
  runtime?: RuntimeName,
): tf.Tensor {
  return tf.tidy(() => {
    if (form.sumBatch) return batchSum(a, b, bias, form, runtime);
    if (a.size === 0 || b.size === 0) {
      // Empty operands (a decode step with no visual tokens): an empty sum is 0, and an
      // empty result is empty. XNNPACK refuses a zero dimension (and says so on stderr).
      const [x, y] = a.rank >= 2 && b.rank >= 2 ? alignBatches(a, b) : [a, b];
      const zeros = tf.zeros(
        x.rank >= 2 && y.rank >= 2 ? productShape(x, y, form) : vectorShape(x, y, form),
      );
      const biased = bias ? tf.add(zeros, bias) : zeros;
      return form.activation === 'relu' ? tf.relu(biased) : biased;
    }
    if (runtime === 'wasm' && a.rank >= 2 && b.rank >= 2 && a.dtype === 'float32') {
      const [x, y] = alignBatches(a, b);
      const z = wasmProduct(x, y, form);
      const biased = bias ? tf.add(z, bias) : z;
      return form.activation === 'relu' ? tf.relu(biased) : biased;
    }
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
    return [fusedProduct(a, req(inputs, 1, spec.node.op), bias, form, spec.runtime)];
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
        const y = fusedProduct(a, req(inputs, 1, 'Gemm'), undefined, form, spec.runtime);
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
