import { ELEMENTWISE_KERNELS } from './elementwise.js';
import { GENERATE_KERNELS } from './generate.js';
import { LOGIC_KERNELS } from './logic.js';
import { MATMUL_KERNELS } from './matmul.js';
import { NN_KERNELS } from './nn.js';
import { REDUCE_KERNELS } from './reduce.js';
import { SHAPE_KERNELS } from './shape.js';
import { SLICE_KERNELS } from './slice.js';
import type { KernelDef } from './types.js';

/** The kernel table: one tfjs implementation per IR op, by family (as graph's src/ops/). */
export const KERNELS: Readonly<Record<string, KernelDef>> = {
  ...ELEMENTWISE_KERNELS,
  ...LOGIC_KERNELS,
  ...GENERATE_KERNELS,
  ...REDUCE_KERNELS,
  ...SHAPE_KERNELS,
  ...SLICE_KERNELS,
  ...MATMUL_KERNELS,
  ...NN_KERNELS,
};

export type { Kernel, KernelDef, KernelSpec } from './types.js';
export { fusedProduct } from './matmul.js';
export type { ProductForm } from './matmul.js';

/** The IR ops this backend has a tfjs kernel for, sorted (every op of `@actllm/graph`). */
export function kernelOps(): string[] {
  return Object.keys(KERNELS).sort();
}
