import type { Tensor } from '@actllm/core';
import type { GraphBuilder } from '../builder.js';
import type { TensorRef } from '../ir.js';
import { integers, tensor, uniform } from './tensors.js';

/**
 * Hand-picked inputs for every built-in op: broadcasting, negative axes, and the int64,
 * int32 and bool paths. Inputs stay clear of points where an op is not smooth (Relu at 0,
 * ties in ReduceMax, Pow of a negative base), so gradient cases compare cleanly.
 */
export interface OpSpec {
  readonly name: string;
  readonly op: string;
  readonly feeds: Readonly<Record<string, Tensor>>;
  readonly build: (
    g: GraphBuilder,
    x: Readonly<Record<string, TensorRef>>,
  ) => TensorRef | TensorRef[];
  /** Leave out of the gradient cases (integer paths, steps other than 1, ...). */
  readonly noGrad?: boolean;
}

type Refs = Readonly<Record<string, TensorRef>>;
const a = (x: Refs): TensorRef => x.a as TensorRef;
const b = (x: Refs): TensorRef => x.b as TensorRef;
const c = (x: Refs): TensorRef => x.c as TensorRef;

const A23 = uniform(1, [2, 3]);
const A234 = uniform(2, [2, 3, 4]);
const POS23 = uniform(3, [2, 3], 0.5, 2);
const I64 = tensor([2, 3], [-7, -2, 0, 3, 7, 9], 'int64');
const I32 = tensor([2, 3], [-7, -2, 0, 3, 7, 9], 'int32');

const ELEMENTWISE: OpSpec[] = [
  {
    name: 'Add broadcast [2,3]+[3]',
    op: 'Add',
    feeds: { a: A23, b: uniform(4, [3]) },
    build: (g, x) => g.add(a(x), b(x)),
  },
  {
    name: 'Add int64 [2,1]+[1,3]',
    op: 'Add',
    feeds: { a: tensor([2, 1], [5, -4], 'int64'), b: tensor([1, 3], [1, 2, -3], 'int64') },
    build: (g, x) => g.add(a(x), b(x)),
  },
  { name: 'Add int32', op: 'Add', feeds: { a: I32, b: I32 }, build: (g, x) => g.add(a(x), b(x)) },
  {
    name: 'Sub broadcast [2,3,4]-[3,1]',
    op: 'Sub',
    feeds: { a: A234, b: uniform(5, [3, 1]) },
    build: (g, x) => g.sub(a(x), b(x)),
  },
  { name: 'Sub int64 scalar', op: 'Sub', feeds: { a: I64 }, build: (g, x) => g.sub(a(x), 3) },
  {
    name: 'Mul broadcast [2,1,4]*[3,1]',
    op: 'Mul',
    feeds: { a: uniform(6, [2, 1, 4]), b: uniform(7, [3, 1]) },
    build: (g, x) => g.mul(a(x), b(x)),
  },
  {
    name: 'Mul int32',
    op: 'Mul',
    feeds: { a: I32, b: tensor([3], [2, -1, 3], 'int32') },
    build: (g, x) => g.mul(a(x), b(x)),
  },
  {
    name: 'Div broadcast',
    op: 'Div',
    feeds: { a: A23, b: uniform(8, [2, 1], 0.5, 2) },
    build: (g, x) => g.div(a(x), b(x)),
  },
  {
    name: 'Div int64 truncates toward zero',
    op: 'Div',
    feeds: { a: I64, b: tensor([3], [2, -3, 4], 'int64') },
    build: (g, x) => g.div(a(x), b(x)),
  },
  {
    name: 'Div int32 truncates toward zero',
    op: 'Div',
    feeds: { a: I32, b: tensor([3], [-2, 3, 5], 'int32') },
    build: (g, x) => g.div(a(x), b(x)),
  },
  {
    name: 'Pow tensor exponent',
    op: 'Pow',
    feeds: { a: POS23, b: uniform(9, [3], -2, 2) },
    build: (g, x) => g.pow(a(x), b(x)),
  },
  { name: 'Pow square', op: 'Pow', feeds: { a: A23 }, build: (g, x) => g.pow(a(x), 2) },
  { name: 'Neg', op: 'Neg', feeds: { a: A23 }, build: (g, x) => g.neg(a(x)) },
  { name: 'Neg int64', op: 'Neg', feeds: { a: I64 }, build: (g, x) => g.neg(a(x)) },
  { name: 'Sqrt', op: 'Sqrt', feeds: { a: POS23 }, build: (g, x) => g.sqrt(a(x)) },
  { name: 'Exp', op: 'Exp', feeds: { a: A234 }, build: (g, x) => g.exp(a(x)) },
  { name: 'Log', op: 'Log', feeds: { a: POS23 }, build: (g, x) => g.log(a(x)) },
  { name: 'Tanh', op: 'Tanh', feeds: { a: A234 }, build: (g, x) => g.tanh(a(x)) },
  {
    name: 'Erf',
    op: 'Erf',
    feeds: { a: uniform(10, [2, 3, 4], -2, 2) },
    build: (g, x) => g.erf(a(x)),
  },
  {
    name: 'Relu',
    op: 'Relu',
    feeds: { a: tensor([2, 3], [-1.5, 0.25, 2, -0.5, 3, -2]) },
    build: (g, x) => g.relu(a(x)),
  },
  {
    name: 'Sigmoid',
    op: 'Sigmoid',
    feeds: { a: uniform(11, [2, 3, 4], -4, 4) },
    build: (g, x) => g.sigmoid(a(x)),
  },
  { name: 'Identity', op: 'Identity', feeds: { a: A23 }, build: (g, x) => g.identity(a(x)) },
  { name: 'Identity int64', op: 'Identity', feeds: { a: I64 }, build: (g, x) => g.identity(a(x)) },
];

