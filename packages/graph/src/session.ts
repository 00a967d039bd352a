import {
  isActllmError,
  resolveBackend,
  type InferenceSession,
  type SessionOptions,
  type Tensor,
  type TensorMap,
  type Trainer,
} from '@actllm/core';
import type { Graph, GraphBackend, TensorRef } from './ir.js';
import type { TrainingStep } from './training.js';
import { GraphError } from './errors.js';
import { checkFeeds, checkKnownNames } from './feeds.js';
import { formatShape } from './shape.js';

/**
 * The front door for running graphs, in the spirit of onnxruntime-common's
 * `InferenceSession` over backend handlers: it resolves a backend, checks weights once and
 * feeds on every run (names, dtypes, shapes, symbolic dimensions, data length), checks what
 * the backend hands back, and reports `GRAPH_*` codes whatever the backend. Backends only
 * execute.
 */

export interface GraphSessionOptions extends SessionOptions {
  /**
   * Which backend runs the graph: a registered name, names to try in order, or a backend
   * object. Default: the registered backends by priority (`resolveBackend`).
   */
  readonly backend?: string | readonly string[] | GraphBackend;
}

const OPTION_NAMES: ReadonlySet<string> = new Set([
  'backend',
  'device',
  'threads',
  'logger',
  'extra',
]);

interface Resolved {
  readonly name: string;
  readonly backend: GraphBackend;
}

async function resolve(
  options: GraphSessionOptions,
  capability: 'infer' | 'train',
): Promise<Resolved> {
  const { backend } = options;
  if (typeof backend === 'object' && !Array.isArray(backend)) {
    const b = backend as GraphBackend;
    if (!b.capabilities[capability]) {
      throw new GraphError('GRAPH_INVALID_OPTION', `The backend given cannot ${capability}.`);
    }
    return { name: 'custom', backend: b };
  }
  const names =
    typeof backend === 'string' ? [backend] : (backend as readonly string[] | undefined);
  const r = await resolveBackend(names ? { capability, names } : { capability });
  return { name: r.name, backend: r.backend };
}

function checkOptions(options: unknown, what: string): GraphSessionOptions {
  if (options === undefined) return {};
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new GraphError('GRAPH_INVALID_OPTION', `${what}: options must be an object.`);
  }
  const unknown = Object.keys(options).filter((k) => !OPTION_NAMES.has(k));
  if (unknown.length > 0) {
    throw new GraphError(
      'GRAPH_INVALID_OPTION',
      `${what}: unknown option ${unknown.join(', ')}; the options are ${[...OPTION_NAMES].join(', ')}.`,
    );
  }
  const o = options as GraphSessionOptions;
  const b: unknown = o.backend;
  const okBackend =
    b === undefined ||
    typeof b === 'string' ||
    (Array.isArray(b) && b.every((n) => typeof n === 'string')) ||
    (typeof b === 'object' && b !== null && 'createSession' in b && 'capabilities' in b);
  if (!okBackend) {
    throw new GraphError(
      'GRAPH_INVALID_OPTION',
      `${what}: backend must be a registered name, a list of names, or a backend object.`,
    );
  }
  if (o.threads !== undefined && !(Number.isInteger(o.threads) && o.threads >= 0)) {
    throw new GraphError(
      'GRAPH_INVALID_OPTION',
      `${what}: threads must be a whole number (0: the runtime's default).`,
    );
  }
  return o;
}

function assertGraph(graph: unknown, what: string): asserts graph is Graph {
  const g = graph as Partial<Graph> | null;
  const ok =
    typeof g === 'object' &&
    g !== null &&
    Array.isArray(g.inputs) &&
    Array.isArray(g.outputs) &&
    Array.isArray(g.nodes) &&
    Array.isArray(g.parameters);
  if (!ok) {
    throw new GraphError(
      'GRAPH_INVALID',
      `${what} takes a graph (GraphBuilder#build(), graphFromJSON or fromOnnx); got ${typeof graph}.`,
    );
  }
}

function assertMap(x: unknown, what: string): asserts x is TensorMap {
  if (typeof x !== 'object' || x === null || Array.isArray(x)) {
    throw new GraphError('GRAPH_INVALID_FEED', `${what} must be an object of tensors by name.`);
  }
}

/** The tensors of `from` that `refs` name (weights beyond the graph's are left out). */
function pick(refs: readonly TensorRef[], from: TensorMap): Record<string, Tensor> {
  const out: Record<string, Tensor> = {};
  for (const r of refs) out[r.name] = from[r.name] as Tensor;
  return out;
}

/** Checks that a backend returned each wanted output with the graph's dtype and rank. */
function checkResults(
  result: unknown,
  refs: ReadonlyMap<string, TensorRef>,
  wanted: readonly string[],
  backend: string,
): Record<string, Tensor> {
  const out: Record<string, Tensor> = {};
  for (const name of wanted) {
    const t = (result as Record<string, Tensor | undefined> | undefined)?.[name];
    const ref = refs.get(name) as TensorRef;
    if (!t || t.dtype !== ref.dtype || t.shape.length !== ref.shape.length) {
      const got = t ? `${t.dtype}${formatShape(t.shape)}` : 'nothing';
      throw new GraphError(
        'GRAPH_BACKEND_OUTPUT',
        `Backend ${backend} returned ${got} for output ${name}, declared ${ref.dtype}${formatShape(ref.shape)}; report this to the backend's authors.`,
      );
    }
    out[name] = t;
  }
  return out;
}

