import type { TensorMap } from '@actllm/core';
import type { Graph } from '../ir.js';
import type { TrainingStep } from '../training.js';

/**
 * What a parity case exercises: one op, a whole model forward pass, a gradient graph, a
 * training-step graph run as a plain session, or the same step through `createTrainer`.
 */
export type ParityKind = 'op' | 'model' | 'gradient' | 'training' | 'trainer';

/** One training step of a `trainer` case: the batch fed, the outputs expected back. */
export interface ParityTrainerStep {
  /** The batch inputs plus the learning rate (`optim.lr`). */
  readonly batch: TensorMap;
  /** The step's reported outputs (the loss and the gradient norm). */
  readonly expected: TensorMap;
}

/**
 * One check of a backend against the reference interpreter, through graph's front door.
 * Session cases run `createSession(graph, weights).run(feeds)` and compare every `expected`
 * output; trainer cases run `createTrainer(step, state)`, step through `steps`, then
 * compare `state()` with `expectedState`.
 */
export interface ParityCase {
  readonly name: string;
  readonly kind: ParityKind;
  /** The op under test (op and gradient-of-op cases). */
  readonly op?: string;
  readonly graph: Graph;
  /** Parameter values (the `weights` of `createSession`). */
  readonly weights: TensorMap;
  /** Graph inputs. */
  readonly feeds: TensorMap;
  /** Reference outputs by name, from `run(graph, {...feeds, ...weights})`. */
  readonly expected: TensorMap;
  /** Largest allowed error for float32 outputs, relative to max(|expected|, 1). */
  readonly tolerance: number;
  /** Every output must match bit for bit (integer and boolean outputs always must). */
  readonly exact?: boolean;
  /** Trainer cases: the training step and the initial state handed to `createTrainer`. */
  readonly step?: TrainingStep;
  readonly state?: TensorMap;
  readonly steps?: readonly ParityTrainerStep[];
  readonly expectedState?: TensorMap;
}

export type ParityStatus = 'pass' | 'fail' | 'skip';

export interface ParityResult {
  readonly name: string;
  readonly kind: ParityKind;
  readonly status: ParityStatus;
  /** The largest error seen (relative, as `tolerance`); 0 for skipped cases. */
  readonly maxError: number;
  readonly tolerance: number;
  /** Why the case failed or was skipped; empty when it passed. */
  readonly message: string;
  readonly durationMs: number;
}
