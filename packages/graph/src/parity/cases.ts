import { createTensor, type Tensor, type TensorMap } from '@actllm/core';
import type { Graph, TensorRef } from '../ir.js';
import { GraphBuilder } from '../builder.js';
import { grad } from '../autodiff.js';
import { run } from '../interpreter.js';
import { getOp } from '../registry.js';
import { initParameters } from '../init.js';
import { buildTrainingStep, initTrainingState, runTrainingStep, LR_INPUT } from '../training.js';
import type { ParityCase, ParityTrainerStep } from './types.js';
import { OP_SPECS, type OpSpec } from './op-specs.js';
import { transformerLm, type TransformerConfig } from './model.js';
import { integers, uniform } from './tensors.js';

/** 1e-4 relative for float32 outputs and gradients. */
export const PARITY_TOLERANCE = 1e-4;

/** The parity model: small enough for the interpreter, with every transformer ingredient. */
export const PARITY_TRANSFORMER: TransformerConfig = {
  vocab: 11,
  dModel: 8,
  heads: 2,
  layers: 2,
  seq: 6,
  ff: 16,
  rotary: true,
};

const SEED = 7;

function expectedOf(graph: Graph, feeds: TensorMap, weights: TensorMap = {}): TensorMap {
  return run(graph, { ...feeds, ...weights });
}

function opGraph(spec: OpSpec): Graph {
  const g = new GraphBuilder(`parity_${spec.op}`);
  const refs: Record<string, TensorRef> = {};
  for (const [name, f] of Object.entries(spec.feeds)) refs[name] = g.input(name, f.dtype, f.shape);
  const outs = spec.build(g, refs);
  (Array.isArray(outs) ? outs : [outs]).forEach((o, i) => g.output(o, `out${i}`));
  return g.build();
}

function opCase(spec: OpSpec): ParityCase {
  const graph = opGraph(spec);
  const exact = graph.outputs.every((o) => o.dtype !== 'float32');
  return {
    name: `op ${spec.name}`,
    kind: 'op',
    op: spec.op,
    graph,
    weights: {},
    feeds: spec.feeds,
    expected: expectedOf(graph, spec.feeds),
    tolerance: PARITY_TOLERANCE,
    exact,
  };
}

/**
 * The gradient of `sum(out_i * r_i)` (seeded `r_i`) with respect to every float32 input:
 * weighting by random cotangents checks the whole vector-Jacobian product, not just its sum.
 */
function opGradCase(spec: OpSpec, index: number): ParityCase | undefined {
  const forward = opGraph(spec);
  const wrt = forward.inputs.filter((i) => i.dtype === 'float32').map((i) => i.name);
  const outs = forward.outputs.filter((o) => o.dtype === 'float32');
  if (spec.noGrad === true || getOp(spec.op).grad === undefined) return undefined;
  if (wrt.length === 0 || outs.length === 0) return undefined;
  const g = GraphBuilder.from(forward, { keepOutputs: false });
  const terms = outs.map((o, i) => {
    const r = uniform(1000 + 31 * index + i, o.shape as number[]);
    return g.reduceSum(g.mul(g.ref(o.name), g.constant(r)), undefined, false);
  });
  const loss = terms.reduce((acc, t) => g.add(acc, t));
  g.output(loss, 'loss');
  const graph = grad(g.build(), 'loss', wrt).graph;
  return {
    name: `grad ${spec.name}`,
    kind: 'gradient',
    op: spec.op,
    graph,
    weights: {},
    feeds: spec.feeds,
    expected: expectedOf(graph, spec.feeds),
    tolerance: PARITY_TOLERANCE,
  };
}

/** A batch for the parity model: seeded ids and next-token targets, one ignored (-100). */
export function transformerBatch(c: TransformerConfig, batch: number, seed: number): TensorMap {
  const ids = integers(seed, [batch, c.seq], 0, c.vocab);
  const targets = Array.from(ids.data as BigInt64Array, (_, i) => {
    const next = (ids.data as BigInt64Array)[i + 1];
    return (i + 1) % c.seq === 0 || next === undefined ? -100n : next;
  });
  return { ids, targets: createTensor('int64', [batch, c.seq], BigInt64Array.from(targets)) };
}

function lr(value: number): Tensor {
  return createTensor('float32', [], Float32Array.from([value]));
}

function modelCases(): ParityCase[] {
  const forward = transformerLm(PARITY_TRANSFORMER);
  const weights = initParameters(forward, SEED);
  const feeds = transformerBatch(PARITY_TRANSFORMER, 2, SEED);
  const params = forward.parameters.map((p) => p.name);
  const backward = grad(forward, 'loss', params).graph;
  const base = { weights, feeds, tolerance: PARITY_TOLERANCE };
  return [
    {
      name: 'transformer forward',
      kind: 'model',
      graph: forward,
      ...base,
      expected: expectedOf(forward, feeds, weights),
    },
    {
      name: 'transformer gradients',
      kind: 'gradient',
      graph: backward,
      ...base,
      expected: expectedOf(backward, feeds, weights),
    },
  ];
}

/** The training-step graph run as a plain session: every next state compared after one step. */
function trainingCases(): ParityCase[] {
  const forward = transformerLm(PARITY_TRANSFORMER);
  const step = buildTrainingStep(forward, 'loss', undefined, { weightDecay: 0.01, clipNorm: 1 });
  const state = initTrainingState(step, initParameters(forward, SEED));
  const batches = [1, 2].map((i) => transformerBatch(PARITY_TRANSFORMER, 2, SEED + i));
  const rate = 1e-3;
  const feeds = { ...(batches[0] as TensorMap), ...state, [LR_INPUT]: lr(rate) };
  const session: ParityCase = {
    name: 'training step graph (AdamW)',
    kind: 'training',
    graph: step.graph,
    weights: {},
    feeds,
    expected: expectedOf(step.graph, feeds),
    tolerance: PARITY_TOLERANCE,
  };
  let current: Record<string, Tensor> = state;
  const steps: ParityTrainerStep[] = batches.map((b) => {
    const r = runTrainingStep(step, current, b, rate);
    current = r.state;
    const expected = {
      [step.loss]: createTensor('float32', [], Float32Array.from([r.loss])),
      [step.gradNorm]: createTensor('float32', [], Float32Array.from([r.gradNorm])),
    };
    return { batch: { ...b, [LR_INPUT]: lr(rate) }, expected };
  });
  const trainer: ParityCase = {
    name: 'trainer: two steps keep parameters and moments',
    kind: 'trainer',
    graph: step.graph,
    weights: {},
    feeds: {},
    expected: {},
    tolerance: PARITY_TOLERANCE,
    step,
    state,
    steps,
    expectedState: current,
  };
  return [session, trainer];
}

/**
 * Every parity case: each built-in op (several input patterns per op), the gradient of each
 * differentiable op case, a transformer forward pass and its gradients, a training-step
 * graph, and two steps through `createTrainer`. Expected outputs come from the reference
 * interpreter; building them takes a few hundred milliseconds.
 */
export function parityCases(): ParityCase[] {
  const ops = OP_SPECS.map(opCase);
  const grads = OP_SPECS.map(opGradCase).filter((c): c is ParityCase => c !== undefined);
  return [...ops, ...grads, ...modelCases(), ...trainingCases()];
}
