import type { Dim, TensorRef } from '../ir.js';
import type { InferInput, OpDef } from '../op-def.js';
import { dtypeError, shapeError } from '../op-def.js';
import { GraphError } from '../errors.js';
import { isConcrete, normalizeAxis, stridesOf } from '../shape.js';
import { alloc, readStrided, sizeOf, type Value } from '../values.js';
import { attrInt, intsOf, required } from './util.js';

/** Concat, Split, Slice, Pad, Gather: ops that cut and join along axes. */

function axisOf(
  op: string,
  inputs: readonly (InferInput | undefined)[],
  axis: number,
  rank: number,
): number {
  const a = normalizeAxis(axis, rank);
  if (a === undefined)
    throw shapeError(op, inputs, `axis ${axis} is out of range for rank ${rank}.`);
  return a;
}

function sumDims(dims: readonly Dim[]): Dim {
  if (dims.every((d) => typeof d === 'number'))
    return (dims as number[]).reduce((p, d) => p + d, 0);
  return dims.join('+');
}

/** Copies `x` (viewed as [outer, n, inner]) into `out` (viewed as [outer, total, inner]) at `offset`. */
function copyBlock(
  x: Value,
  out: Value['data'],
  outer: number,
  n: number,
  inner: number,
  total: number,
  offset: number,
): void {
  for (let o = 0; o < outer; o++) {
    const src = o * n * inner;
    const dst = (o * total + offset) * inner;
    for (let k = 0; k < n * inner; k++) out[dst + k] = x.data[src + k] ?? 0;
  }
}

const concat: OpDef = {
  type: 'Concat',
  attributes: { axis: 'int' },
  inputs: { min: 1, max: 1 << 16 },
  infer(inputs, attrs) {
    const xs = required(inputs, inputs.length, 'Concat');
    const first = xs[0];
    const rank = first.shape.length;
    const axis = axisOf('Concat', inputs, attrInt(attrs, 'axis', 0), rank);
    for (const x of xs) {
      if (x.dtype !== first.dtype) throw dtypeError('Concat', inputs, 'all inputs need one dtype.');
      const ok =
        x.shape.length === rank && x.shape.every((d, i) => i === axis || d === first.shape[i]);
      if (!ok) throw shapeError('Concat', inputs, `all dimensions except axis ${axis} must match.`);
    }
    const shape = [...first.shape];
    shape[axis] = sumDims(xs.map((x) => x.shape[axis] as Dim));
    return [{ dtype: first.dtype, shape }];
  },
  kernel(inputs, attrs, ctx) {
    const xs = required(inputs, inputs.length, 'Concat');
    const first = xs[0];
    const axis = normalizeAxis(attrInt(attrs, 'axis', 0), first.shape.length) ?? 0;
    const total = xs.reduce((p, x) => p + (x.shape[axis] ?? 0), 0);
    const shape = first.shape.map((d, i) => (i === axis ? total : d));
    const outer = sizeOf(first.shape.slice(0, axis));
    const inner = sizeOf(first.shape.slice(axis + 1));
    const out = alloc(first.dtype, sizeOf(shape), ctx.precision);
    let offset = 0;
    for (const x of xs) {
      const n = x.shape[axis] ?? 0;
      copyBlock(x, out, outer, n, inner, total, offset);
      offset += n;
    }
    return [{ dtype: first.dtype, shape, data: out }];
  },
  grad({ g, node, inputs, dOutputs }) {
    const dy = dOutputs[0];
    if (!dy) return [];
    const xs = inputs as TensorRef[];
    const axis = normalizeAxis(attrInt(node.attributes, 'axis', 0), dy.shape.length) ?? 0;
    const dims = xs.map((x) => x.shape[axis] as Dim);
    if (dims.every((d) => typeof d === 'number')) return g.split(dy, dims, axis);
    // Symbolic sizes: read them from the runtime shapes.
    const sizes = g.concat(
      xs.map((x) => g.gather(g.shape(x), g.constant([axis], 'int64'))),
      0,
    );
    const pieces = g.op('Split', [dy, sizes], { axis }, xs.length);
    // Reshape to each input's own (symbolic) shape so the types line up again.
    return pieces.map((p, i) => g.reshape(p, g.shape(xs[i] as TensorRef)));
  },
};

