import type { Dim, TensorRef } from '../ir.js';
import type { OpDef } from '../op-def.js';
import { dtypeError, shapeError } from '../op-def.js';
import { broadcastShapes, normalizeAxis } from '../shape.js';
import { alloc, broadcastIndex, sizeOf, type Value } from '../values.js';
import { attrFloat, attrInt, required } from './util.js';

/** Softmax and LogSoftmax (opset 13: one axis) and LayerNormalization (opset 17). */

function softmaxValue(
  x: Value,
  axis: number,
  log: boolean,
  precision: 'float32' | 'float64',
): Value {
  const n = x.shape[axis] ?? 1;
  const inner = sizeOf(x.shape.slice(axis + 1));
  const outer = sizeOf(x.shape.slice(0, axis));
  const out = alloc(x.dtype, x.data.length, precision);
  for (let o = 0; o < outer; o++) {
    for (let t = 0; t < inner; t++) {
      const base = o * n * inner + t;
      let max = -Infinity;
      for (let i = 0; i < n; i++) max = Math.max(max, x.data[base + i * inner] ?? 0);
      let sum = 0;
      for (let i = 0; i < n; i++) sum += Math.exp((x.data[base + i * inner] ?? 0) - max);
      const logSum = Math.log(sum);
      for (let i = 0; i < n; i++) {
        const z = (x.data[base + i * inner] ?? 0) - max;
        out[base + i * inner] = log ? z - logSum : Math.exp(z) / sum;
      }
    }
  }
  return { dtype: x.dtype, shape: x.shape, data: out };
}

function softmaxOp(type: 'Softmax' | 'LogSoftmax'): OpDef {
  const log = type === 'LogSoftmax';
  return {
    type,
    attributes: { axis: 'int' },
    inputs: { min: 1, max: 1 },
    infer(inputs, attrs) {
      const [x] = required(inputs, 1, type);
      if (x.dtype !== 'float32') throw dtypeError(type, inputs, 'needs a float32 tensor.');
      if (normalizeAxis(attrInt(attrs, 'axis', -1), x.shape.length) === undefined) {
        throw shapeError(type, inputs, `axis ${attrInt(attrs, 'axis', -1)} is out of range.`);
      }
      return [{ dtype: x.dtype, shape: x.shape }];
    },
    kernel(inputs, attrs, ctx) {
      const [x] = required(inputs, 1, type);
      const axis = normalizeAxis(attrInt(attrs, 'axis', -1), x.shape.length) ?? 0;
      return [softmaxValue(x, axis, log, ctx.precision)];
    },
    grad({ g, node, outputs, dOutputs }) {
      const dy = dOutputs[0];
      if (!dy) return [];
      const y = outputs[0] as TensorRef;
      const axis = normalizeAxis(attrInt(node.attributes, 'axis', -1), y.shape.length) ?? 0;
      if (log) return [g.sub(dy, g.mul(g.exp(y), g.reduceSum(dy, [axis], true)))];
      return [g.mul(y, g.sub(dy, g.reduceSum(g.mul(dy, y), [axis], true)))];
    },
  };
}

function normAxes(rank: number, axis: number): number[] {
  return Array.from({ length: rank - axis }, (_, i) => axis + i);
}

function layerNormValue(
  inputs: readonly (Value | undefined)[],
  axis: number,
  eps: number,
  precision: 'float32' | 'float64',
): Value[] {
  const [x, scale] = required(inputs, 2, 'LayerNormalization');
  const bias = inputs[2];
  const normShape = x.shape.slice(axis);
  const n = sizeOf(normShape);
  const outer = sizeOf(x.shape.slice(0, axis));
  const sMap = broadcastIndex(scale.shape, normShape);
  const bMap = bias ? broadcastIndex(bias.shape, normShape) : null;
  const y = alloc(x.dtype, x.data.length, precision);
  const means = alloc(x.dtype, outer, precision);
  const inv = alloc(x.dtype, outer, precision);
  for (let o = 0; o < outer; o++) {
    let mean = 0;
    for (let i = 0; i < n; i++) mean += x.data[o * n + i] ?? 0;
    mean /= n;
    let v = 0;
    for (let i = 0; i < n; i++) v += ((x.data[o * n + i] ?? 0) - mean) ** 2;
    const r = 1 / Math.sqrt(v / n + eps);
    means[o] = mean;
    inv[o] = r;
    for (let i = 0; i < n; i++) {
      const s = scale.data[sMap ? (sMap[i] ?? 0) : i] ?? 0;
      const b = bias ? (bias.data[bMap ? (bMap[i] ?? 0) : i] ?? 0) : 0;
      y[o * n + i] = ((x.data[o * n + i] ?? 0) - mean) * r * s + b;
    }
  }
  const statShape = x.shape.map((d, i) => (i < axis ? d : 1));
  return [
    { dtype: x.dtype, shape: x.shape, data: y },
    { dtype: x.dtype, shape: statShape, data: means },
    { dtype: x.dtype, shape: statShape, data: inv },
  ];
}

