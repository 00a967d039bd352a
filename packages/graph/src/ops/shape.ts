import type { Dim, TensorRef } from '../ir.js';
import type { InferInput, OpDef } from '../op-def.js';
import { shapeError } from '../op-def.js';
import { broadcastShapes, normalizeAxis, stridesOf } from '../shape.js';
import { alloc, broadcastIndex, readStrided, sizeOf, type Value } from '../values.js';
import { attrInts, broadcastConcrete, intsOf, knownDims, required } from './util.js';

/** Reshape, Transpose, Unsqueeze, Squeeze, Expand, Shape: ops that move no arithmetic. */

function needDims(
  op: string,
  inputs: readonly (InferInput | undefined)[],
  i: number,
  what: string,
): readonly Dim[] {
  const dims = knownDims(inputs[i]);
  if (!dims)
    throw shapeError(op, inputs, `${what} must be a constant known when the graph is built.`);
  return dims;
}

/** Splits a shape into its symbols (a multiset) and the product of its numbers. */
function factor(shape: readonly Dim[]): { symbols: string[]; product: number } {
  const symbols: string[] = [];
  let product = 1;
  for (const d of shape) {
    if (typeof d === 'number') product *= d;
    else symbols.push(d);
  }
  return { symbols, product };
}

/** The -1 of a Reshape, possibly symbolic ('batch*seq'); undefined when sizes cannot agree. */
function inferMinusOne(input: readonly Dim[], others: readonly Dim[]): Dim | undefined {
  const a = factor(input);
  const b = factor(others);
  const rest = [...a.symbols];
  for (const s of b.symbols) {
    const k = rest.indexOf(s);
    if (k < 0) return `(${input.join('*')})/(${others.join('*')})`;
    rest.splice(k, 1);
  }
  if (b.product === 0 || a.product % b.product !== 0)
    return rest.length === 0 ? undefined : `(${input.join('*')})/(${others.join('*')})`;
  const ratio = a.product / b.product;
  if (rest.length === 0) return ratio;
  return ratio === 1 ? rest.join('*') : `${rest.join('*')}*${ratio}`;
}

function sameSize(x: readonly Dim[], y: readonly Dim[]): boolean | undefined {
  const a = factor(x);
  const b = factor(y);
  if (a.symbols.length === 0 && b.symbols.length === 0) return a.product === b.product;
  const sa = [...a.symbols].sort().join('*');
  const sb = [...b.symbols].sort().join('*');
  return sa === sb ? a.product === b.product : undefined;
}

const reshape: OpDef = {
  type: 'Reshape',
  attributes: { allowzero: 'int' },
  inputs: { min: 2, max: 2 },
  infer(inputs) {
    const [x] = required(inputs, 2, 'Reshape');
    const target = needDims('Reshape', inputs, 1, 'the shape input');
    const out = target.map((d, i) => (d === 0 ? x.shape[i] : d));
    if (out.some((d) => d === undefined) || out.filter((d) => d === -1).length > 1) {
      throw shapeError(
        'Reshape',
        inputs,
        `invalid target shape [${target.join(', ')}]: 0 copies an existing input dimension and at most one -1 is allowed.`,
      );
    }
    const dims = out as Dim[];
    const m = dims.indexOf(-1);
    if (m >= 0) {
      const inferred = inferMinusOne(
        x.shape,
        dims.filter((_, i) => i !== m),
      );
      if (inferred === undefined)
        throw shapeError(
          'Reshape',
          inputs,
          `cannot reshape to [${target.join(', ')}]: the sizes do not divide.`,
        );
      dims[m] = inferred;
    } else if (sameSize(x.shape, dims) === false) {
      throw shapeError(
        'Reshape',
        inputs,
        `cannot reshape to [${target.join(', ')}]: the element counts differ.`,
      );
    }
    return [{ dtype: x.dtype, shape: dims }];
  },
  kernel(inputs) {
    const [x, s] = required(inputs, 2, 'Reshape');
    const target = (intsOf(s) ?? []).map((d, i) => (d === 0 ? (x.shape[i] ?? 0) : d));
    const known = target.reduce((p, d) => (d === -1 ? p : p * d), 1);
    const shape = target.map((d) => (d === -1 ? x.data.length / known : d));
    if (sizeOf(shape) !== x.data.length || !shape.every(Number.isInteger)) {
      throw shapeError(
        'Reshape',
        [],
        `cannot reshape [${x.shape.join(', ')}] to [${target.join(', ')}] at run time.`,
      );
    }
    return [{ dtype: x.dtype, shape, data: x.data }];
  },
  grad({ g, inputs, dOutputs }) {
    const dy = dOutputs[0];
    if (!dy) return [];
    return [g.reshape(dy, g.shapeOf(inputs[0] as TensorRef)), undefined];
  },
};

