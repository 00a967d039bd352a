import type { Initializer, TensorRef } from '../ir.js';
import type { GraphBuilder } from '../builder.js';
import { GraphError } from '../errors.js';
import { rmsnorm } from '../composite.js';

/**
 * Parameterised layers: each call adds its parameters under `name` (`name.w`, `name.b`,
 * `name.g`), so a model's weights are named by where they sit and load by name. Calling a
 * layer again under the same name shares its weights (one encoder over several views).
 */

/** The parameter `name`, created on first use and shared after (same shape required). */
export function sharedParameter(
  g: GraphBuilder,
  name: string,
  shape: readonly number[],
  initializer: Initializer,
): TensorRef {
  if (!g.has(name)) return g.parameter(name, shape, initializer);
  const existing = g.parameters.find((p) => p.name === name);
  if (!existing || existing.shape.join() !== shape.join()) {
    throw new GraphError(
      'GRAPH_INVALID',
      `${name} already names ${existing ? `a parameter of shape [${existing.shape.join(', ')}]` : 'another tensor'}; a shared layer needs shape [${shape.join(', ')}]. Pick another layer name.`,
    );
  }
  return g.ref(name);
}

export interface LinearOptions {
  /** Add a bias `name.b` (default true). */
  readonly bias?: boolean;
  /** Standard deviation of the initial weights (default 1 / sqrt(din)). */
  readonly std?: number;
}

/** `x W + b` on the last axis: `name.w` [din, dout], `name.b` [dout]. */
export function linear(
  g: GraphBuilder,
  x: TensorRef,
  name: string,
  din: number,
  dout: number,
  options: LinearOptions = {},
): TensorRef {
  const std = options.std ?? 1 / Math.sqrt(din);
  const w = sharedParameter(g, `${name}.w`, [din, dout], { kind: 'normal', std });
  const y = g.matmul(x, w);
  if (options.bias === false) return y;
  return g.add(y, sharedParameter(g, `${name}.b`, [dout], { kind: 'zeros' }));
}

/** Layer normalisation over the last axis, with a learned scale `name.g` and bias `name.b`. */
export function layerNormLayer(g: GraphBuilder, x: TensorRef, name: string, d: number): TensorRef {
  const scale = sharedParameter(g, `${name}.g`, [d], { kind: 'ones' });
  const bias = sharedParameter(g, `${name}.b`, [d], { kind: 'zeros' });
  return g.layerNorm(x, scale, bias);
}

/** RMS normalisation over the last axis, with a learned scale `name.g`. */
export function rmsNormLayer(g: GraphBuilder, x: TensorRef, name: string, d: number): TensorRef {
  return rmsnorm(g, x, sharedParameter(g, `${name}.g`, [d], { kind: 'ones' }));
}

/** Which normalisation a block uses. */
export type NormKind = 'layer' | 'rms';

export function norm(
  g: GraphBuilder,
  kind: NormKind,
  x: TensorRef,
  name: string,
  d: number,
): TensorRef {
  return kind === 'rms' ? rmsNormLayer(g, x, name, d) : layerNormLayer(g, x, name, d);
}

/** A learned table `name` [rows, d] and the rows for integer `ids`: [..., d]. */
export function embeddingLayer(
  g: GraphBuilder,
  ids: TensorRef,
  name: string,
  rows: number,
  d: number,
  std = 0.02,
): TensorRef {
  const table = sharedParameter(g, name, [rows, d], { kind: 'normal', std });
  return g.gather(table, ids, 0);
}