const layerNorm: OpDef = {
  type: 'LayerNormalization',
  attributes: { axis: 'int', epsilon: 'float', stash_type: 'int' },
  inputs: { min: 2, max: 3 },
  infer(inputs, attrs, count) {
    const [x, scale] = required(inputs, 2, 'LayerNormalization');
    const bias = inputs[2];
    if (x.dtype !== 'float32' || scale.dtype !== 'float32' || (bias && bias.dtype !== 'float32')) {
      throw dtypeError('LayerNormalization', inputs, 'X, Scale and B must be float32.');
    }
    const axis = normalizeAxis(attrInt(attrs, 'axis', -1), x.shape.length);
    if (axis === undefined) throw shapeError('LayerNormalization', inputs, 'axis is out of range.');
    const normShape = x.shape.slice(axis);
    for (const p of [scale, bias]) {
      const b = p ? broadcastShapes([p.shape, normShape]) : normShape;
      if (!b || b.length !== normShape.length || b.some((d, i) => d !== normShape[i])) {
        throw shapeError(
          'LayerNormalization',
          inputs,
          `Scale and B must broadcast to the normalized shape [${normShape.join(', ')}].`,
        );
      }
    }
    const stat: Dim[] = x.shape.map((d, i) => (i < axis ? d : 1));
    const types = [
      { dtype: x.dtype, shape: x.shape },
      { dtype: x.dtype, shape: stat },
      { dtype: x.dtype, shape: stat },
    ];
    return types.slice(0, count);
  },
  kernel(inputs, attrs, ctx) {
    const x = inputs[0] as Value;
    const axis = normalizeAxis(attrInt(attrs, 'axis', -1), x.shape.length) ?? 0;
    return layerNormValue(inputs, axis, attrFloat(attrs, 'epsilon', 1e-5), ctx.precision).slice(
      0,
      ctx.outputCount,
    );
  },
  // Recomputes the statistics from X rather than reading the optional Mean/InvStdDev outputs.
  grad({ g, node, inputs, dOutputs }) {
    const dy = dOutputs[0];
    if (!dy) return [];
    const [x, scale, bias] = inputs as [TensorRef, TensorRef, TensorRef | undefined];
    const axis = normalizeAxis(attrInt(node.attributes, 'axis', -1), x.shape.length) ?? 0;
    const axes = normAxes(x.shape.length, axis);
    const eps = attrFloat(node.attributes, 'epsilon', 1e-5);
    const xc = g.sub(x, g.reduceMean(x, axes, true));
    const variance = g.reduceMean(g.mul(xc, xc), axes, true);
    const rstd = g.div(1, g.sqrt(g.add(variance, eps)));
    const xhat = g.mul(xc, rstd);
    const dxhat = g.mul(dy, scale);
    const dx = g.mul(
      rstd,
      g.sub(
        g.sub(dxhat, g.reduceMean(dxhat, axes, true)),
        g.mul(xhat, g.reduceMean(g.mul(dxhat, xhat), axes, true)),
      ),
    );
    return [
      dx,
      g.unbroadcast(g.mul(dy, xhat), scale.shape),
      bias ? g.unbroadcast(dy, bias.shape) : undefined,
    ];
  },
};

export const NN_OPS: readonly OpDef[] = [softmaxOp('Softmax'), softmaxOp('LogSoftmax'), layerNorm];