const LOGIC: OpSpec[] = [
  {
    name: 'Equal float broadcast',
    op: 'Equal',
    feeds: { a: tensor([2, 3], [1, 2, 3, 4, 5, 6]), b: tensor([3], [1, 5, 6]) },
    build: (g, x) => g.equal(a(x), b(x)),
  },
  {
    name: 'Equal int64 broadcast',
    op: 'Equal',
    feeds: { a: I64, b: tensor([2, 1], [0, 7], 'int64') },
    build: (g, x) => g.equal(a(x), b(x)),
  },
  {
    name: 'Equal bool',
    op: 'Equal',
    feeds: { a: tensor([4], [0, 1, 0, 1], 'bool'), b: tensor([4], [0, 0, 1, 1], 'bool') },
    build: (g, x) => g.equal(a(x), b(x)),
  },
  {
    name: 'Less float broadcast',
    op: 'Less',
    feeds: { a: A23, b: tensor([3], [0, -0.5, 0.5]) },
    build: (g, x) => g.less(a(x), b(x)),
  },
  {
    name: 'Less int32',
    op: 'Less',
    feeds: { a: I32, b: tensor([1], [0], 'int32') },
    build: (g, x) => g.less(a(x), b(x)),
  },
  {
    name: 'Where broadcast',
    op: 'Where',
    feeds: { c: tensor([3], [1, 0, 1], 'bool'), a: A23, b: uniform(12, [2, 1]) },
    build: (g, x) => g.where(c(x), a(x), b(x)),
  },
  {
    name: 'Where int64',
    op: 'Where',
    feeds: { c: tensor([2, 1], [0, 1], 'bool'), a: I64 },
    build: (g, x) => g.where(c(x), a(x), -1),
  },
  {
    name: 'Cast float to int64 truncates',
    op: 'Cast',
    feeds: { a: tensor([2, 3], [-2.7, -0.5, 0.2, 1.5, 2.9, 7]) },
    build: (g, x) => g.cast(a(x), 'int64'),
  },
  {
    name: 'Cast int64 to float',
    op: 'Cast',
    feeds: { a: I64 },
    build: (g, x) => g.cast(a(x), 'float32'),
  },
  {
    name: 'Cast bool to float',
    op: 'Cast',
    feeds: { a: tensor([3], [1, 0, 1], 'bool') },
    build: (g, x) => g.cast(a(x), 'float32'),
  },
  {
    name: 'Cast float to bool',
    op: 'Cast',
    feeds: { a: tensor([4], [0, 0.5, -2, 0]) },
    build: (g, x) => g.cast(a(x), 'bool'),
  },
  {
    name: 'Cast int32 to int64',
    op: 'Cast',
    feeds: { a: I32 },
    build: (g, x) => g.cast(a(x), 'int64'),
  },
  {
    name: 'Cast float to float (gradient path)',
    op: 'Cast',
    feeds: { a: A23 },
    build: (g, x) => g.cast(a(x), 'float32'),
  },
];

