import { createTensor, isActllmError, type Tensor } from '@actllm/core';
import {
  GraphBuilder,
  LR_INPUT,
  buildTrainingStep,
  createTrainer,
  initParameters,
  initTrainingState,
  runTrainingStep,
  softmaxCrossEntropy,
} from '@actllm/graph';
import {
  PARITY_TRANSFORMER,
  tensorError,
  transformerBatch,
  transformerLm,
  uniform,
} from '@actllm/graph/parity';
import type * as OrtModule from 'onnxruntime-node';
import { describe, expect, it, vi } from 'vitest';

// Counts onnxruntime session creations, to show that a trainer never rebuilds its session.
const created = vi.hoisted(() => ({ count: 0 }));
vi.mock('onnxruntime-node', async (importOriginal) => {
  const ort = await importOriginal<typeof OrtModule>();
  const create = ort.InferenceSession.create.bind(ort.InferenceSession);
  const InferenceSession = {
    create: (...args: Parameters<typeof create>) => {
      created.count++;
      return create(...args);
    },
  };
  return { ...ort, InferenceSession, default: { ...ort, InferenceSession } };
});

await import('../src/index.js');
const ONNX = { backend: 'onnx' } as const;

const lr = (v: number): Tensor => createTensor('float32', [], Float32Array.from([v]));

describe('onnx trainer', () => {
  const forward = transformerLm(PARITY_TRANSFORMER);
  const step = buildTrainingStep(forward, 'loss', undefined, { weightDecay: 0.01, clipNorm: 1 });

  it('matches the interpreter over several steps with one session, and the loss falls', async () => {
    let reference = initTrainingState(step, initParameters(forward, 11));
    const before = created.count;
    const trainer = await createTrainer(step, reference, ONNX);
    const batch = transformerBatch(PARITY_TRANSFORMER, 4, 5);
    const losses: number[] = [];
    for (let i = 0; i < 6; i++) {
      const out = await trainer.step({ ...batch, [LR_INPUT]: lr(1e-2) });
      expect(Object.keys(out).sort()).toEqual([step.gradNorm, step.loss].sort());
      const want = runTrainingStep(step, reference, batch, 1e-2);
      reference = want.state;
      expect(Math.abs(Number(out[step.loss]!.data[0]) - want.loss)).toBeLessThan(
        1e-4 * Math.max(1, want.loss),
      );
      losses.push(want.loss);
    }
    expect(created.count - before).toBe(1);
    expect(losses[5]).toBeLessThan(losses[0]!);
    const state = await trainer.state();
    expect(Object.keys(state).sort()).toEqual(Object.keys(reference).sort());
    for (const [name, want] of Object.entries(reference)) {
      expect(tensorError(state[name], want), name).toBeLessThan(1e-3);
    }
    expect(Number(state['optim.step']!.data[0])).toBe(6);
    await trainer.dispose();
  });

  it('keeps frozen parameters out of the update and returns them with the state', async () => {
    const g = new GraphBuilder('frozen');
    const x = g.input('x', 'float32', ['batch', 3]);
    const y = g.input('y', 'int64', ['batch']);
    const w = g.parameter('w', [3, 2]);
    const bias = g.parameter('bias', [2], { kind: 'ones' });
    g.output(softmaxCrossEntropy(g, g.add(g.matmul(x, w), bias), y), 'loss');
    const model = g.build();
    const weights = initParameters(model, 2);
    const s = buildTrainingStep(model, 'loss', ['w']);
    const state = { ...initTrainingState(s, weights), bias: weights.bias! };
    const trainer = await createTrainer(s, state, ONNX);
    const batch = {
      x: uniform(3, [2, 3]),
      y: createTensor('int64', [2], BigInt64Array.from([0n, 1n])),
    };
    const want = runTrainingStep(s, initTrainingState(s, weights), batch, 0.1, {
      bias: weights.bias!,
    });
    await trainer.step({ ...batch, [LR_INPUT]: lr(0.1) });
    const got = await trainer.state();
    expect(tensorError(got.w, want.state.w!)).toBeLessThan(1e-5);
    expect(got.bias).toEqual(weights.bias);
    await trainer.dispose();
  });

  it('serializes steps called without awaiting', async () => {
    const state = initTrainingState(step, initParameters(forward, 1));
    const trainer = await createTrainer(step, state, ONNX);
    const batch = { ...transformerBatch(PARITY_TRANSFORMER, 2, 1), [LR_INPUT]: lr(1e-3) };
    await Promise.all([trainer.step(batch), trainer.step(batch), trainer.step(batch)]);
    expect(Number((await trainer.state())['optim.step']!.data[0])).toBe(3);
    await trainer.dispose();
  });

  it('names what is wrong with the state, the batch, or a disposed trainer', async () => {
    const state = initTrainingState(step, initParameters(forward, 1));
    await expect(createTrainer(step, { ...state, typo: lr(1) }, ONNX)).rejects.toSatisfy((e) =>
      isActllmError(e, 'GRAPH_UNKNOWN_FEED'),
    );
    const trainer = await createTrainer(step, state, ONNX);
    await expect(trainer.step(transformerBatch(PARITY_TRANSFORMER, 2, 1))).rejects.toThrow(
      /optim\.lr/,
    );
    await trainer.dispose();
    await expect(trainer.step({})).rejects.toSatisfy((e) => isActllmError(e, 'GRAPH_DISPOSED'));
    await expect(trainer.state()).rejects.toSatisfy((e) => isActllmError(e, 'GRAPH_DISPOSED'));
  });
});
