import type { DType, Tensor } from '@actllm/core';
import type { Attributes, Dim } from '../ir.js';
import type { InferInput, KernelContext } from '../op-def.js';
import { GraphError } from '../errors.js';
import { alloc, broadcastIndex, sizeOf, type Value } from '../values.js';

/** Shared helpers of the op families: attribute access and element-wise kernels. */

export function attrInt(attrs: Attributes, name: string, fallback: number): number {
  const v = attrs[name];
  return typeof v === 'number' ? v : fallback;
}

export function attrFloat(attrs: Attributes, name: string, fallback: number): number {
  return attrInt(attrs, name, fallback);
}

export function attrInts(attrs: Attributes, name: string): number[] | undefined {
  const v = attrs[name];
  return Array.isArray(v) ? (v as number[]).slice() : undefined;
}

export function attrTensor(attrs: Attributes, name: string): Tensor | undefined {
  const v = attrs[name];
  return typeof v === 'object' && !Array.isArray(v) ? (v as Tensor) : undefined;
}

export function attrDType(attrs: Attributes, name: string): DType {
  const v = attrs[name];
  if (v === 'float32' || v === 'int32' || v === 'int64' || v === 'bool') return v;
  throw new GraphError(
    'GRAPH_INVALID',
    `Attribute ${name} must be a dtype; got ${JSON.stringify(v)}.`,
  );
}

/** The first `count` inputs, checked present; destructure only those. */
export type Present<T> = T[] & { 0: T; 1: T; 2: T };

/** The present inputs (for ops with no optional inputs): an omitted one is an error. */
export function required<T>(
  inputs: readonly (T | undefined)[],
  count: number,
  op: string,
): Present<T> {
  const out: T[] = [];
  for (let i = 0; i < count; i++) {
    const v = inputs[i];
    if (v === undefined) {
      throw new GraphError('GRAPH_INVALID', `${op} needs input ${i}; it was omitted.`);
    }
    out.push(v);
  }
  return out as Present<T>;
}

/** Values of an int tensor input as numbers (axes, shapes, sizes). */
export function intsOf(value: Value | undefined): number[] | undefined {
  return value ? Array.from(value.data) : undefined;
}

/** A shape-vector input's dimensions at build time: its value, or a Shape node's dims. */
export function knownDims(input: InferInput | undefined): readonly Dim[] | undefined {
  return input?.value ?? input?.dims;
}

/** An element-wise binary kernel with multidirectional broadcasting. */
export function binaryKernel(
  a: Value,
  b: Value,
  outDtype: DType,
  outShape: readonly number[],
  f: (x: number, y: number) => number,
  ctx: KernelContext,
): Value {
  const size = sizeOf(outShape);
  const out = alloc(outDtype, size, ctx.precision);
  const ia = broadcastIndex(a.shape, outShape);
  const ib = broadcastIndex(b.shape, outShape);
  const ad = a.data;
  const bd = b.data;
  if (ia === null && ib === null) {
    for (let i = 0; i < size; i++) out[i] = f(ad[i] ?? 0, bd[i] ?? 0);
  } else {
    for (let i = 0; i < size; i++) {
      out[i] = f(ad[ia ? (ia[i] ?? 0) : i] ?? 0, bd[ib ? (ib[i] ?? 0) : i] ?? 0);
    }
  }
  return { dtype: outDtype, shape: outShape, data: out };
}

/** An element-wise unary kernel. */
export function unaryKernel(x: Value, f: (v: number) => number, ctx: KernelContext): Value {
  const out = alloc(x.dtype, x.data.length, ctx.precision);
  const d = x.data;
  for (let i = 0; i < d.length; i++) out[i] = f(d[i] ?? 0);
  return { dtype: x.dtype, shape: x.shape, data: out };
}

/** Broadcast output shape of concrete values (kernels run on concrete shapes only). */
export function broadcastConcrete(a: readonly number[], b: readonly number[]): number[] {
  const rank = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    const x = a[a.length - rank + i] ?? 1;
    const y = b[b.length - rank + i] ?? 1;
    if (x !== y && x !== 1 && y !== 1) {
      throw new GraphError(
        'GRAPH_RUNTIME',
        `Shapes [${a.join(', ')}] and [${b.join(', ')}] do not broadcast at run time; check the symbolic dimensions you fed.`,
      );
    }
    out.push(x === 1 ? y : x);
  }
  return out;
}
