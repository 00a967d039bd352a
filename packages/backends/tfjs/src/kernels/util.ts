import type * as tf from '@tensorflow/tfjs';
import type { Attributes } from '@actllm/graph';
import { TfjsBackendError } from '../errors.js';
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
