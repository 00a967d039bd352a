import type { DType, Tensor } from '@actllm/core';
import type { Graph, Shape, TensorRef } from './ir.js';
import { BuilderCore, toConstTensor, type Operand } from './builder-core.js';
import { GraphError } from './errors.js';
import { broadcastShapes, isConcrete } from './shape.js';
import { checkGraphArgument } from './validate.js';

export type { Operand } from './builder-core.js';

export interface GemmOptions {
  readonly alpha?: number;
  readonly beta?: number;
  readonly transA?: boolean;
  readonly transB?: boolean;
}

export interface LayerNormOptions {
  readonly axis?: number;
  readonly epsilon?: number;
}

/**
 * The typed graph builder: one method per ONNX op (ONNX semantics, opset 17), each inferring
 * its result's dtype and shape. Numbers passed where a tensor is expected become scalar
 * constants of the other operand's dtype.
 *
 * ```ts
 * const g = new GraphBuilder('mlp');
 * const x = g.input('x', 'float32', ['batch', 4]);
 * const w = g.parameter('w', [4, 2]);
 * g.output(g.relu(g.matmul(x, w)), 'y');
 * const graph = g.build();
 * ```
 */
export class GraphBuilder extends BuilderCore {
  /** A builder that continues `graph`; `keepOutputs: false` starts with no outputs. */
  static from(graph: Graph, options: { keepOutputs?: boolean } = {}): GraphBuilder {
    checkGraphArgument(graph, 'GraphBuilder.from');
    const g = new GraphBuilder(graph.name);
    g.replay(graph, options.keepOutputs !== false);
    return g;
  }

  /** A scalar constant. */
  scalar(value: number, dtype: DType = 'float32'): TensorRef {
    return this.constant(value, dtype);
  }

  // Element-wise arithmetic (multidirectional broadcasting).
  add(a: Operand, b: Operand): TensorRef {
    return this.#binary('Add', a, b);
  }
  sub(a: Operand, b: Operand): TensorRef {
    return this.#binary('Sub', a, b);
  }
  mul(a: Operand, b: Operand): TensorRef {
    return this.#binary('Mul', a, b);
  }
  div(a: Operand, b: Operand): TensorRef {
    return this.#binary('Div', a, b);
  }
  pow(a: Operand, b: Operand): TensorRef {
    return this.#binary('Pow', a, b);
  }
  equal(a: Operand, b: Operand): TensorRef {
    return this.#binary('Equal', a, b);
  }
  less(a: Operand, b: Operand): TensorRef {
    return this.#binary('Less', a, b);
  }

  // Element-wise unary ops.
  neg(x: TensorRef): TensorRef {
    return this.#one('Neg', [x]);
  }
  sqrt(x: TensorRef): TensorRef {
    return this.#one('Sqrt', [x]);
  }
  exp(x: TensorRef): TensorRef {
    return this.#one('Exp', [x]);
  }
  log(x: TensorRef): TensorRef {
    return this.#one('Log', [x]);
  }
  tanh(x: TensorRef): TensorRef {
    return this.#one('Tanh', [x]);
  }
  erf(x: TensorRef): TensorRef {
    return this.#one('Erf', [x]);
  }
  relu(x: TensorRef): TensorRef {
    return this.#one('Relu', [x]);
  }
  sigmoid(x: TensorRef): TensorRef {
    return this.#one('Sigmoid', [x]);
  }
  identity(x: TensorRef): TensorRef {
    return this.#one('Identity', [x]);
  }

  /** `condition ? a : b`, broadcasting all three. */
  where(condition: TensorRef, a: Operand, b: Operand): TensorRef {
    const ref = typeof a === 'number' ? b : a;
    const dtype = typeof ref === 'number' ? 'float32' : ref.dtype;
    return this.#one('Where', [condition, this.#lift(a, dtype), this.#lift(b, dtype)]);
  }

  cast(x: TensorRef, to: DType): TensorRef {
    return this.#one('Cast', [x], { to });
  }

