import { GraphError } from '../errors.js';
import type { Attributes, TensorRef, TensorType } from '../ir.js';
import type { GradContext, InferInput, KernelContext, OpDef } from '../op-def.js';
import { dtypeError, shapeError } from '../op-def.js';
import type { GraphBuilder } from '../builder.js';
import { erf } from '../math.js';
import { broadcastShapes } from '../shape.js';
import type { Value } from '../values.js';
import { binaryKernel, broadcastConcrete, required, unaryKernel } from './util.js';

/** Element-wise arithmetic with ONNX multidirectional broadcasting. */

function inferBinary(op: string, out: 'same' | 'bool', allowBool: boolean) {
  return (inputs: readonly (InferInput | undefined)[]): TensorType[] => {
    const [a, b] = required(inputs, 2, op);
    if (a.dtype !== b.dtype) {
      throw dtypeError(op, inputs, 'both inputs need the same dtype; insert a Cast (g.cast).');
    }
    if (!allowBool && a.dtype === 'bool') {
      throw dtypeError(op, inputs, 'bool tensors are not numbers here; Cast them first.');
    }
    const shape = broadcastShapes([a.shape, b.shape]);
    if (!shape) {
      throw shapeError(
        op,
        inputs,
        'the shapes do not broadcast (trailing dimensions must be equal or 1); reshape or expand one of them.',
      );
    }
    return [{ dtype: out === 'bool' ? 'bool' : a.dtype, shape }];
  };
}

function isIntDtype(v: Value): boolean {
  return v.dtype === 'int32' || v.dtype === 'int64';
}

function binary(
  type: string,
  f: (x: number, y: number) => number,
  grad?: OpDef['grad'],
  out: 'same' | 'bool' = 'same',
  allowBool = false,
  intF?: (x: number, y: number) => number,
): OpDef {
  const def: OpDef = {
    type,
    attributes: {},
    inputs: { min: 2, max: 2 },
    infer: inferBinary(type, out, allowBool),
    kernel(inputs: readonly (Value | undefined)[], _attrs: Attributes, ctx: KernelContext) {
      const [a, b] = required(inputs, 2, type);
      const dtype = out === 'bool' ? 'bool' : a.dtype;
      const fn = intF && isIntDtype(a) ? intF : f;
      return [binaryKernel(a, b, dtype, broadcastConcrete(a.shape, b.shape), fn, ctx)];
    },
  };
  return grad ? { ...def, grad } : def;
}

/** The gradient pieces of a binary op: (g, a, b, y, dy) => [da, db] before unbroadcasting. */
type BinaryGrad = (
  g: GraphBuilder,
  a: TensorRef,
  b: TensorRef,
  y: TensorRef,
  dy: TensorRef,
) => [TensorRef, TensorRef];

function binaryGrad(rule: BinaryGrad): NonNullable<OpDef['grad']> {
  return (ctx: GradContext) => {
    const [a, b] = ctx.inputs as [TensorRef, TensorRef];
    const dy = ctx.dOutputs[0];
    if (!dy) return [];
    const [da, db] = rule(ctx.g, a, b, ctx.outputs[0] as TensorRef, dy);
    return [ctx.g.unbroadcast(da, a.shape), ctx.g.unbroadcast(db, b.shape)];
  };
}

function unary(
  type: string,
  f: (x: number) => number,
  rule?: (g: GraphBuilder, x: TensorRef, y: TensorRef, dy: TensorRef) => TensorRef,
): OpDef {
  const def: OpDef = {
    type,
    attributes: {},
    inputs: { min: 1, max: 1 },
    infer(inputs) {
      const [x] = required(inputs, 1, type);
      if (x.dtype === 'bool') throw dtypeError(type, inputs, 'needs a numeric tensor.');
      return [{ dtype: x.dtype, shape: x.shape }];
    },
    kernel(inputs, _attrs, ctx) {
      const [x] = required(inputs, 1, type);
      return [unaryKernel(x, f, ctx)];
    },
  };
  if (!rule) return def;
  return {
    ...def,
    grad(ctx) {
      const dy = ctx.dOutputs[0];
      if (!dy) return [];
      return [rule(ctx.g, ctx.inputs[0] as TensorRef, ctx.outputs[0] as TensorRef, dy)];
    },
  };
}

const TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);

export const ELEMENTWISE_OPS: readonly OpDef[] = [
  binary(
    'Add',
    (x, y) => x + y,
    binaryGrad((_g, _a, _b, _y, dy) => [dy, dy]),
  ),
  binary(
    'Sub',
    (x, y) => x - y,
    binaryGrad((g, _a, _b, _y, dy) => [dy, g.neg(dy)]),
  ),
  binary(
    'Mul',
    (x, y) => x * y,
    binaryGrad((g, a, b, _y, dy) => [g.mul(dy, b), g.mul(dy, a)]),
  ),
  binary(
    'Div',
    (x, y) => x / y,
    // d(a/b)/db = -a/b^2 = -y/b.
    binaryGrad((g, _a, b, y, dy) => [g.div(dy, b), g.neg(g.div(g.mul(dy, y), b))]),
    'same',
    false,
    // Integer division truncates toward zero, as onnxruntime does.
    integerDivide,
  ),
  binary(
    'Pow',
    (x, y) => Math.pow(x, y),
    binaryGrad((g, a, b, y, dy) => [
      g.mul(dy, g.mul(b, g.pow(a, g.sub(b, 1)))),
      g.mul(dy, g.mul(y, g.log(a))),
    ]),
  ),
  unary(
    'Neg',
    (x) => -x,
    (g, _x, _y, dy) => g.neg(dy),
  ),
  unary('Sqrt', Math.sqrt, (g, _x, y, dy) => g.div(g.mul(dy, 0.5), y)),
  unary('Exp', Math.exp, (g, _x, y, dy) => g.mul(dy, y)),
  unary('Log', Math.log, (g, x, _y, dy) => g.div(dy, x)),
  unary('Tanh', Math.tanh, (g, _x, y, dy) => g.mul(dy, g.sub(1, g.mul(y, y)))),
  unary('Erf', erf, (g, x, _y, dy) =>
    g.mul(dy, g.mul(g.exp(g.neg(g.mul(x, x))), TWO_OVER_SQRT_PI)),
  ),
  unary(
    'Relu',
    (x) => (x > 0 ? x : 0),
    (g, x, _y, dy) => g.where(g.less(0, x), dy, 0),
  ),
  unary('Sigmoid', sigmoid, (g, _x, y, dy) => g.mul(dy, g.mul(y, g.sub(1, y)))),
];

/** Integer division; by zero it is undefined in ONNX (onnxruntime crashes), so refuse it. */
function integerDivide(x: number, y: number): number {
  if (y === 0) {
    throw new GraphError(
      'GRAPH_RUNTIME',
      'Integer Div by zero; guard the divisor (for example with Max(divisor, 1)).',
    );
  }
  return Math.trunc(x / y);
}

/** A sigmoid that does not overflow for large negative inputs. */
function sigmoid(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

export { binary as binaryOp };
