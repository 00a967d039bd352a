import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { createTensor, isActllmError } from '@actllm/core';
import {
  GraphBuilder,
  buildTrainingStep,
  createTrainer,
  initParameters,
  initTrainingState,
  runTrainingStep,
  softmaxCrossEntropy,
} from '@actllm/graph';
import { TfjsBackend } from '../src/index.js';

function mlpStep() {
  const g = new GraphBuilder('mlp');
  const x = g.input('x', 'float32', ['batch', 4]);
  const labels = g.input('labels', 'int64', ['batch']);
  const w1 = g.parameter('w1', [4, 16], { kind: 'normal', std: 0.5 });
  const b1 = g.parameter('b1', [16], { kind: 'zeros' });
  const w2 = g.parameter('w2', [16, 3], { kind: 'normal', std: 0.25 });
  const logits = g.matmul(g.relu(g.add(g.matmul(x, w1), b1)), w2);
  g.output(softmaxCrossEntropy(g, logits, labels), 'loss');
  const forward = g.build();
  const step = buildTrainingStep(forward, 'loss', undefined, { weightDecay: 0.01 });
  return { step, state: initTrainingState(step, initParameters(forward, 7)) };
}

const batch = {
  x: createTensor('float32', [2, 4], Float32Array.from([1, 0, 0, 1, 0, 1, 1, 0])),
  labels: createTensor('int64', [2], BigInt64Array.from([0n, 2n])),
  'optim.lr': createTensor('float32', [], Float32Array.of(0.05)),
};

describe.each(['wasm', 'cpu'])('trainer on %s', (device) => {
  it('keeps tf.memory().numTensors stable over 100 steps and learns', async () => {
    const { step, state } = mlpStep();
    const trainer = await createTrainer(step, state, { backend: new TfjsBackend(), device });
    const first = await trainer.step(batch);
    const before = tf.memory().numTensors;
    let last = first;
    for (let i = 0; i < 99; i++) last = await trainer.step(batch);
    expect(tf.memory().numTensors).toBe(before);
    expect(Number(last['loss']?.data[0])).toBeLessThan(Number(first['loss']?.data[0]) / 2);
    const s = await trainer.state();
    expect(s['optim.step']?.data).toEqual(BigInt64Array.of(100n));
    await trainer.dispose();
  });

  it('matches the reference step for step', async () => {
    const { step, state } = mlpStep();
    const trainer = await createTrainer(step, state, { backend: new TfjsBackend(), device });
    const { x, labels } = batch;
    let ref = state;
    for (let i = 0; i < 3; i++) {
      const got = await trainer.step(batch);
      const want = runTrainingStep(step, ref, { x, labels }, 0.05);
      ref = want.state;
      expect(Number(got['loss']?.data[0])).toBeCloseTo(want.loss, 4);
    }
    const s = await trainer.state();
    const w1 = s['w1']?.data as Float32Array;
    (ref['w1']?.data as Float32Array).forEach((v, i) => expect(w1[i]).toBeCloseTo(v, 4));
    await trainer.dispose();
    await expect(trainer.step(batch)).rejects.toSatisfy((e) => isActllmError(e, 'GRAPH_DISPOSED'));
  });
});