const GENERATORS: OpSpec[] = [
  {
    name: 'Constant float and int64',
    op: 'Constant',
    feeds: { a: A23 },
    build: (g, x) => [
      g.add(a(x), g.constant([1, -2, 3], 'float32', [3])),
      g.constant([4, -5], 'int64', [2]),
    ],
  },
  { name: 'Range int64', op: 'Range', feeds: {}, build: (g) => g.range(2, 11, 3, 'int64') },
  {
    name: 'Range int32 negative delta',
    op: 'Range',
    feeds: {},
    build: (g) => g.range(5, -3, -2, 'int32'),
  },
  { name: 'Range float', op: 'Range', feeds: {}, build: (g) => g.range(0, 1, 0.25, 'float32') },
  {
    name: 'ConstantOfShape from Shape',
    op: 'ConstantOfShape',
    feeds: { a: A234 },
    build: (g, x) => g.constantOfShape(g.shape(a(x)), 2.5, 'float32'),
  },
  {
    name: 'ConstantOfShape int64',
    op: 'ConstantOfShape',
    feeds: {},
    build: (g) => g.constantOfShape([2, 2], 7, 'int64'),
  },
];

const REDUCTIONS: OpSpec[] = [
  {
    name: 'ReduceSum axis 1 keepdims',
    op: 'ReduceSum',
    feeds: { a: A234 },
    build: (g, x) => g.reduceSum(a(x), [1], true),
  },
  {
    name: 'ReduceSum negative axis',
    op: 'ReduceSum',
    feeds: { a: A234 },
    build: (g, x) => g.reduceSum(a(x), [-1], false),
  },
  {
    name: 'ReduceSum all',
    op: 'ReduceSum',
    feeds: { a: A234 },
    build: (g, x) => g.reduceSum(a(x), undefined, false),
  },
  {
    name: 'ReduceSum int64',
    op: 'ReduceSum',
    feeds: { a: I64 },
    build: (g, x) => g.reduceSum(a(x), [0], false),
  },
  {
    name: 'ReduceMean negative axis',
    op: 'ReduceMean',
    feeds: { a: A234 },
    build: (g, x) => g.reduceMean(a(x), [-2], true),
  },
  {
    name: 'ReduceMean all',
    op: 'ReduceMean',
    feeds: { a: A23 },
    build: (g, x) => g.reduceMean(a(x), undefined, false),
  },
  {
    name: 'ReduceMax axes [0,2]',
    op: 'ReduceMax',
    feeds: { a: A234 },
    build: (g, x) => g.reduceMax(a(x), [0, 2], false),
  },
  {
    name: 'ReduceMax int64',
    op: 'ReduceMax',
    feeds: { a: I64 },
    build: (g, x) => g.reduceMax(a(x), [-1], true),
  },
];

