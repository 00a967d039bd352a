/**
 * @actllm/graph/parity: the parity kit every backend runs against the reference
 * interpreter. Each built-in op on hand-picked inputs, the
 * gradient of each differentiable op, a transformer forward pass and its gradients, a
 * training-step graph, and two steps through `createTrainer`.
 *
 * ```ts
 * import { parityCases, runParityCase } from '@actllm/graph/parity';
 * it.each(parityCases())('$name', async (c) => {
 *   const r = await runParityCase(backend, c);
 *   expect(r.status, r.message).not.toBe('fail');
 * });
 * ```
 */
export type {
  ParityCase,
  ParityKind,
  ParityResult,
  ParityStatus,
  ParityTrainerStep,
} from './types.js';
export { PARITY_TOLERANCE, PARITY_TRANSFORMER, parityCases, transformerBatch } from './cases.js';
export { runParityCase, runParitySuite, tensorError } from './runner.js';
export { feedCheckCases, runFeedCheck } from './feed-checks.js';
export type { FeedCheckCase, FeedCheckResult } from './feed-checks.js';
export type { ParityOptions, ParitySuiteOptions } from './runner.js';
export { transformerLm } from './model.js';
export type { TransformerConfig } from './model.js';
export { integers, tensor, uniform } from './tensors.js';
