import type { TensorRef } from './ir.js';
import type { GraphBuilder } from './builder.js';
import { GraphError } from './errors.js';

/** One parameter's slot in the optimizer: its value, gradient and two moments. */
export interface AdamWSlot {
  readonly param: TensorRef;
  readonly grad: TensorRef;
  readonly m: TensorRef;
  readonly v: TensorRef;
}

export interface AdamWOptions {
  /** Learning rate: a float32 scalar graph input, so a schedule needs no new graph. */
  readonly lr: TensorRef;
  /** Steps taken so far (int64 scalar); bias correction uses step + 1. */
  readonly step: TensorRef;
  readonly beta1?: number;
  readonly beta2?: number;
  readonly eps?: number;
  readonly weightDecay?: number;
  /**
   * Which parameters decay. Default: those of rank >= 2 (matrices and embeddings), not
   * biases or norm scales, the usual transformer convention.
   */
  readonly decayMask?: (param: TensorRef) => boolean;
  /** Rescales all gradients together when their global L2 norm exceeds this. */
  readonly clipNorm?: number;
}

export interface AdamWUpdate {
  readonly params: TensorRef[];
  readonly m: TensorRef[];
  readonly v: TensorRef[];
  readonly step: TensorRef;
  /** Global gradient norm before clipping. */
  readonly gradNorm: TensorRef;
}

/**
 * AdamW (Loshchilov and Hutter) as graph nodes, with bias correction and decoupled weight
 * decay, as torch.optim.AdamW:
 *   m' = b1 m + (1 - b1) g,  v' = b2 v + (1 - b2) g^2,
 *   p' = p - lr (m' / (1 - b1^t)) / (sqrt(v' / (1 - b2^t)) + eps) - lr wd p   (t = step + 1)
 */
export function adamw(
  g: GraphBuilder,
  slots: readonly AdamWSlot[],
  options: AdamWOptions,
): AdamWUpdate {
  checkOptions(options);
  const b1 = options.beta1 ?? 0.9;
  const b2 = options.beta2 ?? 0.999;
  const eps = options.eps ?? 1e-8;
  const wd = options.weightDecay ?? 0.01;
  const decays = options.decayMask ?? ((p: TensorRef) => p.shape.length >= 2);
  const step = g.add(options.step, 1);
  const t = g.cast(step, 'float32');
  const bc1 = g.sub(1, g.pow(g.scalar(b1), t));
  const bc2 = g.sub(1, g.pow(g.scalar(b2), t));
  const gradNorm = globalNorm(
    g,
    slots.map((s) => s.grad),
  );
  const scale =
    options.clipNorm === undefined ? undefined : clipScale(g, gradNorm, options.clipNorm);
  const params: TensorRef[] = [];
  const ms: TensorRef[] = [];
  const vs: TensorRef[] = [];
  for (const slot of slots) {
    const grad = scale ? g.mul(slot.grad, scale) : slot.grad;
    const m = g.add(g.mul(slot.m, b1), g.mul(grad, 1 - b1));
    const v = g.add(g.mul(slot.v, b2), g.mul(g.mul(grad, grad), 1 - b2));
    const update = g.div(g.div(m, bc1), g.add(g.sqrt(g.div(v, bc2)), eps));
    const full = decays(slot.param) && wd !== 0 ? g.add(update, g.mul(slot.param, wd)) : update;
    params.push(g.sub(slot.param, g.mul(full, options.lr)));
    ms.push(m);
    vs.push(v);
  }
  return { params, m: ms, v: vs, step, gradNorm };
}

/** sqrt of the sum of squares of every gradient element. */
export function globalNorm(g: GraphBuilder, grads: readonly TensorRef[]): TensorRef {
  const squares = grads.map((x) => g.reduceSum(g.mul(x, x), undefined, false));
  const total = squares.slice(1).reduce((a, b) => g.add(a, b), squares[0] ?? g.scalar(0));
  return g.sqrt(total);
}

/** min(1, clip / norm), written with Where so a zero norm never divides. */
function clipScale(g: GraphBuilder, norm: TensorRef, clip: number): TensorRef {
  const over = g.less(g.scalar(clip), norm);
  const safeNorm = g.where(over, norm, 1);
  return g.where(over, g.div(clip, safeNorm), 1);
}

function checkOptions(o: AdamWOptions): void {
  const bad = (what: string): never => {
    throw new GraphError('GRAPH_INVALID', `adamw: ${what}.`);
  };
  if (o.lr.dtype !== 'float32' || o.lr.shape.length !== 0) bad('lr must be a float32 scalar input');
  if (o.step.dtype !== 'int64' || o.step.shape.length !== 0)
    bad('step must be an int64 scalar input');
  for (const [k, v] of [
    ['beta1', o.beta1],
    ['beta2', o.beta2],
  ] as const) {
    if (v !== undefined && !(v >= 0 && v < 1)) bad(`${k} must be in [0, 1); got ${v}`);
  }
  if (o.eps !== undefined && !(o.eps > 0)) bad('eps must be positive');
  if (o.weightDecay !== undefined && !(o.weightDecay >= 0)) bad('weightDecay must be >= 0');
  if (o.clipNorm !== undefined && !(o.clipNorm > 0)) bad('clipNorm must be positive');
}
