import type { TensorMap } from '@actllm/core';
import type { GraphBackend } from './ir.js';
import { run } from './interpreter.js';

/**
 * The reference interpreter behind the backend contract: slow and exact, for tests, for
 * checking another backend, and wherever no runtime is installed. Not registered: pass it
 * as `{ backend: referenceBackend }`, or register it yourself (a negative priority keeps it
 * out of the default choice).
 */
export const referenceBackend: GraphBackend = {
  capabilities: { infer: true, train: true, devices: ['cpu'] },
  init: () => Promise.resolve(),
  createSession: (graph, weights) =>
    Promise.resolve({
      inputNames: graph.inputs.map((i) => i.name),
      outputNames: graph.outputs.map((o) => o.name),
      run: (feeds: TensorMap, outputs?: readonly string[]) =>
        Promise.resolve(run(graph, { ...feeds, ...weights }, outputs ? { outputs } : {})),
      dispose: () => undefined,
    }),
  createTrainer: (step, initial) => {
    let state: TensorMap = { ...initial };
    return Promise.resolve({
      step: (batch: TensorMap) => {
        const out = run(step.graph, { ...state, ...batch });
        const next = { ...state };
        for (const [input, output] of Object.entries(step.updates)) next[input] = out[output]!;
        state = next;
        return Promise.resolve(Object.fromEntries(step.reported.map((n) => [n, out[n]!])));
      },
      state: () => Promise.resolve(state),
      dispose: () => undefined,
    });
  },
};
