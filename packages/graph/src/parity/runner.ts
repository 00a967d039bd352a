import type { SessionOptions, Tensor, TensorMap } from '@actllm/core';
import type { GraphBackend } from '../ir.js';
import { createSession, createTrainer } from '../session.js';
import type { ParityCase, ParityResult } from './types.js';
import { parityCases } from './cases.js';

/**
 * Largest error of `actual` against `expected`: for float32, |a - e| / max(|e|, 1) per
 * element (relative for large values, absolute near zero); otherwise 0 when every element
 * is equal and Infinity when one differs. A dtype or shape mismatch is Infinity too.
 */
export function tensorError(actual: Tensor | undefined, expected: Tensor, exact = false): number {
  if (!actual || actual.dtype !== expected.dtype) return Infinity;
  if (actual.shape.length !== expected.shape.length) return Infinity;
  if (actual.shape.some((d, i) => d !== expected.shape[i])) return Infinity;
  if (actual.data.length !== expected.data.length) return Infinity;
  const a = actual.data as ArrayLike<number | bigint>;
  const e = expected.data as ArrayLike<number | bigint>;
  const relative = expected.dtype === 'float32' && !exact;
  let worst = 0;
  for (let i = 0; i < e.length; i++) {
    const x = a[i] as number | bigint;
    const y = e[i] as number | bigint;
    if (!relative) {
      if (x !== y) return Infinity;
      continue;
    }
    const err = Math.abs(Number(x) - Number(y)) / Math.max(Math.abs(Number(y)), 1);
    // NaN compares false with everything, so it is caught here rather than slipping through.
    if (!(err <= worst)) worst = Number.isNaN(err) ? Infinity : err;
  }
  return worst;
}

interface Comparison {
  readonly maxError: number;
  readonly failures: string[];
}

function compareMaps(
  actual: TensorMap,
  expected: TensorMap,
  c: ParityCase,
  label = '',
): Comparison {
  let maxError = 0;
  const failures: string[] = [];
  for (const [name, want] of Object.entries(expected)) {
    const err = tensorError(actual[name], want, c.exact === true);
    maxError = Math.max(maxError, err);
    if (!(err <= c.tolerance)) {
      const got = actual[name];
      const what = got ? `${got.dtype}[${got.shape.join(',')}]` : 'missing';
      failures.push(
        `${label}${name}: error ${err} (got ${what}, want ${want.dtype}[${want.shape.join(',')}])`,
      );
    }
  }
  return { maxError, failures };
}

async function runSessionCase(
  backend: GraphBackend,
  c: ParityCase,
  options: SessionOptions,
): Promise<Comparison> {
  const session = await createSession(c.graph, c.weights, { ...options, backend });
  try {
    const out = await session.run(c.feeds);
    return compareMaps(out, c.expected, c);
  } finally {
    await session.dispose();
  }
}

async function runTrainerCase(
  backend: GraphBackend,
  c: ParityCase,
  options: SessionOptions,
): Promise<Comparison> {
  if (!c.step) throw new Error(`trainer case ${c.name} has no training step`);
  const trainer = await createTrainer(c.step, c.state ?? {}, { ...options, backend });
  try {
    let maxError = 0;
    const failures: string[] = [];
    for (const [i, step] of (c.steps ?? []).entries()) {
      const r = compareMaps(await trainer.step(step.batch), step.expected, c, `step ${i + 1} `);
      maxError = Math.max(maxError, r.maxError);
      failures.push(...r.failures);
    }
    const r = compareMaps(await trainer.state(), c.expectedState ?? {}, c, 'state ');
    return { maxError: Math.max(maxError, r.maxError), failures: [...failures, ...r.failures] };
  } finally {
    await trainer.dispose();
  }
}

export interface ParityOptions {
  /** Session options passed to `createSession` and `createTrainer`. */
  readonly session?: SessionOptions;
}

/**
 * Runs one case on `backend` (already initialized: take it from `resolveBackend`, or call
 * its `init` first). Never throws: a backend error is a failed case with the error's message.
 * Trainer cases are skipped when the backend cannot train.
 */
export async function runParityCase(
  backend: GraphBackend,
  c: ParityCase,
  options: ParityOptions = {},
): Promise<ParityResult> {
  const start = performance.now();
  const result = (
    status: ParityResult['status'],
    maxError: number,
    message: string,
  ): ParityResult => ({
    name: c.name,
    kind: c.kind,
    status,
    maxError,
    tolerance: c.tolerance,
    message,
    durationMs: performance.now() - start,
  });
  if (c.kind === 'trainer' && !backend.capabilities.train) {
    return result('skip', 0, 'the backend cannot train');
  }
  try {
    const session = options.session ?? {};
    const r =
      c.kind === 'trainer'
        ? await runTrainerCase(backend, c, session)
        : await runSessionCase(backend, c, session);
    return r.failures.length === 0
      ? result('pass', r.maxError, '')
      : result('fail', r.maxError, r.failures.join('; '));
  } catch (error) {
    return result(
      'fail',
      Infinity,
      `threw: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

export interface ParitySuiteOptions extends ParityOptions {
  /** Case names to skip, or a predicate (e.g. `(c) => c.op === 'Erf'`); reported as skipped. */
  readonly skip?: readonly string[] | ((c: ParityCase) => boolean);
  /** The cases to run (default: `parityCases()`). */
  readonly cases?: readonly ParityCase[];
}

function skipped(c: ParityCase, skip: ParitySuiteOptions['skip']): boolean {
  if (skip === undefined) return false;
  return typeof skip === 'function' ? skip(c) : skip.includes(c.name);
}

/** Runs every case in order (one at a time, so a backend's threads are not oversubscribed). */
export async function runParitySuite(
  backend: GraphBackend,
  options: ParitySuiteOptions = {},
): Promise<ParityResult[]> {
  const results: ParityResult[] = [];
  for (const c of options.cases ?? parityCases()) {
    if (skipped(c, options.skip)) {
      results.push({
        name: c.name,
        kind: c.kind,
        status: 'skip',
        maxError: 0,
        tolerance: c.tolerance,
        message: 'skipped by the caller',
        durationMs: 0,
      });
      continue;
    }
    results.push(await runParityCase(backend, c, options));
  }
  return results;
}
