import type { Attributes, Dim, TensorRef } from '../ir.js';
import type { GradContext, InferInput, OpDef } from '../op-def.js';
import { dtypeError, shapeError } from '../op-def.js';
import type { GraphBuilder } from '../builder.js';
import { normalizeAxis } from '../shape.js';
import { alloc, broadcastIndex, sizeOf, type Value } from '../values.js';
import { attrInt, attrInts, intsOf, required } from './util.js';

/**
 * ReduceSum (axes as an input, opset 13+), ReduceMean and ReduceMax (axes as an attribute,
 * opset < 18). Omitted axes reduce over every axis; `keepdims` defaults to 1.
 */

type AxesSource = 'input' | 'attribute';

function axesOf(
  op: string,
  inputs: readonly (InferInput | undefined)[],
  attrs: Attributes,
  source: AxesSource,
  rank: number,
): number[] {
  const raw = source === 'input' ? inputs[1] && (inputs[1].value ?? null) : attrInts(attrs, 'axes');
  if (raw === null) {
    throw shapeError(
      op,
      inputs,
      'the axes input must be a constant known when the graph is built.',
    );
  }
  const noop = attrInt(attrs, 'noop_with_empty_axes', 0) === 1;
  if (raw === undefined || (raw.length === 0 && !noop)) {
    return Array.from({ length: rank }, (_, i) => i);
  }
  return normalizeAxes(op, inputs, raw, rank);
}

function normalizeAxes(
  op: string,
  inputs: readonly (InferInput | undefined)[],
  raw: readonly number[],
  rank: number,
): number[] {
  const out = raw.map((a) => {
    const n = normalizeAxis(a, rank);
    if (n === undefined)
      throw shapeError(op, inputs, `axis ${a} is out of range for rank ${rank}.`);
    return n;
  });
  return [...new Set(out)].sort((a, b) => a - b);
}

function reducedShape(shape: readonly Dim[], axes: readonly number[], keepdims: boolean): Dim[] {
  const out: Dim[] = [];
  shape.forEach((d, i) => {
    if (!axes.includes(i)) out.push(d);
    else if (keepdims) out.push(1);
  });
  return out;
}

type Reduction = 'sum' | 'mean' | 'max';

function reduceKernel(
  x: Value,
  axes: readonly number[],
  keepdims: boolean,
  kind: Reduction,
  precision: 'float32' | 'float64',
): Value {
  const keepShape = x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
  const outShape = reducedShape(x.shape, axes, keepdims) as number[];
  const size = sizeOf(keepShape);
  // Accumulate in doubles, round once on the way out.
  const acc = new Float64Array(size).fill(kind === 'max' ? -Infinity : 0);
  const map = broadcastIndex(keepShape, x.shape);
  const d = x.data;
  for (let i = 0; i < d.length; i++) {
    const o = map ? (map[i] ?? 0) : i;
    const v = d[i] ?? 0;
    if (kind === 'max') {
      if (v > (acc[o] ?? 0) || Number.isNaN(v)) acc[o] = v;
    } else acc[o] = (acc[o] ?? 0) + v;
  }
  const count = size === 0 ? 1 : d.length / size;
  const out = alloc(x.dtype, size, precision);
  for (let i = 0; i < size; i++) out[i] = kind === 'mean' ? (acc[i] ?? 0) / count : (acc[i] ?? 0);
  return { dtype: x.dtype, shape: outShape, data: out };
}

/** `dy` with the reduced axes put back as 1s (the keepdims form). */
function keepForm(
  g: GraphBuilder,
  dy: TensorRef,
  axes: readonly number[],
  keepdims: boolean,
): TensorRef {
  return keepdims ? dy : g.unsqueeze(dy, axes);
}

/** The number of reduced elements, broadcastable against the keepdims result. */
function reducedCount(g: GraphBuilder, x: TensorRef, axes: readonly number[]): TensorRef {
  const dims = axes.map((a) => x.shape[a]);
  if (dims.every((d) => typeof d === 'number')) {
    return g.scalar(
      dims.reduce((p, d) => p * d, 1),
      x.dtype,
    );
  }
  return g.reduceSum(g.constantOfShape(g.shape(x), 1, x.dtype), axes, true);
}

function withValue(g: GraphBuilder, ref: TensorRef | undefined): InferInput | undefined {
  if (!ref) return undefined;
  const value = g.valueOf(ref);
  return value ? { ...ref, value } : ref;
}

function reduceGrad(kind: Reduction, source: AxesSource) {
  return (ctx: GradContext): (TensorRef | undefined)[] => {
    const { g, node } = ctx;
    const x = ctx.inputs[0] as TensorRef;
    const dy = ctx.dOutputs[0];
    if (!dy) return [];
    const infer = ctx.inputs.map((i) => withValue(g, i));
    const axes = axesOf(node.op, infer, node.attributes, source, x.shape.length);
    const keepdims = attrInt(node.attributes, 'keepdims', 1) === 1;
    const dyk = keepForm(g, dy, axes, keepdims);
    if (kind === 'max') {
      const yk = keepForm(g, ctx.outputs[0] as TensorRef, axes, keepdims);
      // Ties share the gradient equally (a valid subgradient).
      const mask = g.cast(g.equal(x, yk), x.dtype);
      return [g.div(g.mul(mask, dyk), g.reduceSum(mask, axes, true))];
    }
    const spread = g.expand(dyk, g.shapeOf(x));
    return [kind === 'sum' ? spread : g.div(spread, reducedCount(g, x, axes))];
  };
}

function reduceOp(type: string, kind: Reduction, source: AxesSource): OpDef {
  return {
    type,
    attributes:
      source === 'input'
        ? { keepdims: 'int', noop_with_empty_axes: 'int' }
        : { axes: 'ints', keepdims: 'int' },
    inputs: { min: 1, max: source === 'input' ? 2 : 1 },
    infer(inputs, attrs) {
      const x = required(inputs, 1, type)[0];
      if (x.dtype === 'bool') throw dtypeError(type, inputs, 'needs a numeric tensor.');
      const axes = axesOf(type, inputs, attrs, source, x.shape.length);
      return [
        { dtype: x.dtype, shape: reducedShape(x.shape, axes, attrInt(attrs, 'keepdims', 1) === 1) },
      ];
    },
    kernel(inputs, attrs, ctx) {
      const x = required(inputs, 1, type)[0];
      const raw = source === 'input' ? intsOf(inputs[1]) : attrInts(attrs, 'axes');
      const rank = x.shape.length;
      const noop = attrInt(attrs, 'noop_with_empty_axes', 0) === 1;
      const axes =
        raw && (raw.length > 0 || noop)
          ? [...new Set(raw.map((a) => (a < 0 ? a + rank : a)))]
          : Array.from({ length: rank }, (_, i) => i);
      return [reduceKernel(x, axes, attrInt(attrs, 'keepdims', 1) === 1, kind, ctx.precision)];
    },
    grad: reduceGrad(kind, source),
  };
}

export const REDUCE_OPS: readonly OpDef[] = [
  reduceOp('ReduceSum', 'sum', 'input'),
  reduceOp('ReduceMean', 'mean', 'attribute'),
  reduceOp('ReduceMax', 'max', 'attribute'),
];
