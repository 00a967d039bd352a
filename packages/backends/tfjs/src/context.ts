import * as tf from '@tensorflow/tfjs-core';
import type { SessionOptions } from '@actllm/core';
import { inferTypes, type Graph, type TensorRef } from '@actllm/graph';
import { activate, chooseRuntime, tfjsBackendName, type RuntimeName } from './runtime.js';
import { compilePlan, type Plan } from './plan.js';

/** What sessions and trainers share: their runtime, and plans compiled once per output set. */

const intMatMulByRuntime = new Map<RuntimeName, boolean>();

/** Whether the runtime multiplies int32 matrices (probed once: wasm's BatchMatMul is float-only). */
function probeIntMatMul(runtime: RuntimeName): boolean {
  const known = intMatMulByRuntime.get(runtime);
  if (known !== undefined) return known;
  let ok: boolean;
  try {
    tf.tidy(() => tf.matMul(tf.ones([1, 1], 'int32'), tf.ones([1, 1], 'int32')).dataSync());
    ok = true;
  } catch {
    ok = false;
  }
  intMatMulByRuntime.set(runtime, ok);
  return ok;
}

/** Backend-specific settings read from `SessionOptions.extra` (documented in the README). */
export interface TfjsExtra {
  /** Ops to run on @actllm/graph's reference kernels instead of tfjs (for tests, or a runtime bug). */
  readonly referenceOps?: readonly string[];
}

export function readExtra(options: SessionOptions | undefined): TfjsExtra {
  const extra = options?.extra ?? {};
  const ops = extra['referenceOps'];
  return {
    ...(Array.isArray(ops)
      ? { referenceOps: ops.filter((o): o is string => typeof o === 'string') }
      : {}),
  };
}

function typesOf(graph: Graph): Map<string, TensorRef> {
  try {
    return inferTypes(graph);
  } catch {
    // Types only enable fusions; a graph inference cannot type still runs unfused.
    return new Map();
  }
}

export class RunContext {
  readonly runtime: RuntimeName;
  readonly #graph: Graph;
  readonly #options: SessionOptions | undefined;
  readonly #plans = new Map<string, Plan>();
  readonly #types: Map<string, TensorRef>;
  readonly #referenceOps: ReadonlySet<string>;

  private constructor(graph: Graph, runtime: RuntimeName, options: SessionOptions | undefined) {
    this.#graph = graph;
    this.runtime = runtime;
    this.#options = options;
    this.#types = typesOf(graph);
    this.#referenceOps = new Set(readExtra(options).referenceOps ?? []);
  }

  static async create(
    graph: Graph,
    available: readonly RuntimeName[],
    options: SessionOptions | undefined,
  ): Promise<RunContext> {
    const runtime = chooseRuntime(available, options?.device, options?.logger);
    await activate(runtime, options?.threads, options?.logger);
    return new RunContext(graph, runtime, options);
  }

  /** Makes this context's runtime the active tfjs backend (another session may have switched it). */
  async enter(): Promise<void> {
    if (tf.engine().backendName !== tfjsBackendName(this.runtime)) {
      await activate(this.runtime, undefined, this.#options?.logger);
    }
  }

  plan(wanted: readonly string[]): Plan {
    const key = wanted.join('\u0000');
    let plan = this.#plans.get(key);
    if (!plan) {
      plan = compilePlan(this.#graph, wanted, {
        runtime: this.runtime,
        intMatMul: probeIntMatMul(this.runtime),
        referenceOps: this.#referenceOps,
        types: this.#types,
      });
      this.#plans.set(key, plan);
    }
    return plan;
  }

  typeOf(name: string): TensorRef | undefined {
    return this.#graph.outputs.find((o) => o.name === name) ?? this.#types.get(name);
  }

  dispose(): void {
    for (const plan of this.#plans.values()) plan.dispose();
    this.#plans.clear();
  }
}
