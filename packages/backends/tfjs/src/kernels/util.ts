import * as tf from '@tensorflow/tfjs-core';
import type { Attributes } from '@actllm/graph';
import { TfjsBackendError } from '../errors.js';
import type { RuntimeName } from '../runtime.js';
import type { KernelSpec } from './types.js';

/** Attribute access and operand helpers shared by the kernel families. */

export function attrInt(attrs: Attributes, name: string, fallback: number): number {
  const v = attrs[name];
  return typeof v === 'number' ? v : fallback;
}

export function attrInts(attrs: Attributes, name: string): number[] | undefined {
  const v = attrs[name];
  return Array.isArray(v) ? (v as number[]).slice() : undefined;
}

/** Input `i`, which the op requires. */
export function req(inputs: readonly (tf.Tensor | undefined)[], i: number, op: string): tf.Tensor {
  const t = inputs[i];
  if (!t) throw new TfjsBackendError('TFJS_RUNTIME', `${op} needs input ${i}; it was omitted.`);
  return t;
}

/**
 * An integer operand (axes, shape, sizes) as numbers: from the constant resolved when the
 * plan was compiled, else read from the tensor (a Shape result, computed at run time).
 */
export function intsAt(
  spec: KernelSpec,
  inputs: readonly (tf.Tensor | undefined)[],
  i: number,
): number[] | undefined {
  const known = spec.constants[i];
  if (known) return [...known];
  const t = inputs[i];
  return t ? Array.from(t.dataSync()) : undefined;
}

/** A (possibly negative) axis as an index into a shape of rank `rank`. */
export function normAxis(axis: number, rank: number, op: string): number {
  const a = axis < 0 ? axis + rank : axis;
  if (a < 0 || a >= Math.max(rank, 1)) {
    throw new TfjsBackendError(
      'TFJS_RUNTIME',
      `${op}: axis ${axis} is out of range for rank ${rank}.`,
    );
  }
  return a;
}

export function isFloat(t: tf.Tensor): boolean {
  return t.dtype === 'float32';
}

/**
 * `x` broadcast to `shape`. The wasm runtime's Tile (behind tf.broadcastTo) and its
 * broadcasting comparisons are plain loops about 30 times slower than its broadcasting
 * arithmetic, so there `x` is multiplied by ones (exact: x * 1 = x, -0 and NaN included)
 * or, for bool, or-ed with false.
 */
export function broadcastTo(
  x: tf.Tensor,
  shape: readonly number[],
  runtime: RuntimeName,
): tf.Tensor {
  if (x.rank === shape.length && x.shape.every((d, i) => d === shape[i])) return x;
  if (runtime !== 'wasm') return tf.broadcastTo(x, [...shape]);
  return tf.tidy(() => {
    if (x.dtype === 'bool') return tf.logicalOr(x, tf.zeros([...shape], 'bool'));
    // One value (a mask's fill, a scalar operand): read on the host (wasm memory) and fill.
    if (x.size === 1) return tf.fill([...shape], x.dataSync()[0] ?? 0, x.dtype);
    const ones = tf.ones([...shape], 'float32');
    if (x.dtype !== 'int32') return tf.mul(x, ones);
    // int32 broadcasts are slow too: split x = hi * 2^16 + lo into two small integers that
    // float32 holds exactly, broadcast those, and put them back together in int32.
    const unit = tf.scalar(65536, 'int32');
    const hi = tf.cast(tf.floor(tf.div(tf.cast(x, 'float32'), 65536)), 'int32');
    const lo = tf.sub(x, tf.mul(hi, unit));
    const wide = (t: tf.Tensor): tf.Tensor => tf.cast(tf.mul(tf.cast(t, 'float32'), ones), 'int32');
    return tf.add(tf.mul(wide(hi), unit), wide(lo));
  });
}
