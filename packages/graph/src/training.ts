import { createTensor, type Tensor } from '@actllm/core';
import type { Graph, TensorRef } from './ir.js';
import { grad } from './autodiff.js';
import { GraphBuilder } from './builder.js';
import { GraphError } from './errors.js';
import { run } from './interpreter.js';
import { adamw, type AdamWOptions } from './optim.js';

export interface TrainingOptions extends Omit<AdamWOptions, 'lr' | 'step'> {
  /** Further forward outputs each step reports besides the loss (e.g. the terms of a sum). */
  readonly report?: readonly string[];
}

/** Names in a training-step graph, so a trainer can wire state from one step to the next. */
export interface TrainingStep {
  readonly graph: Graph;
  /** Inputs that come with each batch: the forward graph's inputs and the learning rate. */
  readonly batchInputs: readonly string[];
  /** The learning-rate input (float32 scalar). */
  readonly lr: string;
  /** Output names: the loss and the global gradient norm. */
  readonly loss: string;
  readonly gradNorm: string;
  /** Trained parameters, in order. */
  readonly params: readonly string[];
  /** For each state input (params, moments, step), the output that replaces it after a step. */
  readonly updates: Readonly<Record<string, string>>;
  /** The outputs a trainer hands back from each step: the loss, the gradient norm, `report`. */
  readonly reported: readonly string[];
}

export const STEP_INPUT = 'optim.step';
export const LR_INPUT = 'optim.lr';
export const GRAD_NORM_OUTPUT = 'optim.grad_norm';

export function momentNames(param: string): { m: string; v: string } {
  return { m: `${param}.adam_m`, v: `${param}.adam_v` };
}

/** The output that carries the next value of a state input. */
export function nextName(name: string): string {
  return `${name}.next`;
}

/**
 * One graph for a whole training step: forward, backward (autodiff) and AdamW. Its inputs
 * are the batch, the trained parameters, their moments, the step count and the learning
 * rate; its outputs are the loss, the gradient norm and the next parameters, moments and
 * step (see `updates`). Parameters not listed in `params` stay frozen parameters.
 */
export function buildTrainingStep(
  forward: Graph,
  loss: string,
  params: readonly string[] = forward.parameters
    .filter((p) => p.dtype === 'float32')
    .map((p) => p.name),
  options: TrainingOptions = {},
): TrainingStep {
  for (const name of params) {
    if (!forward.parameters.some((p) => p.name === name)) {
      throw new GraphError(
        'GRAPH_INVALID',
        `${name} is not a parameter of ${forward.name}; pass parameter names.`,
      );
    }
  }
  const gg = grad(forward, loss, params);
  const g = GraphBuilder.from(gg.graph, { keepOutputs: false });
  for (const name of params) g.parameterToInput(name);
  const step = g.input(STEP_INPUT, 'int64', []);
  const lr = g.input(LR_INPUT, 'float32', []);
  const slots = params.map((name) => {
    const param = g.ref(name);
    const { m, v } = momentNames(name);
    return {
      param,
      grad: g.ref(gg.gradients[name] as string),
      m: g.input(m, 'float32', param.shape),
      v: g.input(v, 'float32', param.shape),
    };
  });
  const { report = [], ...optimizer } = options;
  for (const name of report) {
    if (!forward.outputs.some((o) => o.name === name) || name === loss) {
      throw new GraphError(
        'GRAPH_INVALID',
        `report: ${name} is not an output of ${forward.name} other than the loss.`,
      );
    }
  }
  const update = adamw(g, slots, { ...optimizer, lr, step });
  g.output(g.ref(gg.loss));
  g.output(update.gradNorm, GRAD_NORM_OUTPUT);
  for (const name of report) g.output(g.ref(name));
  const updates: Record<string, string> = {};
  const emit = (input: string, value: TensorRef): void => {
    updates[input] = g.output(value, nextName(input)).name;
  };
  params.forEach((name, i) => {
    const { m, v } = momentNames(name);
    emit(name, update.params[i] as TensorRef);
    emit(m, update.m[i] as TensorRef);
    emit(v, update.v[i] as TensorRef);
  });
  emit(STEP_INPUT, update.step);
  return {
    graph: g.build(),
    batchInputs: [...forward.inputs.map((i) => i.name), LR_INPUT],
    lr: LR_INPUT,
    loss: gg.loss,
    gradNorm: GRAD_NORM_OUTPUT,
    params: [...params],
    updates,
    reported: [gg.loss, GRAD_NORM_OUTPUT, ...report],
  };
}

/** The optimizer state at step 0: the given weights, zero moments, step 0. */
export function initTrainingState(
  step: TrainingStep,
  weights: Readonly<Record<string, Tensor>>,
): Record<string, Tensor> {
  const state: Record<string, Tensor> = {};
  for (const name of step.params) {
    const w = weights[name];
    if (!w)
      throw new GraphError(
        'GRAPH_MISSING_FEED',
        `No weights for parameter ${name}; use initParameters(forward, seed).`,
      );
    const { m, v } = momentNames(name);
    state[name] = w;
    state[m] = createTensor('float32', w.shape);
    state[v] = createTensor('float32', w.shape);
  }
  state[STEP_INPUT] = createTensor('int64', [], BigInt64Array.from([0n]));
  return state;
}

/**
 * Runs one training step with the reference interpreter. `frozen` holds the weights of
 * parameters that are not trained. Returns the loss and the next state.
 */
export function runTrainingStep(
  step: TrainingStep,
  state: Readonly<Record<string, Tensor>>,
  batch: Readonly<Record<string, Tensor>>,
  lr: number,
  frozen: Readonly<Record<string, Tensor>> = {},
): { loss: number; gradNorm: number; state: Record<string, Tensor> } {
  const feeds = {
    ...frozen,
    ...batch,
    ...state,
    [step.lr]: createTensor('float32', [], Float32Array.from([lr])),
  };
  const out = run(step.graph, feeds);
  const next: Record<string, Tensor> = {};
  for (const [input, output] of Object.entries(step.updates)) next[input] = out[output] as Tensor;
  return {
    loss: Number((out[step.loss] as Tensor).data[0]),
    gradNorm: Number((out[step.gradNorm] as Tensor).data[0]),
    state: next,
  };
}
