import type { TensorRef } from '../ir.js';
import type { OpDef } from '../op-def.js';
import { dtypeError, shapeError } from '../op-def.js';
import { broadcastShapes } from '../shape.js';
import { alloc, broadcastIndex, sizeOf } from '../values.js';
import { binaryOp } from './elementwise.js';
import { attrDType, broadcastConcrete, required } from './util.js';

/** Comparisons, selection, casts and Identity. */

const equal = binaryOp('Equal', (x, y) => (x === y ? 1 : 0), undefined, 'bool', true);
const less = binaryOp('Less', (x, y) => (x < y ? 1 : 0), undefined, 'bool', false);

const where: OpDef = {
  type: 'Where',
  attributes: {},
  inputs: { min: 3, max: 3 },
  infer(inputs) {
    const [c, a, b] = required(inputs, 3, 'Where');
    if (c.dtype !== 'bool') throw dtypeError('Where', inputs, 'the condition must be bool.');
    if (a.dtype !== b.dtype) throw dtypeError('Where', inputs, 'both branches need one dtype.');
    const shape = broadcastShapes([c.shape, a.shape, b.shape]);
    if (!shape) throw shapeError('Where', inputs, 'the three shapes do not broadcast.');
    return [{ dtype: a.dtype, shape }];
  },
  kernel(inputs, _attrs, ctx) {
    const [c, a, b] = required(inputs, 3, 'Where');
    const shape = broadcastConcrete(broadcastConcrete(c.shape, a.shape), b.shape);
    const size = sizeOf(shape);
    const out = alloc(a.dtype, size, ctx.precision);
    const ic = broadcastIndex(c.shape, shape);
    const ia = broadcastIndex(a.shape, shape);
    const ib = broadcastIndex(b.shape, shape);
    for (let i = 0; i < size; i++) {
      const cond = c.data[ic ? (ic[i] ?? 0) : i];
      out[i] = (cond ? a.data[ia ? (ia[i] ?? 0) : i] : b.data[ib ? (ib[i] ?? 0) : i]) ?? 0;
    }
    return [{ dtype: a.dtype, shape, data: out }];
  },
  grad({ g, inputs, dOutputs }) {
    const [c, a, b] = inputs as [TensorRef, TensorRef, TensorRef];
    const dy = dOutputs[0];
    if (!dy) return [];
    return [
      undefined,
      g.unbroadcast(g.where(c, dy, 0), a.shape),
      g.unbroadcast(g.where(c, 0, dy), b.shape),
    ];
  },
};

const cast: OpDef = {
  type: 'Cast',
  attributes: { to: 'dtype' },
  inputs: { min: 1, max: 1 },
  infer(inputs, attrs) {
    const [x] = required(inputs, 1, 'Cast');
    return [{ dtype: attrDType(attrs, 'to'), shape: x.shape }];
  },
  kernel(inputs, attrs, ctx) {
    const [x] = required(inputs, 1, 'Cast');
    const to = attrDType(attrs, 'to');
    const out = alloc(to, x.data.length, ctx.precision);
    // Float to integer truncates toward zero (C++ static_cast, as onnxruntime).
    const f =
      to === 'bool'
        ? (v: number) => (v !== 0 ? 1 : 0)
        : to === 'float32'
          ? (v: number) => v
          : Math.trunc;
    for (let i = 0; i < out.length; i++) out[i] = f(x.data[i] ?? 0);
    return [{ dtype: to, shape: x.shape, data: out }];
  },
  // Only float-to-float casts carry gradients; the IR has a single float dtype.
  grad({ inputs, outputs, dOutputs }) {
    const x = inputs[0];
    const dy = dOutputs[0];
    return [x?.dtype === 'float32' && outputs[0]?.dtype === 'float32' ? dy : undefined];
  },
};

const identity: OpDef = {
  type: 'Identity',
  attributes: {},
  inputs: { min: 1, max: 1 },
  infer(inputs) {
    const [x] = required(inputs, 1, 'Identity');
    return [{ dtype: x.dtype, shape: x.shape }];
  },
  kernel(inputs) {
    return [required(inputs, 1, 'Identity')[0]];
  },
  grad({ dOutputs }) {
    return [dOutputs[0]];
  },
};

export const LOGIC_OPS: readonly OpDef[] = [equal, less, where, cast, identity];