const SHAPES: OpSpec[] = [
  {
    name: 'Reshape with 0 and -1',
    op: 'Reshape',
    feeds: { a: A234 },
    build: (g, x) => g.reshape(a(x), [0, -1]),
  },
  {
    name: 'Reshape int64',
    op: 'Reshape',
    feeds: { a: I64 },
    build: (g, x) => g.reshape(a(x), [3, 2]),
  },
  {
    name: 'Transpose perm',
    op: 'Transpose',
    feeds: { a: A234 },
    build: (g, x) => g.transpose(a(x), [2, 0, 1]),
  },
  {
    name: 'Transpose default reverses',
    op: 'Transpose',
    feeds: { a: A234 },
    build: (g, x) => g.transpose(a(x)),
  },
  {
    name: 'Unsqueeze negative axes',
    op: 'Unsqueeze',
    feeds: { a: A23 },
    build: (g, x) => g.unsqueeze(a(x), [0, -1]),
  },
  {
    name: 'Squeeze negative axis',
    op: 'Squeeze',
    feeds: { a: uniform(13, [2, 1, 3]) },
    build: (g, x) => g.squeeze(a(x), [-2]),
  },
  {
    name: 'Squeeze all ones',
    op: 'Squeeze',
    feeds: { a: uniform(14, [1, 3, 1]) },
    build: (g, x) => g.squeeze(a(x)),
  },
  {
    name: 'Expand [3,1] to [2,3,4]',
    op: 'Expand',
    feeds: { a: uniform(15, [3, 1]) },
    build: (g, x) => g.expand(a(x), [2, 3, 4]),
  },
  {
    name: 'Expand bool',
    op: 'Expand',
    feeds: { a: tensor([1, 3], [1, 0, 1], 'bool') },
    build: (g, x) => g.expand(a(x), [2, 3]),
  },
  { name: 'Shape', op: 'Shape', feeds: { a: A234 }, build: (g, x) => g.shape(a(x)) },
  {
    name: 'Concat negative axis',
    op: 'Concat',
    feeds: { a: A23, b: uniform(16, [2, 1]), c: uniform(17, [2, 2]) },
    build: (g, x) => g.concat([a(x), b(x), c(x)], -1),
  },
  {
    name: 'Concat int64 axis 0',
    op: 'Concat',
    feeds: { a: I64, b: tensor([1, 3], [1, 2, 3], 'int64') },
    build: (g, x) => g.concat([a(x), b(x)], 0),
  },
  {
    name: 'Split equal negative axis',
    op: 'Split',
    feeds: { a: A234 },
    build: (g, x) => g.split(a(x), 2, -1),
  },
  {
    name: 'Split sizes',
    op: 'Split',
    feeds: { a: A234 },
    build: (g, x) => g.split(a(x), [1, 3], 2),
  },
  {
    name: 'Slice negative starts and ends',
    op: 'Slice',
    feeds: { a: A234 },
    build: (g, x) => g.slice(a(x), [-2, 1], [100, -1], [-1, 1]),
  },
  {
    name: 'Slice with steps',
    op: 'Slice',
    feeds: { a: A234 },
    build: (g, x) => g.slice(a(x), [3, 0], [-100, 3], [2, 1], [-2, 2]),
    noGrad: true,
  },
  {
    name: 'Slice int64',
    op: 'Slice',
    feeds: { a: I64 },
    build: (g, x) => g.slice(a(x), [1], [3], [1]),
  },
  {
    name: 'Pad constant value',
    op: 'Pad',
    feeds: { a: A23 },
    build: (g, x) => g.pad(a(x), [1, 0, 0, 2], 0.5),
  },
  {
    name: 'Pad int64 zeros',
    op: 'Pad',
    feeds: { a: I64 },
    build: (g, x) => g.pad(a(x), [0, 1, 1, 0]),
  },
  {
    name: 'Gather axis 0 int64 indices',
    op: 'Gather',
    feeds: { a: uniform(18, [5, 3]), b: tensor([2, 2], [4, 0, 1, 4], 'int64') },
    build: (g, x) => g.gather(a(x), b(x), 0),
  },
  {
    name: 'Gather negative axis int32 indices',
    op: 'Gather',
    feeds: { a: A234, b: tensor([2], [3, 1], 'int32') },
    build: (g, x) => g.gather(a(x), b(x), -1),
  },
  {
    name: 'Gather int64 data',
    op: 'Gather',
    feeds: { a: I64, b: tensor([1], [1], 'int64') },
    build: (g, x) => g.gather(a(x), b(x), 0),
  },
];

