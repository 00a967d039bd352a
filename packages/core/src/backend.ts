import type { Awaitable } from './environment.js';
import type { TensorMap } from './tensor.js';

/** What a backend is used for: running a model, or training it. */
export type BackendCapability = 'infer' | 'train';

export interface BackendCapabilities {
  readonly infer: boolean;
  readonly train: boolean;
  /** Devices the backend can run on, e.g. `cpu`, `cuda`, `wasm`. */
  readonly devices: readonly string[];
}

export interface SessionOptions {
  /** Preferred device; a backend falls back to `cpu` (and says so through `logger`) when it is missing. */
  readonly device?: string;
  readonly threads?: number;
  /** Receives warnings; libraries never print. */
  readonly logger?: Logger;
  /** Backend-specific settings, documented by each backend. */
  readonly extra?: Readonly<Record<string, unknown>>;
}

/** An injected logger: the CLI prints, libraries only call it. */
export interface Logger {
  warn(message: string): void;
  info?(message: string): void;
  debug?(message: string): void;
}

/** A model loaded for inference. */
export interface InferenceSession {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  /** Runs the graph; returns the named outputs (all of them when `outputs` is omitted). */
  run(feeds: TensorMap, outputs?: readonly string[]): Promise<TensorMap>;
  dispose(): Awaitable<void>;
}

/**
 * A training-step graph loaded with its state. Parameters and optimizer moments stay on
 * the backend between steps; `state()` reads them back for checkpoints.
 */
export interface Trainer {
  /** Runs one step (forward, backward, update) on a batch; returns the step's reported outputs (loss, ...). */
  step(batch: TensorMap): Promise<TensorMap>;
  /** Parameters and optimizer state by name. */
  state(): Promise<TensorMap>;
  dispose(): Awaitable<void>;
}

/**
 * The plugin contract. `G` is the model representation the backend accepts (the
 * `@actllm/graph` IR for the built-in backends) and `T` the training step it trains (for
 * graph backends, a graph together with its state wiring); core depends on neither.
 */
export interface Backend<G = unknown, T = G> {
  readonly capabilities: BackendCapabilities;
  /** Loads the runtime. Called at most once per registered backend, lazily, by the registry. */
  init(name: string): Promise<void>;
  createSession(graph: G, weights: TensorMap, options?: SessionOptions): Promise<InferenceSession>;
  /** Required when `capabilities.train` is true. */
  createTrainer?(training: T, state: TensorMap, options?: SessionOptions): Promise<Trainer>;
}