/** Wraps a backend's own failure unless it is already one of ours. */
async function guarded<T>(backend: string, what: string, body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (error) {
    if (isActllmError(error)) throw error;
    throw new GraphError(
      'GRAPH_RUNTIME',
      `Backend ${backend} failed to ${what}: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  }
}

/** A graph loaded on a backend for inference. */
export class GraphSession {
  /** The registered name of the backend that runs it (`custom` for a backend object). */
  readonly backendName: string;
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  readonly #graph: Graph;
  readonly #outputs: ReadonlyMap<string, TensorRef>;
  readonly #inputNames: ReadonlySet<string>;
  readonly #bindings: ReadonlyMap<string, number>;
  #handler: InferenceSession | undefined;

  private constructor(
    graph: Graph,
    backend: string,
    handler: InferenceSession,
    bindings: Map<string, number>,
  ) {
    this.#graph = graph;
    this.backendName = backend;
    this.#handler = handler;
    this.#bindings = bindings;
    this.inputNames = graph.inputs.map((i) => i.name);
    this.outputNames = graph.outputs.map((o) => o.name);
    this.#inputNames = new Set(this.inputNames);
    this.#outputs = new Map(graph.outputs.map((o) => [o.name, o]));
  }

  /** @internal use {@link createSession}. */
  static async create(graph: unknown, weights: unknown, options?: unknown): Promise<GraphSession> {
    assertGraph(graph, 'createSession');
    assertMap(weights, 'Weights');
    const opts = checkOptions(options, 'createSession');
    const bindings = new Map<string, number>();
    checkFeeds(graph.parameters, weights, bindings, 'Weight');
    const { name, backend } = await resolve(opts, 'infer');
    const { backend: _b, ...sessionOptions } = opts;
    const handler = await guarded(name, `load ${graph.name}`, () =>
      backend.createSession(graph, pick(graph.parameters, weights), sessionOptions),
    );
    return new GraphSession(graph, name, handler, bindings);
  }

  /** Runs the graph on `feeds` (every input by name); returns `outputs` (default: all). */
  async run(feeds: TensorMap, outputs?: readonly string[]): Promise<Record<string, Tensor>> {
    const handler = this.#handler;
    if (!handler) throw disposed(`The session of ${this.#graph.name}`);
    assertMap(feeds, 'Feeds');
    checkKnownNames(feeds, this.#inputNames, 'Input', `Graph ${this.#graph.name}`);
    checkFeeds(this.#graph.inputs, feeds, new Map(this.#bindings), 'Input');
    const wanted = checkOutputs(outputs, this.#outputs, this.#graph.name);
    const result = await guarded(this.backendName, `run ${this.#graph.name}`, () =>
      handler.run(feeds, wanted),
    );
    return checkResults(result, this.#outputs, wanted, this.backendName);
  }

  async dispose(): Promise<void> {
    const handler = this.#handler;
    this.#handler = undefined;
    await handler?.dispose();
  }
}

function checkOutputs(
  outputs: readonly string[] | undefined,
  known: ReadonlyMap<string, TensorRef>,
  graph: string,
): readonly string[] {
  if (outputs === undefined) return [...known.keys()];
  if (!Array.isArray(outputs) || !outputs.every((o) => typeof o === 'string')) {
    throw new GraphError('GRAPH_UNKNOWN_OUTPUT', 'outputs must be an array of output names.');
  }
  const unknown = outputs.filter((n) => !known.has(n));
  if (unknown.length > 0) {
    throw new GraphError(
      'GRAPH_UNKNOWN_OUTPUT',
      `Graph ${graph} has no output ${unknown.join(', ')}; its outputs are ${[...known.keys()].join(', ')}.`,
    );
  }
  return [...new Set(outputs)];
}

function disposed(what: string): GraphError {
  return new GraphError('GRAPH_DISPOSED', `${what} was disposed; create a new one.`);
}

/**
 * Loads `graph` with `weights` (every parameter by name; extra entries, such as the weights
 * of a larger checkpoint, are ignored) on a backend.
 *
 * ```ts
 * const session = await createSession(graph, weights, { backend: 'onnx' });
 * const { logits } = await session.run({ ids });
 * ```
 */
export function createSession(
  graph: Graph,
  weights: TensorMap,
  options?: GraphSessionOptions,
): Promise<GraphSession> {
  return GraphSession.create(graph, weights, options);
}

/** A training step (from `buildTrainingStep`) loaded on a backend with its state. */
export class GraphTrainer {
  readonly backendName: string;
  readonly #step: TrainingStep;
  readonly #batchRefs: readonly TensorRef[];
  readonly #batchNames: ReadonlySet<string>;
  readonly #reported: ReadonlyMap<string, TensorRef>;
  readonly #stateRefs: readonly TensorRef[];
  readonly #bindings: ReadonlyMap<string, number>;
  #handler: Trainer | undefined;

  private constructor(
    step: TrainingStep,
    backend: string,
    handler: Trainer,
    bindings: Map<string, number>,
  ) {
    this.#step = step;
    this.backendName = backend;
    this.#handler = handler;
    this.#bindings = bindings;
    const inputs = new Map(step.graph.inputs.map((i) => [i.name, i]));
    this.#batchRefs = step.batchInputs.map((n) => inputs.get(n) as TensorRef);
    this.#batchNames = new Set(step.batchInputs);
    const outputs = new Map(step.graph.outputs.map((o) => [o.name, o]));
    this.#reported = new Map(step.reported.map((n) => [n, outputs.get(n) as TensorRef]));
    this.#stateRefs = stateRefs(step);
  }

  /** @internal use {@link createTrainer}. */
  static async create(step: unknown, state: unknown, options?: unknown): Promise<GraphTrainer> {
    assertTrainingStep(step);
    assertMap(state, 'State');
    const opts = checkOptions(options, 'createTrainer');
    const refs = stateRefs(step);
    checkKnownNames(
      state,
      new Set(refs.map((r) => r.name)),
      'State entry',
      `Training step ${step.graph.name}`,
    );
    const bindings = new Map<string, number>();
    checkFeeds(refs, state, bindings, 'State');
    const { name, backend } = await resolve(opts, 'train');
    const create = backend.createTrainer?.bind(backend);
    if (!create) {
      throw new GraphError(
        'GRAPH_INVALID_OPTION',
        `Backend ${name} declares train but has no createTrainer().`,
      );
    }
    const { backend: _b, ...sessionOptions } = opts;
    const handler = await guarded(name, `load ${step.graph.name}`, () =>
      create(step, pick(refs, state), sessionOptions),
    );
    return new GraphTrainer(step, name, handler, bindings);
  }

  /**
   * Runs one step (forward, backward, AdamW) on a batch: every input of `batchInputs`,
   * including the learning rate `optim.lr`. Returns the reported outputs (loss, gradient norm).
   */
  async step(batch: TensorMap): Promise<Record<string, Tensor>> {
    const handler = this.#live();
    assertMap(batch, 'Batch');
    checkKnownNames(
      batch,
      this.#batchNames,
      'Batch input',
      `Training step ${this.#step.graph.name}`,
    );
    checkFeeds(this.#batchRefs, batch, new Map(this.#bindings), 'Batch input');
    const result = await guarded(this.backendName, `run ${this.#step.graph.name}`, () =>
      handler.step(batch),
    );
    return checkResults(result, this.#reported, [...this.#reported.keys()], this.backendName);
  }

  /** Parameters, optimizer moments, step count and frozen parameters, by name (host copies). */
  async state(): Promise<Record<string, Tensor>> {
    const handler = this.#live();
    const result = await guarded(this.backendName, 'read the state', () => handler.state());
    const refs = new Map(this.#stateRefs.map((r) => [r.name, r]));
    return checkResults(result, refs, [...refs.keys()], this.backendName);
  }

  async dispose(): Promise<void> {
    const handler = this.#handler;
    this.#handler = undefined;
    await handler?.dispose();
  }

  #live(): Trainer {
    if (!this.#handler) throw disposed(`The trainer of ${this.#step.graph.name}`);
    return this.#handler;
  }
}

/** Every tensor a trainer keeps: the updated state inputs, then the frozen parameters. */
function stateRefs(step: TrainingStep): TensorRef[] {
  const inputs = new Map(step.graph.inputs.map((i) => [i.name, i]));
  return [
    ...Object.keys(step.updates).map((n) => inputs.get(n) as TensorRef),
    ...step.graph.parameters,
  ];
}

function assertTrainingStep(step: unknown): asserts step is TrainingStep {
  const s = step as Partial<TrainingStep> | null;
  if (
    typeof s !== 'object' ||
    s === null ||
    typeof s.updates !== 'object' ||
    !Array.isArray(s.reported)
  ) {
    throw new GraphError(
      'GRAPH_INVALID',
      'createTrainer takes a training step from buildTrainingStep(forward, loss), not a bare graph.',
    );
  }
  assertGraph(s.graph, 'createTrainer');
}

/**
 * Loads a training step with its state (`initTrainingState(step, weights)` plus the weights
 * of frozen parameters) on a backend that can train.
 *
 * ```ts
 * const trainer = await createTrainer(step, initTrainingState(step, weights));
 * const { loss } = await trainer.step({ ...batch, [LR_INPUT]: lr });
 * ```
 */
export function createTrainer(
  step: TrainingStep,
  state: TensorMap,
  options?: GraphSessionOptions,
): Promise<GraphTrainer> {
  return GraphTrainer.create(step, state, options);
}
