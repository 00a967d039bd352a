import type { Dim } from '../ir.js';
import type { OpDef } from '../op-def.js';
import { dtypeError, shapeError } from '../op-def.js';
import { GraphError } from '../errors.js';
import { alloc, fromTensor, sizeOf } from '../values.js';
import { attrTensor, intsOf, knownDims, required } from './util.js';

/** Ops that make tensors: Constant, Range, ConstantOfShape. None is differentiable. */

const constant: OpDef = {
  type: 'Constant',
  attributes: { value: 'tensor' },
  inputs: { min: 0, max: 0 },
  infer(_inputs, attrs) {
    const t = attrTensor(attrs, 'value');
    if (!t) throw new GraphError('GRAPH_INVALID', 'Constant needs a tensor attribute `value`.');
    return [{ dtype: t.dtype, shape: [...t.shape] }];
  },
  kernel(_inputs, attrs, ctx) {
    return [
      fromTensor(
        attrTensor(attrs, 'value') as NonNullable<ReturnType<typeof attrTensor>>,
        ctx.precision,
      ),
    ];
  },
};

const range: OpDef = {
  type: 'Range',
  attributes: {},
  inputs: { min: 3, max: 3 },
  infer(inputs) {
    const [start, limit, delta] = required(inputs, 3, 'Range');
    if (start.dtype !== limit.dtype || start.dtype !== delta.dtype || start.dtype === 'bool') {
      throw dtypeError('Range', inputs, 'start, limit and delta need one numeric dtype.');
    }
    if ([start, limit, delta].some((t) => t.shape.length !== 0)) {
      throw shapeError('Range', inputs, 'start, limit and delta must be scalars.');
    }
    const [s, l, d] = [start.value?.[0], limit.value?.[0], delta.value?.[0]];
    const n: Dim =
      s !== undefined && l !== undefined && d !== undefined
        ? rangeLength(s, l, d)
        : `range(${limit.name})`;
    return [{ dtype: start.dtype, shape: [n] }];
  },
  kernel(inputs, _attrs, ctx) {
    const [start, limit, delta] = required(inputs, 3, 'Range');
    const s = start.data[0] ?? 0;
    const d = delta.data[0] ?? 1;
    const n = rangeLength(s, limit.data[0] ?? 0, d);
    const out = alloc(start.dtype, n, ctx.precision);
    for (let i = 0; i < n; i++) out[i] = s + i * d;
    return [{ dtype: start.dtype, shape: [n], data: out }];
  },
};

function rangeLength(start: number, limit: number, delta: number): number {
  if (delta === 0) throw new GraphError('GRAPH_RUNTIME', 'Range needs a non-zero delta.');
  return Math.max(Math.ceil((limit - start) / delta), 0);
}

const constantOfShape: OpDef = {
  type: 'ConstantOfShape',
  attributes: { value: 'tensor' },
  inputs: { min: 1, max: 1 },
  infer(inputs, attrs) {
    const [shape] = required(inputs, 1, 'ConstantOfShape');
    const dtype = attrTensor(attrs, 'value')?.dtype ?? 'float32';
    const rank = shape.shape[0];
    if (shape.dtype !== 'int64' || shape.shape.length !== 1 || typeof rank !== 'number') {
      throw shapeError(
        'ConstantOfShape',
        inputs,
        'the shape input must be an int64 vector of known length.',
      );
    }
    const dims = knownDims(shape) ?? Array.from({ length: rank }, (_, i) => `${shape.name}[${i}]`);
    return [{ dtype, shape: dims }];
  },
  kernel(inputs, attrs, ctx) {
    const [shapeValue] = required(inputs, 1, 'ConstantOfShape');
    const t = attrTensor(attrs, 'value');
    const dtype = t?.dtype ?? 'float32';
    const shape = intsOf(shapeValue) ?? [];
    const out = alloc(dtype, sizeOf(shape), ctx.precision);
    const v = t ? Number(t.data[0] ?? 0) : 0;
    if (v !== 0) out.fill(v);
    return [{ dtype, shape, data: out }];
  },
};

export const GENERATOR_OPS: readonly OpDef[] = [constant, range, constantOfShape];
