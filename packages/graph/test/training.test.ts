import { Rng, createTensor, type Tensor } from '@actllm/core';
import { describe, expect, it } from 'vitest';
import {
  buildTrainingStep,
  initParameters,
  initTrainingState,
  runTrainingStep,
} from '../src/index.js';
import { transformerLm } from './fixtures/transformer.js';

const SEQ = 8;
const HALF = SEQ / 2;
const VOCAB = 10;

/** Copy task: [a b c d a b c d]; the loss covers predicting the second half. */
function copyBatch(rng: Rng, batch: number): Record<string, Tensor> {
  const ids = new BigInt64Array(batch * SEQ);
  const targets = new BigInt64Array(batch * SEQ).fill(-100n);
  for (let b = 0; b < batch; b++) {
    for (let t = 0; t < HALF; t++) {
      const tok = BigInt(rng.int(0, VOCAB));
      ids[b * SEQ + t] = tok;
      ids[b * SEQ + t + HALF] = tok;
    }
    for (let t = HALF - 1; t < SEQ - 1; t++) targets[b * SEQ + t] = ids[b * SEQ + t + 1] as bigint;
  }
  return {
    ids: createTensor('int64', [batch, SEQ], ids),
    targets: createTensor('int64', [batch, SEQ], targets),
  };
}

describe('2-layer transformer language model', () => {
  it('learns a copy task with the interpreter and the training-step graph', () => {
    const forward = transformerLm({
      vocab: VOCAB,
      dModel: 16,
      heads: 2,
      layers: 2,
      seq: SEQ,
      ff: 32,
    });
    const step = buildTrainingStep(forward, 'loss', undefined, { clipNorm: 1, weightDecay: 0.01 });
    let state = initTrainingState(step, initParameters(forward, 7));
    const rng = new Rng(11);
    const losses: number[] = [];
    for (let i = 0; i < 150; i++) {
      const r = runTrainingStep(step, state, copyBatch(rng, 8), 1e-2);
      state = r.state;
      losses.push(r.loss);
    }
    const first = losses[0] as number;
    const last = losses.slice(-10).reduce((a, b) => a + b, 0) / 10;
    // Chance level is ln(10) = 2.3; the issue asks for a fall of at least 90%.
    expect(first).toBeGreaterThan(2);
    expect(last).toBeLessThan(0.1 * first);
    expect(losses.every(Number.isFinite)).toBe(true);
  }, 60_000);
});
