// A third-party ACTLLM backend in one build-free file: @actllm/graph's reference interpreter
// behind @actllm/core's Backend contract. Importing this module registers it (see
// packages/backends/README.md for the guide this follows).
import { registerBackend } from '@actllm/core';
import { nextName, run } from '@actllm/graph';

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
 * Training: every state entry with a `<name>.next` output is replaced by it after a step
 * (the convention of buildTrainingStep); the batch carries the data and `optim.lr`.
 * @param {import('@actllm/graph').Graph} graph
 * @param {import('@actllm/core').TensorMap} initial
 * @returns {Promise<import('@actllm/core').Trainer>}
 */
async function createTrainer(graph, initial) {
  let state = { ...initial };
  const produced = new Set(Object.keys(state).map(nextName));
  return {
    async step(batch) {
      const out = run(graph, { ...state, ...batch });
      const next = { ...state };
      for (const name of Object.keys(state)) {
        if (out[nextName(name)]) next[name] = out[nextName(name)];
      }
      state = next;
      return Object.fromEntries(Object.entries(out).filter(([k]) => !produced.has(k)));
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