function splitSizes(
  op: string,
  inputs: readonly (InferInput | undefined)[],
  dim: Dim,
  count: number,
): Dim[] {
  const given = inputs[1];
  if (given) {
    const sizes = given.value;
    // Sizes computed at run time: each piece gets its own symbolic size.
    if (!sizes) return Array.from({ length: count }, (_, i) => `${given.name}[${i}]`);
    if (sizes.length !== count)
      throw shapeError(op, inputs, `${sizes.length} sizes for ${count} outputs.`);
    if (typeof dim === 'number' && sizes.reduce((p, s) => p + s, 0) !== dim) {
      throw shapeError(op, inputs, `sizes [${sizes.join(', ')}] do not add up to ${dim}.`);
    }
    return [...sizes];
  }
  if (typeof dim !== 'number') return Array.from({ length: count }, () => `${dim}/${count}`);
  if (dim % count !== 0)
    throw shapeError(op, inputs, `${dim} does not split into ${count} equal parts; pass sizes.`);
  return Array.from({ length: count }, () => dim / count);
}

const split: OpDef = {
  type: 'Split',
  attributes: { axis: 'int' },
  inputs: { min: 1, max: 2 },
  infer(inputs, attrs, count) {
    const [x] = required(inputs, 1, 'Split');
    const axis = axisOf('Split', inputs, attrInt(attrs, 'axis', 0), x.shape.length);
    const sizes = splitSizes('Split', inputs, x.shape[axis] as Dim, count);
    return sizes.map((s) => ({
      dtype: x.dtype,
      shape: x.shape.map((d, i) => (i === axis ? s : d)),
    }));
  },
  kernel(inputs, attrs, ctx) {
    const [x] = required(inputs, 1, 'Split');
    const axis = normalizeAxis(attrInt(attrs, 'axis', 0), x.shape.length) ?? 0;
    const dim = x.shape[axis] ?? 0;
    const count = ctx.outputCount;
    const sizes = intsOf(inputs[1]) ?? Array.from({ length: count }, () => dim / count);
    const outer = sizeOf(x.shape.slice(0, axis));
    const inner = sizeOf(x.shape.slice(axis + 1));
    let offset = 0;
    return sizes.map((n) => {
      const shape = x.shape.map((d, i) => (i === axis ? n : d));
      const out = alloc(x.dtype, sizeOf(shape), ctx.precision);
      for (let o = 0; o < outer; o++) {
        const src = (o * dim + offset) * inner;
        for (let k = 0; k < n * inner; k++) out[o * n * inner + k] = x.data[src + k] ?? 0;
      }
      offset += n;
      return { dtype: x.dtype, shape, data: out };
    });
  },
  grad({ g, node, outputs, dOutputs }) {
    const axis =
      normalizeAxis(attrInt(node.attributes, 'axis', 0), (outputs[0] as TensorRef).shape.length) ??
      0;
    const parts = outputs.map((o, i) => dOutputs[i] ?? g.zerosLike(o));
    return [g.concat(parts, axis), undefined];
  },
};

interface SliceAxis {
  readonly axis: number;
  readonly start: number;
  readonly step: number;
  readonly length: number;
}

/** ONNX Slice clamping for one axis of a concrete size. */
function sliceAxis(
  dim: number,
  start: number,
  end: number,
  step: number,
): { start: number; length: number } {
  if (step > 0) {
    const s = Math.min(Math.max(start < 0 ? start + dim : start, 0), dim);
    const e = Math.min(Math.max(end < 0 ? end + dim : end, 0), dim);
    return { start: s, length: Math.max(0, Math.ceil((e - s) / step)) };
  }
  const s = Math.min(Math.max(start < 0 ? start + dim : start, 0), dim - 1);
  const e = Math.min(Math.max(end < 0 ? end + dim : end, -1), dim - 1);
  return { start: s, length: Math.max(0, Math.ceil((s - e) / -step)) };
}

interface SliceSpec {
  starts: readonly number[];
  ends: readonly number[];
  axes: readonly number[];
  steps: readonly number[];
}