function permOf(perm: number[] | undefined, rank: number): number[] {
  return perm ?? Array.from({ length: rank }, (_, i) => rank - 1 - i);
}

/** Gathers `x` through a permutation of its axes. */
function transposeValue(
  x: Value,
  perm: readonly number[],
  precision: 'float32' | 'float64',
): Value {
  const strides = stridesOf(x.shape);
  const shape = perm.map((p) => x.shape[p] ?? 1);
  return readStrided(
    x,
    shape,
    perm.map((p) => strides[p] ?? 0),
    0,
    precision,
  );
}

const transpose: OpDef = {
  type: 'Transpose',
  attributes: { perm: 'ints' },
  inputs: { min: 1, max: 1 },
  infer(inputs, attrs) {
    const [x] = required(inputs, 1, 'Transpose');
    const perm = permOf(attrInts(attrs, 'perm'), x.shape.length);
    const valid =
      perm.length === x.shape.length && [...perm].sort((a, b) => a - b).every((p, i) => p === i);
    if (!valid)
      throw shapeError(
        'Transpose',
        inputs,
        `perm [${perm.join(', ')}] is not a permutation of the ${x.shape.length} axes.`,
      );
    return [{ dtype: x.dtype, shape: perm.map((p) => x.shape[p] as Dim) }];
  },
  kernel(inputs, attrs, ctx) {
    const [x] = required(inputs, 1, 'Transpose');
    return [transposeValue(x, permOf(attrInts(attrs, 'perm'), x.shape.length), ctx.precision)];
  },
  grad({ g, node, inputs, dOutputs }) {
    const dy = dOutputs[0];
    if (!dy) return [];
    const perm = permOf(attrInts(node.attributes, 'perm'), (inputs[0] as TensorRef).shape.length);
    const inverse = perm.map((_, i) => perm.indexOf(i));
    return [g.transpose(dy, inverse)];
  },
};

function unsqueezedShape(
  op: string,
  inputs: readonly (InferInput | undefined)[],
  shape: readonly Dim[],
  axes: readonly number[],
): Dim[] {
  const rank = shape.length + axes.length;
  const norm = axes.map((a) => normalizeAxis(a, rank));
  if (norm.some((a) => a === undefined) || new Set(norm).size !== norm.length) {
    throw shapeError(
      op,
      inputs,
      `axes [${axes.join(', ')}] are invalid for an output of rank ${rank}.`,
    );
  }
  const out: Dim[] = [];
  let k = 0;
  for (let i = 0; i < rank; i++) out.push(norm.includes(i) ? 1 : (shape[k++] as Dim));
  return out;
}

const unsqueeze: OpDef = {
  type: 'Unsqueeze',
  attributes: {},
  inputs: { min: 2, max: 2 },
  infer(inputs) {
    const [x] = required(inputs, 2, 'Unsqueeze');
    const axes = needDims('Unsqueeze', inputs, 1, 'axes') as number[];
    return [{ dtype: x.dtype, shape: unsqueezedShape('Unsqueeze', inputs, x.shape, axes) }];
  },
  kernel(inputs) {
    const [x, a] = required(inputs, 2, 'Unsqueeze');
    return [
      {
        dtype: x.dtype,
        shape: unsqueezedShape('Unsqueeze', [], x.shape, intsOf(a) ?? []) as number[],
        data: x.data,
      },
    ];
  },
  grad({ g, inputs, dOutputs }) {
    const dy = dOutputs[0];
    if (!dy) return [];
    return [g.reshape(dy, g.shapeOf(inputs[0] as TensorRef)), undefined];
  },
};

