import {
  createTensor,
  isActllmError,
  type SessionOptions,
  type Tensor,
  type TensorMap,
} from '@actllm/core';
import type { Graph, GraphBackend } from '../ir.js';
import type { GraphErrorCode } from '../errors.js';
import { GraphBuilder } from '../builder.js';
import { initParameters } from '../init.js';
import { createSession, createTrainer, type GraphSessionOptions } from '../session.js';
import { buildTrainingStep, initTrainingState, LR_INPUT, type TrainingStep } from '../training.js';

/**
 * The feed-check suite: common mistakes fed through graph's front door on a given backend.
 * Each must fail with the same `GRAPH_*` code on every backend, because the front door
 * checks before the backend runs anything.
 */
export interface FeedCheckCase {
  readonly name: string;
  readonly code: GraphErrorCode;
  /** A trainer mistake: skipped on backends that cannot train. */
  readonly trains?: boolean;
  /** Makes the mistake on `backend`; must reject. */
  readonly act: (options: GraphSessionOptions) => Promise<unknown>;
}

export interface FeedCheckResult {
  readonly name: string;
  readonly expected: GraphErrorCode;
  /** The code the mistake produced, `none` when it did not fail, `untyped` for a raw error. */
  readonly got: string;
  readonly status: 'pass' | 'fail' | 'skip';
  readonly message: string;
}

/** Inputs `x` [batch, 3] and `y` [batch, 4], weight `w` [3, 4]; `out = x w + y`, `loss`. */
function checkedGraph(): Graph {
  const g = new GraphBuilder('feed_checks');
  const x = g.input('x', 'float32', ['batch', 3]);
  const y = g.input('y', 'float32', ['batch', 4]);
  const w = g.parameter('w', [3, 4], { kind: 'normal', std: 0.5 });
  const out = g.add(g.matmul(x, w), y);
  g.output(out, 'out');
  g.output(g.reduceMean(g.mul(out, out), undefined, false), 'loss');
  return g.build();
}

function f32(shape: number[], length = shape.reduce((a, b) => a * b, 1)): Tensor {
  return { dtype: 'float32', shape, data: new Float32Array(length) };
}