function sliceSpec(
  op: string,
  inputs: readonly (InferInput | undefined)[],
  rank: number,
): SliceSpec {
  const starts = inputs[1]?.value;
  const ends = inputs[2]?.value;
  const axes = inputs[3]
    ? inputs[3].value
    : Array.from({ length: starts?.length ?? 0 }, (_, i) => i);
  const steps = inputs[4] ? inputs[4].value : starts?.map(() => 1);
  if (!starts || !ends || !axes || !steps) {
    throw shapeError(
      op,
      inputs,
      'starts, ends, axes and steps must be constants known when the graph is built.',
    );
  }
  if (
    ends.length !== starts.length ||
    axes.length !== starts.length ||
    steps.length !== starts.length
  ) {
    throw shapeError(op, inputs, 'starts, ends, axes and steps need the same length.');
  }
  if (steps.some((s) => s === 0)) throw shapeError(op, inputs, 'steps must be non-zero.');
  return { starts, ends, axes: axes.map((a) => axisOf(op, inputs, a, rank)), steps };
}

function sliceValueSpec(x: Value, inputs: readonly (Value | undefined)[]): SliceAxis[] {
  const starts = intsOf(inputs[1]) ?? [];
  const ends = intsOf(inputs[2]) ?? [];
  const axes = intsOf(inputs[3]) ?? starts.map((_, i) => i);
  const steps = intsOf(inputs[4]) ?? starts.map(() => 1);
  return axes.map((a, i) => {
    const axis = a < 0 ? a + x.shape.length : a;
    const step = steps[i] ?? 1;
    const r = sliceAxis(x.shape[axis] ?? 0, starts[i] ?? 0, ends[i] ?? 0, step);
    return { axis, step, start: r.start, length: r.length };
  });
}

/** Reads `x` at `start + i * step` along each axis (the strided view Slice describes). */
function stridedRead(
  x: Value,
  spec: readonly SliceAxis[],
  precision: 'float32' | 'float64',
): Value {
  const shape = [...x.shape];
  const strides = [...stridesOf(x.shape)];
  let offset = 0;
  for (const s of spec) {
    offset += s.start * (strides[s.axis] ?? 0);
    strides[s.axis] = (strides[s.axis] ?? 0) * s.step;
    shape[s.axis] = s.length;
  }
  return readStrided(x, shape, strides, offset, precision);
}

const slice: OpDef = {
  type: 'Slice',
  attributes: {},
  inputs: { min: 3, max: 5 },
  infer(inputs) {
    const [x] = required(inputs, 3, 'Slice');
    const spec = sliceSpec('Slice', inputs, x.shape.length);
    const shape = [...x.shape];
    spec.axes.forEach((axis, i) => {
      const d = x.shape[axis] as Dim;
      const [s, e, st] = [spec.starts[i] ?? 0, spec.ends[i] ?? 0, spec.steps[i] ?? 1];
      shape[axis] = typeof d === 'number' ? sliceAxis(d, s, e, st).length : `${d}[${s}:${e}:${st}]`;
    });
    return [{ dtype: x.dtype, shape }];
  },
  kernel(inputs, _attrs, ctx) {
    const [x] = required(inputs, 3, 'Slice');
    return [stridedRead(x, sliceValueSpec(x, inputs), ctx.precision)];
  },
  // The adjoint of a unit-step slice is zero padding back to the input's shape.
  grad({ g, inputs, dOutputs }) {
    const dy = dOutputs[0];
    if (!dy) return [];
    const x = inputs[0] as TensorRef;
    const infer = inputs.map((i) => {
      const value = i ? g.valueOf(i) : undefined;
      return i && value ? { ...i, value } : i;
    });
    const spec = sliceSpec('Slice', infer, x.shape.length);
    const pads = new Array<number>(2 * x.shape.length).fill(0);
    for (let i = 0; i < spec.axes.length; i++) {
      const axis = spec.axes[i] as number;
      const dim = x.shape[axis];
      if (spec.steps[i] !== 1 || typeof dim !== 'number') {
        throw new GraphError(
          'GRAPH_NOT_DIFFERENTIABLE',
          `Slice ${x.name}: gradients need step 1 on axes of known size; axis ${axis} has step ${spec.steps[i]} and size ${dim}.`,
        );
      }
      const r = sliceAxis(dim, spec.starts[i] ?? 0, spec.ends[i] ?? 0, 1);
      pads[axis] = r.start;
      pads[axis + x.shape.length] = dim - r.start - r.length;
    }
    return [g.pad(dy, pads)];
  },
};

