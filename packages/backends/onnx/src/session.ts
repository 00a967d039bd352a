import type { InferenceSession, SessionOptions, Tensor, TensorMap } from '@actllm/core';
import { eliminateIdentities, toOnnx, type Graph } from '@actllm/graph';
import type * as OrtTypes from 'onnxruntime-node';
import { OnnxBackendError } from './errors.js';
import { ortSessionOptions } from './options.js';
import { loadOrt, type Ort } from './runtime.js';
import { feedsFor, outputsFrom } from './tensors.js';

type OrtSession = OrtTypes.InferenceSession;

/** Creates an onnxruntime session from model bytes, wrapping its errors in typed ones. */
export async function createOrtSession(
  ort: Ort,
  model: Uint8Array,
  options: SessionOptions | undefined,
  what: string,
): Promise<OrtSession> {
  const ortOptions = ortSessionOptions(options);
  try {
    return await ort.InferenceSession.create(model, ortOptions);
  } catch (error) {
    throw new OnnxBackendError(
      'ONNX_BACKEND_RUNTIME',
      `onnxruntime could not load ${what}: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  }
}

/** Runs a session, wrapping onnxruntime's errors. */
export async function runOrt(
  session: OrtSession,
  feeds: OrtTypes.InferenceSession.FeedsType,
  fetches: readonly string[],
  what: string,
): Promise<OrtTypes.InferenceSession.ReturnType> {
  try {
    return await session.run(feeds, [...fetches]);
  } catch (error) {
    throw new OnnxBackendError(
      'ONNX_BACKEND_RUNTIME',
      `onnxruntime failed to run ${what}: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  }
}

export function disposedError(what: string): OnnxBackendError {
  return new OnnxBackendError('ONNX_BACKEND_DISPOSED', `${what} was disposed; create a new one.`);
}

/**
 * An inference session: the graph serialized once, its weights as ONNX initializers. Graph's
 * `createSession` has checked weights, feeds and output names before they reach it.
 */
class OnnxInferenceSession implements InferenceSession {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  readonly #ort: Ort;
  readonly #what: string;
  #session: OrtSession | undefined;

  constructor(ort: Ort, session: OrtSession, graph: Graph) {
    this.#ort = ort;
    this.#session = session;
    this.#what = `graph ${graph.name}`;
    this.inputNames = graph.inputs.map((i) => i.name);
    this.outputNames = graph.outputs.map((o) => o.name);
  }

  async run(feeds: TensorMap, outputs?: readonly string[]): Promise<Record<string, Tensor>> {
    const session = this.#session;
    if (!session) throw disposedError(`The session of ${this.#what}`);
    const wanted = outputs ?? this.outputNames;
    const ortFeeds = feedsFor(this.#ort, this.inputNames, feeds);
    return outputsFrom(await runOrt(session, ortFeeds, wanted, this.#what), wanted);
  }

  async dispose(): Promise<void> {
    const session = this.#session;
    this.#session = undefined;
    await session?.release();
  }
}

export async function createOnnxSession(
  graph: Graph,
  weights: TensorMap,
  options?: SessionOptions,
): Promise<InferenceSession> {
  const ort = await loadOrt();
  const session = await createOrtSession(
    ort,
    // Output-naming Identity nodes would copy each output (the KV cache) once more per run.
    toOnnx(eliminateIdentities(graph), weights),
    options,
    `graph ${graph.name}`,
  );
  return new OnnxInferenceSession(ort, session, graph);
}