/** Every feed-check case (session and trainer mistakes). */
export function feedCheckCases(): FeedCheckCase[] {
  const graph = checkedGraph();
  const weights = initParameters(graph, 1);
  const feeds: TensorMap = { x: f32([2, 3]), y: f32([2, 4]) };
  const step = buildTrainingStep(graph, 'loss');
  const state = initTrainingState(step, weights);
  const batch: TensorMap = { ...feeds, [LR_INPUT]: f32([]) };
  const run = (o: GraphSessionOptions, f: TensorMap, w: TensorMap = weights, outputs?: string[]) =>
    withSession(graph, w, o, (s) => s.run(f, outputs));
  const train = (o: GraphSessionOptions, st: TensorMap, bt: TensorMap = batch) =>
    withTrainer(step, st, o, (t) => t.step(bt));
  const without = (m: TensorMap, name: string): TensorMap =>
    Object.fromEntries(Object.entries(m).filter(([k]) => k !== name));
  return [
    { name: 'missing weight', code: 'GRAPH_MISSING_FEED', act: (o) => run(o, feeds, {}) },
    {
      name: 'weight of the wrong shape',
      code: 'GRAPH_INVALID_FEED',
      act: (o) => run(o, feeds, { w: f32([4, 3]) }),
    },
    {
      name: 'weight data shorter than its shape',
      code: 'GRAPH_INVALID_FEED',
      act: (o) => run(o, feeds, { w: f32([3, 4], 5) }),
    },
    {
      name: 'weight of the wrong dtype',
      code: 'GRAPH_INVALID_FEED',
      act: (o) => run(o, feeds, { w: createTensor('int32', [3, 4]) }),
    },
    {
      name: 'missing input',
      code: 'GRAPH_MISSING_FEED',
      act: (o) => run(o, { x: feeds['x'] as Tensor }),
    },
    {
      name: 'input of the wrong rank',
      code: 'GRAPH_INVALID_FEED',
      act: (o) => run(o, { ...feeds, x: f32([6]) }),
    },
    {
      name: 'input data shorter than its shape',
      code: 'GRAPH_INVALID_FEED',
      act: (o) => run(o, { ...feeds, x: f32([2, 3], 3) }),
    },
    {
      name: 'input that is a plain array',
      code: 'GRAPH_INVALID_FEED',
      act: (o) => run(o, { ...feeds, x: [1, 2] as unknown as Tensor }),
    },
    {
      name: 'input data of the wrong array type',
      code: 'GRAPH_INVALID_FEED',
      act: (o) =>
        run(o, {
          ...feeds,
          x: { dtype: 'float32', shape: [2, 3], data: new Float64Array(6) } as unknown as Tensor,
        }),
    },
    {
      name: 'inputs that disagree on a symbolic dimension',
      code: 'GRAPH_INVALID_FEED',
      act: (o) => run(o, { x: f32([2, 3]), y: f32([5, 4]) }),
    },
    {
      name: 'feed that names no input',
      code: 'GRAPH_UNKNOWN_FEED',
      act: (o) => run(o, { ...feeds, z: f32([1]) }),
    },
    {
      name: 'unknown output',
      code: 'GRAPH_UNKNOWN_OUTPUT',
      act: (o) => run(o, feeds, weights, ['nope']),
    },
    {
      name: 'unknown session option',
      code: 'GRAPH_INVALID_OPTION',
      act: (o) => createSession(graph, weights, { ...o, treads: 2 } as GraphSessionOptions),
    },
    {
      name: 'session used after dispose',
      code: 'GRAPH_DISPOSED',
      act: async (o) => {
        const s = await createSession(graph, weights, o);
        await s.dispose();
        return s.run(feeds);
      },
    },
    {
      name: 'trainer given a bare graph',
      trains: true,
      code: 'GRAPH_INVALID',
      act: (o) => createTrainer(step.graph as unknown as TrainingStep, state, o),
    },
    {
      name: 'trainer state without a moment',
      trains: true,
      code: 'GRAPH_MISSING_FEED',
      act: (o) => train(o, without(state, 'w.adam_m')),
    },
    {
      name: 'trainer state with an unknown entry',
      trains: true,
      code: 'GRAPH_UNKNOWN_FEED',
      act: (o) => train(o, { ...state, typo: f32([]) }),
    },
    {
      name: 'batch without the learning rate',
      trains: true,
      code: 'GRAPH_MISSING_FEED',
      act: (o) => train(o, state, feeds),
    },
    {
      name: 'batch input of the wrong shape',
      trains: true,
      code: 'GRAPH_INVALID_FEED',
      act: (o) => train(o, state, { ...batch, y: f32([2, 5]) }),
    },
    {
      name: 'trainer used after dispose',
      trains: true,
      code: 'GRAPH_DISPOSED',
      act: async (o) => {
        const t = await createTrainer(step, state, o);
        await t.dispose();
        return t.step(batch);
      },
    },
  ];
}

async function withSession<T>(
  graph: Graph,
  weights: TensorMap,
  options: GraphSessionOptions,
  body: (s: Awaited<ReturnType<typeof createSession>>) => Promise<T>,
): Promise<T> {
  const s = await createSession(graph, weights, options);
  try {
    return await body(s);
  } finally {
    await s.dispose();
  }
}

async function withTrainer<T>(
  step: TrainingStep,
  state: TensorMap,
  options: GraphSessionOptions,
  body: (t: Awaited<ReturnType<typeof createTrainer>>) => Promise<T>,
): Promise<T> {
  const t = await createTrainer(step, state, options);
  try {
    return await body(t);
  } finally {
    await t.dispose();
  }
}

/**
 * Makes one mistake on `backend` (with `options.session`, e.g. a device) and reports the
 * code it produced. Never throws.
 */
export async function runFeedCheck(
  backend: GraphBackend,
  c: FeedCheckCase,
  options: { readonly session?: SessionOptions } = {},
): Promise<FeedCheckResult> {
  const result = (got: string, message: string, skip = false): FeedCheckResult => ({
    name: c.name,
    expected: c.code,
    got,
    status: skip ? 'skip' : got === c.code ? 'pass' : 'fail',
    message,
  });
  if (c.trains === true && !backend.capabilities.train) {
    return result('none', 'the backend cannot train', true);
  }
  try {
    await c.act({ ...options.session, backend });
    return result('none', 'the mistake was accepted');
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return result(isActllmError(error) ? error.code : 'untyped', message);
  }
}