const MATRIX: OpSpec[] = [
  {
    name: 'MatMul 2-D',
    op: 'MatMul',
    feeds: { a: uniform(19, [3, 4]), b: uniform(20, [4, 5]) },
    build: (g, x) => g.matmul(a(x), b(x)),
  },
  {
    name: 'MatMul batch broadcast',
    op: 'MatMul',
    feeds: { a: uniform(21, [2, 1, 3, 4]), b: uniform(22, [3, 4, 5]) },
    build: (g, x) => g.matmul(a(x), b(x)),
  },
  {
    // An empty inner dimension sums nothing: zeros (a decode step without visual tokens).
    name: 'MatMul with an empty inner dimension',
    op: 'MatMul',
    feeds: { a: uniform(40, [1, 3, 0]), b: uniform(41, [1, 0, 4]) },
    build: (g, x) => g.matmul(a(x), b(x)),
  },
  {
    name: 'MatMul vector by matrix',
    op: 'MatMul',
    feeds: { a: uniform(23, [4]), b: uniform(24, [4, 5]) },
    build: (g, x) => g.matmul(a(x), b(x)),
  },
  {
    name: 'Gemm transposed with bias',
    op: 'Gemm',
    feeds: { a: uniform(25, [4, 3]), b: uniform(26, [5, 4]), c: uniform(27, [5]) },
    build: (g, x) => g.gemm(a(x), b(x), c(x), { alpha: 0.5, beta: 2, transA: true, transB: true }),
  },
  {
    name: 'Gemm without bias',
    op: 'Gemm',
    feeds: { a: uniform(28, [3, 4]), b: uniform(29, [4, 2]) },
    build: (g, x) => g.gemm(a(x), b(x)),
  },
];

const NEURAL: OpSpec[] = [
  {
    name: 'Softmax last axis',
    op: 'Softmax',
    feeds: { a: uniform(30, [2, 3, 4], -3, 3) },
    build: (g, x) => g.softmax(a(x), -1),
  },
  {
    name: 'Softmax axis 1',
    op: 'Softmax',
    feeds: { a: uniform(31, [2, 3, 4], -3, 3) },
    build: (g, x) => g.softmax(a(x), 1),
  },
  {
    name: 'LogSoftmax axis 0',
    op: 'LogSoftmax',
    feeds: { a: uniform(32, [3, 4], -3, 3) },
    build: (g, x) => g.logSoftmax(a(x), 0),
  },
  {
    name: 'LayerNormalization last axis',
    op: 'LayerNormalization',
    feeds: { a: uniform(33, [2, 3, 4], -2, 2), b: uniform(34, [4], 0.5, 1.5), c: uniform(35, [4]) },
    build: (g, x) => g.layerNorm(a(x), b(x), c(x)),
  },
  {
    name: 'LayerNormalization axis 1 without bias',
    op: 'LayerNormalization',
    feeds: { a: uniform(36, [2, 3, 4], -2, 2), b: uniform(37, [3, 4], 0.5, 1.5) },
    build: (g, x) => g.layerNorm(a(x), b(x), undefined, { axis: 1, epsilon: 1e-3 }),
  },
];

/** Gather with seeded random ids, as an embedding lookup does. */
const LOOKUP: OpSpec[] = [
  {
    name: 'Gather rows by random ids',
    op: 'Gather',
    feeds: { a: uniform(38, [7, 2]), b: integers(39, [3, 4], 0, 7) },
    build: (g, x) => g.gather(a(x), b(x), 0),
  },
];

export const OP_SPECS: readonly OpSpec[] = [
  ...ELEMENTWISE,
  ...LOGIC,
  ...GENERATORS,
  ...REDUCTIONS,
  ...SHAPES,
  ...MATRIX,
  ...NEURAL,
  ...LOOKUP,
];
