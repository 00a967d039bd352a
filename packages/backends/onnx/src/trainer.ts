import {
  createTensor,
  type SessionOptions,
  type Tensor,
  type TensorMap,
  type Trainer,
} from '@actllm/core';
import { eliminateIdentities, toOnnx, type Graph, type TrainingStep } from '@actllm/graph';
import type * as OrtTypes from 'onnxruntime-node';
import { loadOrt, type Ort } from './runtime.js';
import { createOrtSession, disposedError, runOrt } from './session.js';
import { feedsFor, fromOrt, outputsFrom, toOrt } from './tensors.js';

type OrtSession = OrtTypes.InferenceSession;
type OrtTensor = OrtTypes.Tensor;

/** The state entries that are graph parameters: frozen, embedded as initializers. */
function frozenOf(graph: Graph, state: TensorMap): TensorMap {
  const frozen: Record<string, Tensor> = {};
  for (const p of graph.parameters) frozen[p.name] = state[p.name] as Tensor;
  return frozen;
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
  readonly #step: TrainingStep;
  readonly #frozen: TensorMap;
  readonly #fetches: readonly string[];
  readonly #what: string;
  readonly #state = new Map<string, OrtTensor>();
  #session: OrtSession | undefined;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(ort: Ort, session: OrtSession, step: TrainingStep, state: TensorMap) {
    this.#ort = ort;
    this.#session = session;
    this.#step = step;
    this.#frozen = frozenOf(step.graph, state);
    this.#what = `training step ${step.graph.name}`;
    this.#fetches = [...step.reported, ...Object.values(step.updates)];
    for (const name of Object.keys(step.updates)) {
      this.#state.set(name, toOrt(ort, state[name] as Tensor));
    }
  }

  /** Steps run one after another even when called without awaiting, so state never races. */
  step(batch: TensorMap): Promise<Record<string, Tensor>> {
    const next = this.#queue.then(() => this.#run(batch));
    this.#queue = next.catch(() => undefined);
    return next;
  }

  async #run(batch: TensorMap): Promise<Record<string, Tensor>> {
    const session = this.#live();
    const feeds: Record<string, OrtTensor> = {
      ...feedsFor(this.#ort, this.#step.batchInputs, batch),
      ...Object.fromEntries(this.#state),
    };
    const result = await runOrt(session, feeds, this.#fetches, this.#what);
    for (const [input, output] of Object.entries(this.#step.updates)) {
      this.#state.set(input, result[output] as OrtTensor);
    }
    return outputsFrom(result, this.#step.reported);
  }

  async state(): Promise<Record<string, Tensor>> {
    await this.#queue;
    this.#live();
    const out: Record<string, Tensor> = {};
    for (const [name, x] of this.#state) out[name] = copy(fromOrt(x, name));
    for (const [name, x] of Object.entries(this.#frozen)) out[name] = copy(x);
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
 * The onnxruntime handler behind graph's `createTrainer`, which has checked the step and
 * its state: `state` holds every state input of `step.updates` and every frozen parameter.
 */
export async function createOnnxTrainer(
  step: TrainingStep,
  state: TensorMap,
  options?: SessionOptions,
): Promise<Trainer> {
  const ort = await loadOrt();
  const model = toOnnx(eliminateIdentities(step.graph), frozenOf(step.graph, state));
  const what = `training step ${step.graph.name}`;
  const session = await createOrtSession(ort, model, options, what);
  return new OnnxTrainer(ort, session, step, state);
}
