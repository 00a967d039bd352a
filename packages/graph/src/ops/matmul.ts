import type { Dim, TensorRef } from '../ir.js';
import type { InferInput, OpDef } from '../op-def.js';
import { dtypeError, shapeError } from '../op-def.js';
import type { GraphBuilder } from '../builder.js';
import { broadcastShapes } from '../shape.js';
import { alloc, broadcastIndex, sizeOf, type NumArray, type Value } from '../values.js';
import { attrFloat, attrInt, broadcastConcrete, required } from './util.js';

/** MatMul (numpy semantics, batched and broadcast) and Gemm (2-D, with C broadcast). */

function inferMatmul(inputs: readonly (InferInput | undefined)[]): Dim[] {
  const [a, b] = required(inputs, 2, 'MatMul');
  if (a.dtype !== b.dtype || a.dtype === 'bool') {
    throw dtypeError('MatMul', inputs, 'both inputs need one numeric dtype.');
  }
  if (a.shape.length === 0 || b.shape.length === 0) {
    throw shapeError('MatMul', inputs, 'scalars cannot be multiplied as matrices; use Mul.');
  }
  const as = a.shape.length === 1 ? [1, ...a.shape] : a.shape;
  const bs = b.shape.length === 1 ? [...b.shape, 1] : b.shape;
  const k1 = as[as.length - 1] as Dim;
  const k2 = bs[bs.length - 2] as Dim;
  if (k1 !== k2) {
    throw shapeError('MatMul', inputs, `the contracted dimensions differ (${k1} vs ${k2}).`);
  }
  const batch = broadcastShapes([as.slice(0, -2), bs.slice(0, -2)]);
  if (!batch) throw shapeError('MatMul', inputs, 'the batch dimensions do not broadcast.');
  const out: Dim[] = [...batch];
  if (a.shape.length > 1) out.push(as[as.length - 2] as Dim);
  if (b.shape.length > 1) out.push(bs[bs.length - 1] as Dim);
  return out;
}

/** C[m, n] = sum_k A[m, k] B[k, n] for one batch; i-k-j order, accumulated in doubles. */
function matmulBlock(
  a: NumArray,
  aOff: number,
  b: NumArray,
  bOff: number,
  out: NumArray,
  oOff: number,
  m: number,
  k: number,
  n: number,
  row: Float64Array,
): void {
  for (let i = 0; i < m; i++) {
    row.fill(0);
    const ai = aOff + i * k;
    for (let p = 0; p < k; p++) {
      // No skipping of zeros: 0 * NaN must stay NaN, as in IEEE arithmetic.
      const av = a[ai + p] ?? 0;
      const bp = bOff + p * n;
      for (let j = 0; j < n; j++) row[j] = (row[j] ?? 0) + av * (b[bp + j] ?? 0);
    }
    const oi = oOff + i * n;
    for (let j = 0; j < n; j++) out[oi + j] = row[j] ?? 0;
  }
}

function matmulValue(a: Value, b: Value, precision: 'float32' | 'float64'): Value {
  const as = a.shape.length === 1 ? [1, ...a.shape] : a.shape;
  const bs = b.shape.length === 1 ? [...b.shape, 1] : b.shape;
  const m = as[as.length - 2] ?? 1;
  const k = as[as.length - 1] ?? 1;
  const n = bs[bs.length - 1] ?? 1;
  const aBatch = as.slice(0, -2);
  const bBatch = bs.slice(0, -2);
  const batch = broadcastConcrete(aBatch, bBatch);
  const count = sizeOf(batch);
  const ia = broadcastIndex(aBatch, batch);
  const ib = broadcastIndex(bBatch, batch);
  const out = alloc(a.dtype, count * m * n, precision);
  const row = new Float64Array(n);
  for (let t = 0; t < count; t++) {
    const ta = ia ? (ia[t] ?? 0) : t;
    const tb = ib ? (ib[t] ?? 0) : t;
    matmulBlock(a.data, ta * m * k, b.data, tb * k * n, out, t * m * n, m, k, n, row);
  }
  const shape = [...batch];
  if (a.shape.length > 1) shape.push(m);
  if (b.shape.length > 1) shape.push(n);
  return { dtype: a.dtype, shape, data: out };
}

function swapLast(g: GraphBuilder, x: TensorRef): TensorRef {
  const r = x.shape.length;
  const perm = Array.from({ length: r }, (_, i) => (i === r - 2 ? r - 1 : i === r - 1 ? r - 2 : i));
  return g.transpose(x, perm);
}