const pad: OpDef = {
  type: 'Pad',
  attributes: { mode: 'string' },
  inputs: { min: 2, max: 3 },
  infer(inputs, attrs) {
    const [x] = required(inputs, 2, 'Pad');
    if ((attrs['mode'] ?? 'constant') !== 'constant') {
      throw new GraphError(
        'GRAPH_UNSUPPORTED_OP',
        `Pad mode ${JSON.stringify(attrs['mode'])} is not supported; only mode 'constant' is.`,
      );
    }
    const pads = inputs[1]?.value;
    const rank = x.shape.length;
    if (!pads || pads.length !== 2 * rank)
      throw shapeError('Pad', inputs, `pads must be a constant of length ${2 * rank}.`);
    const shape = x.shape.map((d, i) => {
      const extra = (pads[i] ?? 0) + (pads[i + rank] ?? 0);
      return typeof d === 'number' ? d + extra : extra === 0 ? d : `${d}+${extra}`;
    });
    return [{ dtype: x.dtype, shape }];
  },
  kernel(inputs, _attrs, ctx) {
    const [x, p] = required(inputs, 2, 'Pad');
    const pads = intsOf(p) ?? [];
    const rank = x.shape.length;
    const shape = x.shape.map((d, i) => d + (pads[i] ?? 0) + (pads[i + rank] ?? 0));
    const out = alloc(x.dtype, sizeOf(shape), ctx.precision);
    const fill = inputs[2]?.data[0] ?? 0;
    if (fill !== 0) out.fill(fill);
    const outStrides = stridesOf(shape);
    const inStrides = stridesOf(x.shape);
    for (let i = 0; i < x.data.length; i++) {
      let o = 0;
      let inside = true;
      for (let ax = 0; ax < rank; ax++) {
        const c = Math.floor(i / (inStrides[ax] ?? 1)) % (x.shape[ax] ?? 1);
        const t = c + (pads[ax] ?? 0);
        if (t < 0 || t >= (shape[ax] ?? 0)) inside = false;
        o += t * (outStrides[ax] ?? 0);
      }
      if (inside) out[o] = x.data[i] ?? 0;
    }
    return [{ dtype: x.dtype, shape, data: out }];
  },
  grad({ g, inputs, dOutputs }) {
    const dy = dOutputs[0];
    if (!dy) return [];
    const x = inputs[0] as TensorRef;
    const pads = g.valueOf(inputs[1] as TensorRef) ?? [];
    if (pads.some((v) => v < 0) || !isConcrete(x.shape)) {
      throw new GraphError(
        'GRAPH_NOT_DIFFERENTIABLE',
        `Pad ${x.name}: gradients need non-negative pads and a concrete input shape.`,
      );
    }
    const axes = x.shape.map((_, i) => i);
    const starts = axes.map((i) => pads[i] ?? 0);
    const ends = axes.map((i) => (pads[i] ?? 0) + (x.shape[i] as number));
    return [g.slice(dy, starts, ends, axes), undefined, undefined];
  },
};