  // Reductions. ReduceSum takes its axes as an input (opset 13+), ReduceMean and ReduceMax
  // as an attribute (until opset 18); omitted axes reduce over everything.
  reduceSum(x: TensorRef, axes?: readonly number[], keepdims = true): TensorRef {
    const a = axes ? this.constant(axes, 'int64') : undefined;
    return this.#one('ReduceSum', [x, a], { keepdims: keepdims ? 1 : 0 });
  }
  reduceMean(x: TensorRef, axes?: readonly number[], keepdims = true): TensorRef {
    return this.#one('ReduceMean', [x], this.#axesAttr(axes, keepdims));
  }
  reduceMax(x: TensorRef, axes?: readonly number[], keepdims = true): TensorRef {
    return this.#one('ReduceMax', [x], this.#axesAttr(axes, keepdims));
  }

  softmax(x: TensorRef, axis = -1): TensorRef {
    return this.#one('Softmax', [x], { axis });
  }
  logSoftmax(x: TensorRef, axis = -1): TensorRef {
    return this.#one('LogSoftmax', [x], { axis });
  }

  matmul(a: TensorRef, b: TensorRef): TensorRef {
    return this.#one('MatMul', [a, b]);
  }
  /** `alpha * op(a) @ op(b) + beta * c` with 2-D `a` and `b`. */
  gemm(a: TensorRef, b: TensorRef, c?: TensorRef, options: GemmOptions = {}): TensorRef {
    return this.#one('Gemm', [a, b, c], {
      alpha: options.alpha ?? 1,
      beta: options.beta ?? 1,
      transA: options.transA === true ? 1 : 0,
      transB: options.transB === true ? 1 : 0,
    });
  }

  /** Layer normalization over the axes from `axis` on (opset 17 LayerNormalization). */
  layerNorm(
    x: TensorRef,
    scale: TensorRef,
    bias?: TensorRef,
    options: LayerNormOptions = {},
  ): TensorRef {
    return this.#one('LayerNormalization', [x, scale, bias], {
      axis: options.axis ?? -1,
      epsilon: options.epsilon ?? 1e-5,
    });
  }

  // Shape manipulation.
  /** ONNX Reshape: 0 copies the input dimension, -1 is inferred. */
  reshape(x: TensorRef, shape: readonly number[] | TensorRef): TensorRef {
    return this.#one('Reshape', [x, this.#ints(shape)]);
  }
  transpose(x: TensorRef, perm?: readonly number[]): TensorRef {
    return this.#one('Transpose', [x], perm ? { perm: [...perm] } : {});
  }
  concat(xs: readonly TensorRef[], axis: number): TensorRef {
    return this.#one('Concat', xs, { axis });
  }
  /** Splits along `axis` into pieces of the given sizes (or `count` equal pieces). */
  split(x: TensorRef, sizes: readonly number[] | number, axis = 0): TensorRef[] {
    if (typeof sizes === 'number') return this.op('Split', [x], { axis }, sizes);
    return this.op('Split', [x, this.constant(sizes, 'int64')], { axis }, sizes.length);
  }
  slice(
    x: TensorRef,
    starts: readonly number[],
    ends: readonly number[],
    axes?: readonly number[],
    steps?: readonly number[],
  ): TensorRef {
    return this.#one('Slice', [
      x,
      this.constant(starts, 'int64'),
      this.constant(ends, 'int64'),
      axes ? this.constant(axes, 'int64') : undefined,
      steps ? this.constant(steps, 'int64') : undefined,
    ]);
  }
  gather(data: TensorRef, indices: TensorRef, axis = 0): TensorRef {
    return this.#one('Gather', [data, indices], { axis });
  }
  unsqueeze(x: TensorRef, axes: readonly number[]): TensorRef {
    return this.#one('Unsqueeze', [x, this.constant(axes, 'int64')]);
  }
  squeeze(x: TensorRef, axes?: readonly number[]): TensorRef {
    return this.#one('Squeeze', [x, axes ? this.constant(axes, 'int64') : undefined]);
  }
  /** Broadcasts `x` to `shape` (bidirectionally, as ONNX Expand). */
  expand(x: TensorRef, shape: readonly number[] | TensorRef): TensorRef {
    return this.#one('Expand', [x, this.#ints(shape)]);
  }
  /** Constant-mode Pad; `pads` is [begin_0, ..., begin_n, end_0, ..., end_n]. */
  pad(x: TensorRef, pads: readonly number[] | TensorRef, value?: number): TensorRef {
    const v = value === undefined ? undefined : this.constant(value, x.dtype);
    return this.#one('Pad', [x, this.#ints(pads), v], { mode: 'constant' });
  }
  /** The shape of `x` as an int64 vector. */
  shape(x: TensorRef): TensorRef {
    return this.#one('Shape', [x]);
  }

  // Generators.
  range(start: Operand, limit: Operand, delta: Operand, dtype: DType = 'int64'): TensorRef {
    return this.#one('Range', [
      this.#lift(start, dtype),
      this.#lift(limit, dtype),
      this.#lift(delta, dtype),
    ]);
  }
  constantOfShape(
    shape: readonly number[] | TensorRef,
    value = 0,
    dtype: DType = 'float32',
  ): TensorRef {
    return this.#one('ConstantOfShape', [this.#ints(shape)], {
      value: this.#tensorOf(value, dtype),
    });
  }

  // Gradient helpers: they emit only ops of the list above, so any backend runs them.
  /** The shape of `x` as int64: a constant when it is concrete, a Shape node otherwise. */
  shapeOf(x: TensorRef): TensorRef {
    return isConcrete(x.shape) ? this.constant(x.shape, 'int64') : this.shape(x);
  }
  zerosLike(x: TensorRef): TensorRef {
    return this.constantOfShape(this.shapeOf(x), 0, x.dtype);
  }
  /** Sums `dy` down to `target`'s shape (the adjoint of broadcasting `target` to `dy`). */
  unbroadcast(dy: TensorRef, target: Shape): TensorRef {
    if (broadcastShapes([dy.shape, target]) === undefined) {
      throw new GraphError(
        'GRAPH_SHAPE_MISMATCH',
        `unbroadcast: [${dy.shape.join(', ')}] does not broadcast with [${target.join(', ')}].`,
      );
    }
    const lead = dy.shape.length - target.length;
    const kept: number[] = [];
    target.forEach((d, i) => {
      if (d === 1 && dy.shape[i + lead] !== 1) kept.push(i + lead);
    });
    let out = kept.length > 0 ? this.reduceSum(dy, kept, true) : dy;
    if (lead > 0)
      out = this.reduceSum(
        out,
        Array.from({ length: lead }, (_, i) => i),
        false,
      );
    return out;
  }

  #one(type: string, inputs: readonly (TensorRef | undefined)[], attrs = {}): TensorRef {
    return this.op(type, inputs, attrs)[0] as TensorRef;
  }

  #binary(type: string, a: Operand, b: Operand): TensorRef {
    if (typeof a === 'number' && typeof b === 'number') {
      return this.#one(type, [this.scalar(a), this.scalar(b)]);
    }
    const dtype = typeof a === 'number' ? (b as TensorRef).dtype : a.dtype;
    return this.#one(type, [this.#lift(a, dtype), this.#lift(b, dtype)]);
  }

  #lift(x: Operand, dtype: DType): TensorRef {
    return typeof x === 'number' ? this.constant(x, dtype) : x;
  }

  #ints(x: readonly number[] | TensorRef): TensorRef {
    return Array.isArray(x) ? this.constant(x as readonly number[], 'int64') : (x as TensorRef);
  }

  #axesAttr(
    axes: readonly number[] | undefined,
    keepdims: boolean,
  ): Record<string, number | number[]> {
    return axes ? { axes: [...axes], keepdims: keepdims ? 1 : 0 } : { keepdims: keepdims ? 1 : 0 };
  }

  #tensorOf(value: number, dtype: DType): Tensor {
    return toConstTensor([value], dtype, [1]);
  }
}
