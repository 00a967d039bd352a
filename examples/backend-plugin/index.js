// A third-party ACTLLM backend in one build-free file: @actllm/graph's reference interpreter
// behind @actllm/core's Backend contract. Importing this module registers it (see
// packages/backends/README.md for the guide this follows).
import { registerBackend } from '@actllm/core';
import { run } from '@actllm/graph';

export const NAME = 'reference-example';

/**
 * Negative priority: the interpreter is slow, so it is used only when named explicitly,
 * `resolveBackend({ names: ['reference-example'] })`, never picked over a real runtime.
 */
export const PRIORITY = -1;

/** @param {import('@actllm/graph').Graph} graph */
function outputNames(graph) {
  return graph.outputs.map((o) => o.name);
}

/**
 * Inference: graph's `createSession` has checked the weights, and checks every run's feeds
 * and output names before calling `run`, so a backend only computes.
 * @param {import('@actllm/graph').Graph} graph
 * @param {import('@actllm/core').TensorMap} weights
 * @returns {Promise<import('@actllm/core').InferenceSession>}
 */
async function createSession(graph, weights) {
  const names = outputNames(graph);
  return {
    inputNames: graph.inputs.map((i) => i.name),
    outputNames: names,
    async run(feeds, outputs) {
      return run(graph, { ...feeds, ...weights }, outputs ? { outputs } : {});
    },
    dispose() {},
  };
}

/**
 * Training: graph's `createTrainer` hands over the training step with its wiring
 * (`step.updates`: each state input and the output that replaces it; `step.reported`: what
 * a step returns) and the checked initial state; the batch carries the data and `optim.lr`.
 * @param {import('@actllm/graph').TrainingStep} step
 * @param {import('@actllm/core').TensorMap} initial
 * @returns {Promise<import('@actllm/core').Trainer>}
 */
async function createTrainer(step, initial) {
  let state = { ...initial };
  return {
    async step(batch) {
      const out = run(step.graph, { ...state, ...batch });
      const next = { ...state };
      for (const [input, output] of Object.entries(step.updates)) next[input] = out[output];
      state = next;
      return Object.fromEntries(step.reported.map((name) => [name, out[name]]));
    },
    async state() {
      return { ...state };
    },
    dispose() {},
  };
}

/** @type {import('@actllm/graph').GraphBackend} */
export const referenceBackend = {
  capabilities: { infer: true, train: true, devices: ['cpu'] },
  async init() {},
  createSession,
  createTrainer,
};

registerBackend(NAME, referenceBackend, PRIORITY);
