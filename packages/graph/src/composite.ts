import type { TensorRef } from './ir.js';
import type { GraphBuilder } from './builder.js';
import { GraphError } from './errors.js';

/**
 * Model building blocks composed from the primitive ops, so that every backend runs them
 * without implementing anything new.
 */

/** GELU: exact `0.5 x (1 + erf(x / sqrt 2))`, or the tanh approximation. */
export function gelu(
  g: GraphBuilder,
  x: TensorRef,
  approximate: 'none' | 'tanh' = 'none',
): TensorRef {
  if (approximate === 'tanh') {
    const inner = g.mul(g.add(x, g.mul(g.pow(x, 3), 0.044715)), Math.sqrt(2 / Math.PI));
    return g.mul(g.mul(x, 0.5), g.add(g.tanh(inner), 1));
  }
  // Div by sqrt(2), not Mul by its inverse: the form onnxruntime fuses into one Gelu kernel.
  return g.mul(g.mul(x, 0.5), g.add(g.erf(g.div(x, Math.SQRT2)), 1));
}

/** RMSNorm over the last axis: `x / sqrt(mean(x^2) + eps) * scale`. */
export function rmsnorm(
  g: GraphBuilder,
  x: TensorRef,
  scale: TensorRef,
  epsilon = 1e-6,
): TensorRef {
  const ms = g.reduceMean(g.mul(x, x), [-1], true);
  return g.mul(g.div(x, g.sqrt(g.add(ms, epsilon))), scale);
}

/** A bool [seq, seq] mask, true where key position j <= query position i (Range + Less). */
export function causalMask(g: GraphBuilder, seq: number | TensorRef): TensorRef {
  const r = g.range(0, seq, 1, 'int64');
  return g.less(g.unsqueeze(r, [0]), g.unsqueeze(g.add(r, 1), [1]));
}

/** Scores where the mask is true, a large negative number elsewhere (before a softmax). */
export function applyMask(
  g: GraphBuilder,
  scores: TensorRef,
  mask: TensorRef,
  fill = -1e9,
): TensorRef {
  return g.where(mask, scores, fill);
}

/** Rows of `table` [vocab, dim] for integer `ids` [...]: [..., dim]. */
export function embedding(g: GraphBuilder, table: TensorRef, ids: TensorRef): TensorRef {
  return g.gather(table, ids, 0);
}

export interface RotaryOptions {
  /** Frequency base (10000 in RoFormer and LLaMA). */
  readonly base?: number;
  /** Positions [seq] (int64) for offset decoding; then `maxLength` bounds them. */
  readonly positions?: TensorRef;
  readonly maxLength?: number;
}

/**
 * Rotary position embedding (RoFormer), "rotate half" layout as in GPT-NeoX and LLaMA:
 * `x [..., seq, dim]` becomes `x cos + rotate_half(x) sin`, with the sequence on axis -2.
 * The cos/sin tables are constants computed at build time.
 */
export function rotary(g: GraphBuilder, x: TensorRef, options: RotaryOptions = {}): TensorRef {
  const dim = x.shape[x.shape.length - 1];
  const seq = x.shape[x.shape.length - 2];
  if (typeof dim !== 'number' || dim % 2 !== 0) {
    throw new GraphError(
      'GRAPH_SHAPE_MISMATCH',
      `rotary: the last dimension of ${x.name} must be a known even number; got ${String(dim)}.`,
    );
  }
  const length = options.positions ? options.maxLength : seq;
  if (typeof length !== 'number') {
    throw new GraphError(
      'GRAPH_SHAPE_MISMATCH',
      `rotary: ${x.name} needs a known sequence length, or positions with maxLength.`,
    );
  }
  const [cosTable, sinTable] = rotaryTables(length, dim, options.base ?? 10000);
  let cos = g.constant(cosTable, 'float32', [length, dim]);
  let sin = g.constant(sinTable, 'float32', [length, dim]);
  if (options.positions) {
    cos = g.gather(cos, options.positions, 0);
    sin = g.gather(sin, options.positions, 0);
  }
  const [x1, x2] = g.split(x, 2, -1) as [TensorRef, TensorRef];
  const rotated = g.concat([g.neg(x2), x1], -1);
  return g.add(g.mul(x, cos), g.mul(rotated, sin));
}

function rotaryTables(length: number, dim: number, base: number): [number[], number[]] {
  const half = dim / 2;
  const cos: number[] = [];
  const sin: number[] = [];
  for (let p = 0; p < length; p++) {
    for (let i = 0; i < dim; i++) {
      const angle = p * Math.pow(base, (-2 * (i % half)) / dim);
      cos.push(Math.cos(angle));
      sin.push(Math.sin(angle));
    }
  }
  return [cos, sin];
}

export interface CrossEntropyOptions {
  /** Targets equal to this are left out of the loss (default -100, as PyTorch). */
  readonly ignoreIndex?: number;
  /** Per-token weights, shaped like the targets. */
  readonly weights?: TensorRef;
}

/**
 * Per-token negative log-likelihood `-log softmax(logits)[target]`, float32 shaped like
 * `targets`, and whether each token is ignored (`targets == ignoreIndex`; its nll is 0).
 * `logits` [..., vocab], `targets` [...] int32 or int64.
 */
export function tokenNll(
  g: GraphBuilder,
  logits: TensorRef,
  targets: TensorRef,
  ignoreIndex = -100,
): { nll: TensorRef; ignored: TensorRef } {
  const vocab = logits.shape[logits.shape.length - 1];
  if (typeof vocab !== 'number') {
    throw new GraphError(
      'GRAPH_SHAPE_MISMATCH',
      `tokenNll: the vocabulary dimension of ${logits.name} must be known.`,
    );
  }
  const ids = g.cast(targets, 'int64');
  const ignored = g.equal(ids, ignoreIndex);
  const safeIds = g.where(ignored, 0, ids);
  const oneHot = g.cast(g.equal(g.unsqueeze(safeIds, [-1]), g.range(0, vocab, 1)), 'float32');
  const picked = g.neg(g.reduceSum(g.mul(g.logSoftmax(logits, -1), oneHot), [-1], false));
  return { nll: g.where(ignored, 0, picked), ignored };
}

/** `sum(values * weight) / sum(weight)`, or 0 when every weight is 0 (not 0/0). */
export function weightedMean(g: GraphBuilder, values: TensorRef, weight: TensorRef): TensorRef {
  const total = g.reduceSum(g.mul(values, weight), undefined, false);
  const count = g.reduceSum(weight, undefined, false);
  return g.div(total, g.where(g.less(count, 1e-12), 1, count));
}

/**
 * Softmax cross-entropy, a float32 scalar: `sum(w * nll) / sum(w)` over the tokens whose
 * target is not `ignoreIndex` (0 when every token is ignored). `logits` [..., vocab],
 * `targets` [...] int32 or int64.
 */
export function softmaxCrossEntropy(
  g: GraphBuilder,
  logits: TensorRef,
  targets: TensorRef,
  options: CrossEntropyOptions = {},
): TensorRef {
  const { nll, ignored } = tokenNll(g, logits, targets, options.ignoreIndex ?? -100);
  let weight = g.where(ignored, 0, g.constantOfShape(g.shapeOf(targets), 1, 'float32'));
  if (options.weights) weight = g.mul(weight, options.weights);
  return weightedMean(g, nll, weight);
}