const gather: OpDef = {
  type: 'Gather',
  attributes: { axis: 'int' },
  inputs: { min: 2, max: 2 },
  infer(inputs, attrs) {
    const [data, indices] = required(inputs, 2, 'Gather');
    if (indices.dtype !== 'int64' && indices.dtype !== 'int32') {
      throw dtypeError('Gather', inputs, 'indices must be int32 or int64.');
    }
    const axis = axisOf('Gather', inputs, attrInt(attrs, 'axis', 0), data.shape.length);
    const shape = [...data.shape.slice(0, axis), ...indices.shape, ...data.shape.slice(axis + 1)];
    return [{ dtype: data.dtype, shape }];
  },
  kernel(inputs, attrs, ctx) {
    const [data, indices] = required(inputs, 2, 'Gather');
    const axis = normalizeAxis(attrInt(attrs, 'axis', 0), data.shape.length) ?? 0;
    const k = data.shape[axis] ?? 0;
    const outer = sizeOf(data.shape.slice(0, axis));
    const inner = sizeOf(data.shape.slice(axis + 1));
    const n = indices.data.length;
    const shape = [...data.shape.slice(0, axis), ...indices.shape, ...data.shape.slice(axis + 1)];
    const out = alloc(data.dtype, sizeOf(shape), ctx.precision);
    for (let j = 0; j < n; j++) {
      const raw = indices.data[j] ?? 0;
      const idx = raw < 0 ? raw + k : raw;
      if (idx < 0 || idx >= k) {
        throw new GraphError(
          'GRAPH_RUNTIME',
          `Gather: index ${raw} is out of range for a dimension of size ${k}.`,
        );
      }
      for (let o = 0; o < outer; o++) {
        const src = (o * k + idx) * inner;
        const dst = (o * n + j) * inner;
        for (let t = 0; t < inner; t++) out[dst + t] = data.data[src + t] ?? 0;
      }
    }
    return [{ dtype: data.dtype, shape, data: out }];
  },
  grad: gatherGrad,
};

/**
 * d(data) as a one-hot matmul: dData[k] = sum over positions p of [idx[p] == k] * dy[p].
 * Only ops of the list (Equal, Range, MatMul, ...) so every backend can run it; it needs
 * the data's shape to be concrete outside the gathered axis (parameters always are; a
 * batch of visual tokens [rows, width] has a symbolic row count).
 */
function gatherGrad({
  g,
  node,
  inputs,
  dOutputs,
}: Parameters<NonNullable<OpDef['grad']>>[0]): (TensorRef | undefined)[] {
  const dy = dOutputs[0];
  if (!dy) return [];
  const [data, indices] = inputs as [TensorRef, TensorRef];
  const shape = data.shape;
  const axis = normalizeAxis(attrInt(node.attributes, 'axis', 0), shape.length) ?? 0;
  // The gathered axis may be symbolic (read at run time); the others must be concrete.
  if (!isConcrete(shape.filter((_, i) => i !== axis))) {
    throw new GraphError(
      'GRAPH_NOT_DIFFERENTIABLE',
      `Gather ${data.name}: the gradient needs a concrete data shape outside the gathered axis; got [${data.shape.join(', ')}].`,
    );
  }
  const dim = shape[axis];
  const k: number | TensorRef =
    typeof dim === 'number' ? dim : g.squeeze(g.slice(g.shape(data), [axis], [axis + 1], [0]), [0]);
  const ri = indices.shape.length;
  const pre = shape.slice(0, axis) as number[];
  const post = shape.slice(axis + 1) as number[];
  const rest = sizeOf(pre) * sizeOf(post);
  const idx = g.cast(indices, 'int64');
  const wrapped = g.where(g.less(idx, 0), g.add(idx, k), idx);
  // One row per index, flattened first so no reshape needs the symbolic k.
  const flatIdx = g.reshape(wrapped, [-1, 1]);
  const flatHot = g.cast(g.equal(flatIdx, g.range(0, k, 1)), dy.dtype);
  // Move the index axes of dy to the front: [...idx, ...pre, ...post].
  const perm = [
    ...Array.from({ length: ri }, (_, i) => axis + i),
    ...Array.from({ length: axis }, (_, i) => i),
    ...Array.from({ length: post.length }, (_, i) => axis + ri + i),
  ];
  const dyT = perm.every((p, i) => p === i) ? dy : g.transpose(dy, perm);
  const flatDy = g.reshape(dyT, [-1, rest]);
  const summed = g.matmul(g.transpose(flatHot, [1, 0]), flatDy);
  const unflat = g.reshape(summed, [typeof k === 'number' ? k : -1, ...pre, ...post]);
  const back = [
    ...Array.from({ length: axis }, (_, i) => i + 1),
    0,
    ...post.map((_, i) => axis + 1 + i),
  ];
  const dData = back.every((p, i) => p === i) ? unflat : g.transpose(unflat, back);
  // A symbolic axis: give the gradient the data's own (symbolic) shape.
  return [typeof k === 'number' ? dData : g.reshape(dData, g.shapeOf(data)), undefined];
}

export const SLICE_OPS: readonly OpDef[] = [concat, split, slice, pad, gather];
