import {
  createTensor,
  type SessionOptions,
  type Tensor,
  type TensorMap,
  type Trainer,
} from '@actllm/core';
import { eliminateIdentities, toOnnx, type Graph } from '@actllm/graph';
import { stateUpdates } from '@actllm/graph/parity';
import type * as OrtTypes from 'onnxruntime-node';
import { OnnxBackendError } from './errors.js';
import { loadOrt, type Ort } from './runtime.js';
import { createOrtSession, disposedError, runOrt } from './session.js';
import { feedsFor, fromOrt, outputsFrom, toOrt } from './tensors.js';

type OrtSession = OrtTypes.InferenceSession;
type OrtTensor = OrtTypes.Tensor;

/** How a training-step graph's inputs and outputs split between state and batch. */
interface Wiring {
  /** State input -> the output that replaces it after a step. */
  readonly updates: Readonly<Record<string, string>>;
  /** Inputs that come with every batch (the data and the learning rate). */
  readonly batchInputs: readonly string[];
  /** Outputs handed back from `step` (the loss, the gradient norm, ...). */
  readonly reported: readonly string[];
  /** State entries that are graph parameters: frozen, embedded as initializers. */
  readonly frozen: TensorMap;
}

function wire(graph: Graph, state: TensorMap): Wiring {
  const inputs = new Set(graph.inputs.map((i) => i.name));
  const params = new Set(graph.parameters.map((p) => p.name));
  const stranger = Object.keys(state).filter((n) => !inputs.has(n) && !params.has(n));
  if (stranger.length > 0) {
    throw new OnnxBackendError(
      'ONNX_BACKEND_INVALID_STATE',
      `State ${stranger.join(', ')} is neither an input nor a parameter of ${graph.name}; pass the state from initTrainingState (plus the frozen parameters).`,
    );
  }
  const updates = stateUpdates(
    graph,
    Object.keys(state).filter((n) => inputs.has(n)),
  );
  const produced = new Set(Object.values(updates));
  const frozen: Record<string, Tensor> = {};
  for (const p of graph.parameters) if (state[p.name]) frozen[p.name] = state[p.name] as Tensor;
  return {
    updates,
    batchInputs: graph.inputs.map((i) => i.name).filter((n) => state[n] === undefined),
    reported: graph.outputs.map((o) => o.name).filter((n) => !produced.has(n)),
    frozen,
  };
}

/** A host copy: the state handed out must not alias the tensors fed to the next step. */
function copy(x: Tensor): Tensor {
  return createTensor(x.dtype, x.shape, x.data.slice() as never);
}

/**
 * Runs a training-step graph (`buildTrainingStep`) in one onnxruntime session that is
 * never rebuilt. The state lives as onnxruntime tensors: each step's `.next` outputs are
 * fed back as the next step's inputs as they are, with no conversion to host tensors;
 * only `state()` copies them out.
 */
class OnnxTrainer implements Trainer {
  readonly #ort: Ort;
  readonly #wiring: Wiring;
  readonly #fetches: readonly string[];
  readonly #what: string;
  readonly #state = new Map<string, OrtTensor>();
  #session: OrtSession | undefined;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(ort: Ort, session: OrtSession, graph: Graph, state: TensorMap, wiring: Wiring) {
    this.#ort = ort;
    this.#session = session;
    this.#wiring = wiring;
    this.#what = `training step ${graph.name}`;
    this.#fetches = [...wiring.reported, ...Object.values(wiring.updates)];
    for (const i of graph.inputs) {
      const x = state[i.name];
      if (x) this.#state.set(i.name, toOrt(ort, x));
    }
  }

  /** Steps run one after another even when called without awaiting, so state never races. */
  step(batch: TensorMap): Promise<Record<string, Tensor>> {
    const next = this.#queue.then(() => this.#step(batch));
    this.#queue = next.catch(() => undefined);
    return next;
  }

  async #step(batch: TensorMap): Promise<Record<string, Tensor>> {
    const session = this.#live();
    const feeds: Record<string, OrtTensor> = {
      ...feedsFor(this.#ort, this.#wiring.batchInputs, batch, this.#what),
      ...Object.fromEntries(this.#state),
    };
    const result = await runOrt(session, feeds, this.#fetches, this.#what);
    for (const [input, output] of Object.entries(this.#wiring.updates)) {
      this.#state.set(input, result[output] as OrtTensor);
    }
    return outputsFrom(result, this.#wiring.reported);
  }

  async state(): Promise<Record<string, Tensor>> {
    await this.#queue;
    this.#live();
    const out: Record<string, Tensor> = {};
    for (const [name, x] of this.#state) out[name] = copy(fromOrt(x, name));
    for (const [name, x] of Object.entries(this.#wiring.frozen)) out[name] = copy(x);
    return out;
  }

  async dispose(): Promise<void> {
    await this.#queue;
    const session = this.#session;
    this.#session = undefined;
    this.#state.clear();
    await session?.release();
  }

  #live(): OrtSession {
    if (!this.#session) throw disposedError(`The trainer of ${this.#what}`);
    return this.#session;
  }
}

/**
 * A trainer for a training-step graph. `state` holds every state input (parameters,
 * moments, step: `initTrainingState`) and the values of frozen parameters; each batch
 * holds the remaining inputs, including the learning rate `optim.lr`.
 */
export async function createOnnxTrainer(
  graph: Graph,
  state: TensorMap,
  options?: SessionOptions,
): Promise<Trainer> {
  const ort = await loadOrt();
  const wiring = wire(graph, state);
  const model = toOnnx(eliminateIdentities(graph), wiring.frozen);
  const session = await createOrtSession(ort, model, options, `training step ${graph.name}`);
  return new OnnxTrainer(ort, session, graph, state, wiring);
}
