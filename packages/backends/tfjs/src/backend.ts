import type {
  BackendCapabilities,
  InferenceSession,
  SessionOptions,
  TensorMap,
  Trainer,
} from '@actllm/core';
import type { Graph, GraphBackend, TrainingStep } from '@actllm/graph';
import { deviceOf, detectRuntimes, type ModuleLoader, type RuntimeName } from './runtime.js';
import { TfjsSession } from './session.js';
import { TfjsTrainer } from './trainer.js';

/**
 * The registry priority: below `@actllm/backend-onnx` (100), which is the default for
 * inference and training alike (on a plain CPU onnxruntime trains about 70 times faster than
 * tfjs on wasm: see the README's figures). Name `tfjs` to use it, for example with a native
 * tfjs runtime installed.
 */
export const TFJS_PRIORITY = 10;

export interface TfjsBackendOptions {
  /** How optional native runtimes are loaded (tests inject a fake). */
  readonly load?: ModuleLoader;
  readonly isInstalled?: (id: string) => boolean;
}

/** The tfjs implementation of core's Backend contract over @actllm/graph graphs. */
export class TfjsBackend implements GraphBackend {
  readonly #options: TfjsBackendOptions;
  #available: Promise<RuntimeName[]> | undefined;
  #devices: readonly string[] = ['wasm', 'cpu'];

  constructor(options: TfjsBackendOptions = {}) {
    this.#options = options;
  }

  get capabilities(): BackendCapabilities {
    return { infer: true, train: true, devices: this.#devices };
  }

  /** Runtimes usable in this process, fastest first (detected once). */
  runtimes(): Promise<RuntimeName[]> {
    this.#available ??= detectRuntimes(this.#options.load, this.#options.isInstalled).then(
      (found) => {
        this.#devices = [...new Set(found.map(deviceOf))];
        return found;
      },
    );
    return this.#available;
  }

  async init(_name: string): Promise<void> {
    await this.runtimes();
  }

  async createSession(
    graph: Graph,
    weights: TensorMap,
    options?: SessionOptions,
  ): Promise<InferenceSession> {
    return TfjsSession.create(graph, weights, await this.runtimes(), options);
  }

  async createTrainer(
    step: TrainingStep,
    state: TensorMap,
    options?: SessionOptions,
  ): Promise<Trainer> {
    return TfjsTrainer.create(step, state, await this.runtimes(), options);
  }
}
