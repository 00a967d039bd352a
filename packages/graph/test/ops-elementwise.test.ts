import { describe, expect, it } from 'vitest';
import type { GraphBuilder, TensorRef } from '../src/index.js';
import { evaluate, expectTensor, t } from './fixtures/eval.js';
import { expectGradients, randomValues, wide } from './fixtures/gradcheck.js';

const A = t([2, 3], [1, 2, 3, 4, 5, 6]);
const B = t([3], [0.5, -1, 2]);

describe('binary element-wise ops (broadcasting)', () => {
  it('Add, Sub, Mul, Div broadcast [2,3] with [3]', () => {
    const [add, sub, mul, div] = evaluate({ a: A, b: B }, (g, { a, b }) => [
      g.add(a!, b!),
      g.sub(a!, b!),
      g.mul(a!, b!),
      g.div(a!, b!),
    ]);
    expectTensor(add, [2, 3], [1.5, 1, 5, 4.5, 4, 8]);
    expectTensor(sub, [2, 3], [0.5, 3, 1, 3.5, 6, 4]);
    expectTensor(mul, [2, 3], [0.5, -2, 6, 2, -5, 12]);
    expectTensor(div, [2, 3], [2, -2, 1.5, 8, -5, 3]);
  });

  it('Div truncates integers toward zero, as onnxruntime', () => {
    const [q] = evaluate(
      { a: t([4], [7, -7, 7, -7], 'int64'), b: t([4], [2, 2, -2, -2], 'int64') },
      (g, { a, b }) => g.div(a!, b!),
    );
    expectTensor(q, [4], [3, -3, -3, 3]);
  });

  it('Pow with a broadcast exponent', () => {
    const [y] = evaluate({ a: t([3], [2, 3, 4]), b: t([1], [2]) }, (g, { a, b }) => g.pow(a!, b!));
    expectTensor(y, [3], [4, 9, 16]);
  });

  it('broadcasts [2,1] with [1,3] to [2,3]', () => {
    const [y] = evaluate({ a: t([2, 1], [1, 2]), b: t([1, 3], [10, 20, 30]) }, (g, { a, b }) =>
      g.add(a!, b!),
    );
    expectTensor(y, [2, 3], [11, 21, 31, 12, 22, 32]);
  });

  it('a number operand becomes a scalar of the other dtype', () => {
    const [y] = evaluate({ a: t([2], [1, 2]) }, (g, { a }) => g.sub(10, a!));
    expectTensor(y, [2], [9, 8]);
  });

  it.each([
    ['Add', (g: GraphBuilder, a: TensorRef, b: TensorRef) => g.add(a, b)],
    ['Sub', (g: GraphBuilder, a: TensorRef, b: TensorRef) => g.sub(a, b)],
    ['Mul', (g: GraphBuilder, a: TensorRef, b: TensorRef) => g.mul(a, b)],
    ['Div', (g: GraphBuilder, a: TensorRef, b: TensorRef) => g.div(a, b)],
  ] as const)('%s gradients match finite differences (with unbroadcasting)', (_name, f) => {
    expectGradients({
      build: (g) => f(g, g.input('a', 'float32', [2, 3]), g.input('b', 'float32', [3])),
      feeds: { a: wide([2, 3], randomValues(1, 6)), b: wide([3], randomValues(2, 3, 0.5, 2)) },
    });
  });

  it('Pow gradients (base and exponent) match finite differences', () => {
    expectGradients({
      build: (g) => g.pow(g.input('a', 'float32', [2, 2]), g.input('b', 'float32', [1, 2])),
      feeds: {
        a: wide([2, 2], randomValues(3, 4, 0.5, 2)),
        b: wide([1, 2], randomValues(4, 2, -2, 2)),
      },
    });
  });
});

describe('unary element-wise ops', () => {
  const X = t([5], [-2, -0.5, 0, 0.5, 2]);
  it.each([
    ['Neg', (g: GraphBuilder, x: TensorRef) => g.neg(x), [2, 0.5, -0, -0.5, -2]],
    [
      'Exp',
      (g: GraphBuilder, x: TensorRef) => g.exp(x),
      [Math.exp(-2), Math.exp(-0.5), 1, Math.exp(0.5), Math.exp(2)],
    ],
    [
      'Tanh',
      (g: GraphBuilder, x: TensorRef) => g.tanh(x),
      [-0.9640275800758169, -0.46211715726000974, 0, 0.46211715726000974, 0.9640275800758169],
    ],
    [
      'Erf',
      (g: GraphBuilder, x: TensorRef) => g.erf(x),
      [-0.9953222650189527, -0.5204998778130465, 0, 0.5204998778130465, 0.9953222650189527],
    ],
    ['Relu', (g: GraphBuilder, x: TensorRef) => g.relu(x), [0, 0, 0, 0.5, 2]],
    [
      'Sigmoid',
      (g: GraphBuilder, x: TensorRef) => g.sigmoid(x),
      [0.11920292202211755, 0.3775406687981454, 0.5, 0.6224593312018546, 0.8807970779778823],
    ],
    ['Identity', (g: GraphBuilder, x: TensorRef) => g.identity(x), [-2, -0.5, 0, 0.5, 2]],
  ] as const)('%s', (_name, f, expected) => {
    const [y] = evaluate({ x: X }, (g, { x }) => f(g, x!));
    expectTensor(y, [5], expected, 6);
  });

  it('Sqrt and Log', () => {
    const [s, l] = evaluate({ x: t([3], [1, 4, 9]) }, (g, { x }) => [g.sqrt(x!), g.log(x!)]);
    expectTensor(s, [3], [1, 2, 3]);
    expectTensor(l, [3], [0, Math.log(4), Math.log(9)]);
  });

  it('Erf is accurate in the tails (continued fraction above 3)', () => {
    const [y] = evaluate({ x: t([3], [3, 4, -5]) }, (g, { x }) => g.erf(x!));
    expectTensor(y, [3], [0.9999779095030014, 0.9999999845827421, -0.9999999999984626], 7);
  });

  it.each([
    ['Neg', (g: GraphBuilder, x: TensorRef) => g.neg(x), -2, 2],
    ['Sqrt', (g: GraphBuilder, x: TensorRef) => g.sqrt(x), 0.5, 3],
    ['Exp', (g: GraphBuilder, x: TensorRef) => g.exp(x), -2, 2],
    ['Log', (g: GraphBuilder, x: TensorRef) => g.log(x), 0.5, 3],
    ['Tanh', (g: GraphBuilder, x: TensorRef) => g.tanh(x), -2, 2],
    ['Erf', (g: GraphBuilder, x: TensorRef) => g.erf(x), -3.5, 3.5],
    ['Relu', (g: GraphBuilder, x: TensorRef) => g.relu(x), -2, 2],
    ['Sigmoid', (g: GraphBuilder, x: TensorRef) => g.sigmoid(x), -4, 4],
    ['Identity', (g: GraphBuilder, x: TensorRef) => g.identity(x), -2, 2],
  ] as const)('%s gradient matches finite differences', (_name, f, lo, hi) => {
    expectGradients({
      build: (g) => f(g, g.input('x', 'float32', [2, 4])),
      // Away from 0 so Relu's kink is never straddled.
      feeds: { x: wide([2, 4], randomValues(5, 8, lo, hi, 0.05)) },
    });
  });

  it('rejects bool operands with a typed error', () => {
    expect(() => evaluate({ x: t([2], [1, 0], 'bool') }, (g, { x }) => g.exp(x!))).toThrow(
      /Exp\(x: bool\[2\]\)/,
    );
  });
});