const matmul: OpDef = {
  type: 'MatMul',
  attributes: {},
  inputs: { min: 2, max: 2 },
  infer(inputs) {
    const a = inputs[0] as InferInput;
    return [{ dtype: a.dtype, shape: inferMatmul(inputs) }];
  },
  kernel(inputs, _attrs, ctx) {
    const [a, b] = required(inputs, 2, 'MatMul');
    return [matmulValue(a, b, ctx.precision)];
  },
  // Vectors are lifted to matrices first, so one rule covers every rank.
  grad({ g, inputs, dOutputs }) {
    let dy = dOutputs[0];
    if (!dy) return [];
    const [a, b] = inputs as [TensorRef, TensorRef];
    const a2 = a.shape.length === 1 ? g.unsqueeze(a, [0]) : a;
    const b2 = b.shape.length === 1 ? g.unsqueeze(b, [1]) : b;
    if (b.shape.length === 1) dy = g.unsqueeze(dy, [dy.shape.length]);
    if (a.shape.length === 1) dy = g.unsqueeze(dy, [dy.shape.length - 1]);
    let da = g.unbroadcast(g.matmul(dy, swapLast(g, b2)), a2.shape);
    let db = g.unbroadcast(g.matmul(swapLast(g, a2), dy), b2.shape);
    if (a.shape.length === 1) da = g.squeeze(da, [0]);
    if (b.shape.length === 1) db = g.squeeze(db, [1]);
    return [da, db];
  },
};

function gemmDims(x: InferInput, trans: boolean): [Dim, Dim] {
  const [r, c] = x.shape as [Dim, Dim];
  return trans ? [c, r] : [r, c];
}

const gemm: OpDef = {
  type: 'Gemm',
  attributes: { alpha: 'float', beta: 'float', transA: 'int', transB: 'int' },
  inputs: { min: 2, max: 3 },
  infer(inputs, attrs) {
    const [a, b] = required(inputs, 2, 'Gemm');
    const c = inputs[2];
    if (a.dtype !== b.dtype || (c && c.dtype !== a.dtype) || a.dtype === 'bool') {
      throw dtypeError('Gemm', inputs, 'A, B and C need one numeric dtype.');
    }
    if (a.shape.length !== 2 || b.shape.length !== 2) {
      throw shapeError('Gemm', inputs, 'A and B must be 2-D; use MatMul for other ranks.');
    }
    const [m, k1] = gemmDims(a, attrInt(attrs, 'transA', 0) === 1);
    const [k2, n] = gemmDims(b, attrInt(attrs, 'transB', 0) === 1);
    if (k1 !== k2)
      throw shapeError('Gemm', inputs, `the contracted dimensions differ (${k1} vs ${k2}).`);
    const out = broadcastShapes([[m, n], c?.shape ?? []]);
    if (!out || out.length !== 2 || out[0] !== m || out[1] !== n) {
      throw shapeError('Gemm', inputs, `C must broadcast to [${m}, ${n}].`);
    }
    return [{ dtype: a.dtype, shape: [m, n] }];
  },
  kernel(inputs, attrs, ctx) {
    const [a, b] = required(inputs, 2, 'Gemm');
    const ta = attrInt(attrs, 'transA', 0) === 1;
    const tb = attrInt(attrs, 'transB', 0) === 1;
    const at = ta ? transpose2(a, ctx.precision) : a;
    const bt = tb ? transpose2(b, ctx.precision) : b;
    const y = matmulValue(at, bt, ctx.precision);
    const alpha = attrFloat(attrs, 'alpha', 1);
    const beta = attrFloat(attrs, 'beta', 1);
    const c = inputs[2];
    const map = c ? broadcastIndex(c.shape, y.shape) : null;
    for (let i = 0; i < y.data.length; i++) {
      const cv = c ? (c.data[map ? (map[i] ?? 0) : i] ?? 0) : 0;
      y.data[i] = alpha * (y.data[i] ?? 0) + beta * cv;
    }
    return [y];
  },
  grad({ g, node, inputs, dOutputs }) {
    const dy = dOutputs[0];
    if (!dy) return [];
    const [a, b, c] = inputs as [TensorRef, TensorRef, TensorRef | undefined];
    const alpha = attrFloat(node.attributes, 'alpha', 1);
    const beta = attrFloat(node.attributes, 'beta', 1);
    const ta = attrInt(node.attributes, 'transA', 0) === 1;
    const tb = attrInt(node.attributes, 'transB', 0) === 1;
    const da = ta
      ? g.gemm(b, dy, undefined, { alpha, transA: tb, transB: true })
      : g.gemm(dy, b, undefined, { alpha, transB: !tb });
    const db = tb
      ? g.gemm(dy, a, undefined, { alpha, transA: true, transB: ta })
      : g.gemm(a, dy, undefined, { alpha, transA: !ta });
    const dc = c ? g.unbroadcast(beta === 1 ? dy : g.mul(dy, beta), c.shape) : undefined;
    return [da, db, dc];
  },
};

function transpose2(x: Value, precision: 'float32' | 'float64'): Value {
  const [r, c] = x.shape as [number, number];
  const out = alloc(x.dtype, r * c, precision);
  for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) out[j * r + i] = x.data[i * c + j] ?? 0;
  return { dtype: x.dtype, shape: [c, r], data: out };
}

export const MATMUL_OPS: readonly OpDef[] = [matmul, gemm];
