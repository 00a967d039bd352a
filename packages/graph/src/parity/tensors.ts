import { Rng, tensorFromNumbers, type DType, type Tensor } from '@actllm/core';

/** A host tensor from plain numbers (int64 values must be integers). */
export function tensor(
  shape: readonly number[],
  values: readonly number[],
  dtype: DType = 'float32',
): Tensor {
  return tensorFromNumbers(dtype, shape, values);
}

function size(shape: readonly number[]): number {
  return shape.reduce((p, d) => p * d, 1);
}

/** Seeded uniform float32 values in [low, high). */
export function uniform(seed: number, shape: readonly number[], low = -1, high = 1): Tensor {
  const rng = new Rng(seed);
  return tensor(
    shape,
    Array.from({ length: size(shape) }, () => rng.float(low, high)),
  );
}

/** Seeded integers in [low, high). */
export function integers(
  seed: number,
  shape: readonly number[],
  low: number,
  high: number,
  dtype: 'int32' | 'int64' = 'int64',
): Tensor {
  const rng = new Rng(seed);
  return tensor(
    shape,
    Array.from({ length: size(shape) }, () => rng.int(low, high)),
    dtype,
  );
}