function squeezedShape(
  op: string,
  inputs: readonly (InferInput | undefined)[],
  shape: readonly Dim[],
  axes: readonly number[] | undefined,
): Dim[] {
  const rank = shape.length;
  const drop = axes
    ? axes.map((a) => normalizeAxis(a, rank))
    : shape.flatMap((d, i) => (d === 1 ? [i] : []));
  if (drop.some((a) => a === undefined || shape[a] !== 1)) {
    throw shapeError(
      op,
      inputs,
      `axes [${(axes ?? []).join(', ')}] must name dimensions of size 1.`,
    );
  }
  return shape.filter((_, i) => !drop.includes(i));
}

const squeeze: OpDef = {
  type: 'Squeeze',
  attributes: {},
  inputs: { min: 1, max: 2 },
  infer(inputs) {
    const [x] = required(inputs, 1, 'Squeeze');
    const axes = inputs[1] ? (needDims('Squeeze', inputs, 1, 'axes') as number[]) : undefined;
    return [{ dtype: x.dtype, shape: squeezedShape('Squeeze', inputs, x.shape, axes) }];
  },
  kernel(inputs) {
    const [x] = required(inputs, 1, 'Squeeze');
    const shape = squeezedShape('Squeeze', [], x.shape, intsOf(inputs[1])) as number[];
    return [{ dtype: x.dtype, shape, data: x.data }];
  },
  grad({ g, inputs, dOutputs }) {
    const dy = dOutputs[0];
    if (!dy) return [];
    return [g.reshape(dy, g.shapeOf(inputs[0] as TensorRef)), undefined];
  },
};

const expand: OpDef = {
  type: 'Expand',
  attributes: {},
  inputs: { min: 2, max: 2 },
  infer(inputs) {
    const [x] = required(inputs, 2, 'Expand');
    const target = needDims('Expand', inputs, 1, 'the shape input');
    const shape = broadcastShapes([x.shape, target]);
    if (!shape) throw shapeError('Expand', inputs, `cannot broadcast to [${target.join(', ')}].`);
    return [{ dtype: x.dtype, shape }];
  },
  kernel(inputs, _attrs, ctx) {
    const [x, s] = required(inputs, 2, 'Expand');
    const shape = broadcastConcrete(x.shape, intsOf(s) ?? []);
    const map = broadcastIndex(x.shape, shape);
    const out = alloc(x.dtype, sizeOf(shape), ctx.precision);
    for (let i = 0; i < out.length; i++) out[i] = x.data[map ? (map[i] ?? 0) : i] ?? 0;
    return [{ dtype: x.dtype, shape, data: out }];
  },
  grad({ g, inputs, dOutputs }) {
    const dy = dOutputs[0];
    if (!dy) return [];
    return [g.unbroadcast(dy, (inputs[0] as TensorRef).shape), undefined];
  },
};

const shapeOp: OpDef = {
  type: 'Shape',
  attributes: {},
  inputs: { min: 1, max: 1 },
  infer(inputs) {
    const [x] = required(inputs, 1, 'Shape');
    return [{ dtype: 'int64', shape: [x.shape.length] }];
  },
  kernel(inputs) {
    const [x] = required(inputs, 1, 'Shape');
    return [{ dtype: 'int64', shape: [x.shape.length], data: Float64Array.from(x.shape) }];
  },
  foldFromTypes(inputs) {
    const x = inputs[0];
    return x ? [...x.shape] : undefined;
  },
};

export const SHAPE_OPS: readonly OpDef[] = [
  reshape,
  transpose,
  unsqueeze,
  squeeze,
  expand,
  shapeOp,
];
