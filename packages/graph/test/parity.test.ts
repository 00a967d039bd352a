import { createTensor, type Tensor, type TensorMap } from '@actllm/core';
import { describe, expect, it } from 'vitest';
import { BUILTIN_OPS, nextName, referenceBackend, type GraphBackend } from '../src/index.js';
import {
  feedCheckCases,
  parityCases,
  runFeedCheck,
  runParityCase,
  runParitySuite,
  tensorError,
  type ParityCase,
} from '../src/parity/index.js';

/** `referenceBackend` with a corruption of what its sessions and trainers hand back. */
function interpreterBackend(
  corrupt: (name: string, t: Tensor) => Tensor = (_, t) => t,
): GraphBackend {
  const spoil = (m: TensorMap): TensorMap =>
    Object.fromEntries(Object.entries(m).map(([k, v]) => [k, corrupt(k, v)]));
  return {
    ...referenceBackend,
    createSession: async (graph, weights) => {
      const s = await referenceBackend.createSession(graph, weights);
      return { ...s, run: async (feeds, outputs) => spoil(await s.run(feeds, outputs)) };
    },
    createTrainer: async (step, initial) => {
      const t = await referenceBackend.createTrainer!(step, initial);
      return {
        ...t,
        step: async (batch) => spoil(await t.step(batch)),
        state: async () => spoil(await t.state()),
      };
    },
  };
}

const cases = parityCases();

describe('parity kit', () => {
  it('covers every built-in op, in forward and (where defined) gradient cases', () => {
    const forward = new Set(cases.filter((c) => c.kind === 'op').map((c) => c.op));
    expect([...forward].sort()).toEqual(BUILTIN_OPS.map((d) => d.type).sort());
    const used = new Set(cases.flatMap((c) => c.graph.nodes.map((n) => n.op)));
    for (const d of BUILTIN_OPS) expect(used.has(d.type), d.type).toBe(true);
    const graded = new Set(cases.filter((c) => c.kind === 'gradient' && c.op).map((c) => c.op));
    for (const d of BUILTIN_OPS.filter((d) => d.grad !== undefined))
      expect(graded.has(d.type), d.type).toBe(true);
  });

  it('has integer and boolean cases compared exactly, and the model cases', () => {
    const exact = cases.filter((c) => c.exact === true);
    const dtypes = new Set(exact.flatMap((c) => Object.values(c.expected).map((t) => t.dtype)));
    expect(dtypes.has('int64') && dtypes.has('int32') && dtypes.has('bool')).toBe(true);
    expect(cases.map((c) => c.kind)).toEqual(
      expect.arrayContaining(['model', 'gradient', 'training', 'trainer']),
    );
    expect(new Set(cases.map((c) => c.name)).size).toBe(cases.length);
  });

  it('passes on referenceBackend, the interpreter itself', async () => {
    const results = await runParitySuite(referenceBackend, { cases });
    const failed = results.filter((r) => r.status !== 'pass');
    expect(failed).toEqual([]);
    expect(results.every((r) => r.maxError === 0)).toBe(true);
  });

  it('fails a backend whose float outputs are off by more than the tolerance', async () => {
    const nudge = (_: string, t: Tensor): Tensor =>
      t.dtype === 'float32'
        ? createTensor(
            'float32',
            t.shape,
            (t.data as Float32Array).map((v) => v + 1e-3),
          )
        : t;
    const c = cases.find((x) => x.name === 'op Exp') as ParityCase;
    const r = await runParityCase(interpreterBackend(nudge), c);
    expect(r.status).toBe('fail');
    expect(r.maxError).toBeGreaterThan(c.tolerance);
    expect(r.message).toContain('out0');
  });

  it('fails an integer output that is off by one, and a trainer whose state drifts', async () => {
    const bump = (name: string, t: Tensor): Tensor =>
      t.dtype === 'int64'
        ? createTensor(
            'int64',
            t.shape,
            (t.data as BigInt64Array).map((v) => v + 1n),
          )
        : t;
    const div = cases.find((x) => x.name === 'op Div int64 truncates toward zero') as ParityCase;
    expect((await runParityCase(interpreterBackend(bump), div)).status).toBe('fail');
    const trainer = cases.find((x) => x.kind === 'trainer') as ParityCase;
    const r = await runParityCase(interpreterBackend(bump), trainer);
    expect(r.status).toBe('fail');
    expect(r.message).toContain(`state optim.step`);
    expect(nextName('optim.step')).toBe('optim.step.next');
  });

  it('reports a throwing backend as failed, skips what is asked and trainers of infer-only backends', async () => {
    const broken: GraphBackend = {
      ...interpreterBackend(),
      createSession: () => Promise.reject(new Error('no kernel')),
    };
    const c = cases[0] as ParityCase;
    const r = await runParityCase(broken, c);
    expect(r).toMatchObject({ status: 'fail', maxError: Infinity });
    expect(r.message).toContain('no kernel');
    const inferOnly: GraphBackend = {
      ...interpreterBackend(),
      capabilities: { infer: true, train: false, devices: ['cpu'] },
    };
    const results = await runParitySuite(inferOnly, {
      cases: cases.filter((x) => x.kind === 'trainer' || x === c),
      skip: (x) => x === c,
    });
    expect(results.map((x) => x.status)).toEqual(['skip', 'skip']);
  });

  it('measures errors relative to max(|expected|, 1), and NaN or shape changes as Infinity', () => {
    const f = (values: number[], shape = [values.length]): Tensor =>
      createTensor('float32', shape, Float32Array.from(values));
    expect(tensorError(f([100.01, 0.5]), f([100, 0.5]))).toBeCloseTo(1e-4, 6);
    expect(tensorError(f([0.0002]), f([0.0001]))).toBeCloseTo(1e-4, 6);
    expect(tensorError(f([NaN]), f([1]))).toBe(Infinity);
    expect(tensorError(f([1, 2], [1, 2]), f([1, 2]))).toBe(Infinity);
    expect(tensorError(undefined, f([1]))).toBe(Infinity);
    expect(tensorError(f([1.5]), f([1.5000001]), true)).toBe(Infinity);
  });
});

describe('feed-check suite', () => {
  it('gives the documented GRAPH_* code for every mistake, before the backend runs', async () => {
    const results = [];
    for (const c of feedCheckCases()) results.push(await runFeedCheck(referenceBackend, c));
    expect(results.filter((r) => r.status !== 'pass')).toEqual([]);
    expect(results.length).toBeGreaterThanOrEqual(20);
  });

  it('reports an accepted mistake as failed and skips trainer mistakes on infer-only backends', async () => {
    const c = feedCheckCases().find((x) => x.name === 'unknown output')!;
    const r = await runFeedCheck(interpreterBackend(), { ...c, act: () => Promise.resolve() });
    expect(r).toMatchObject({ status: 'fail', got: 'none' });
    const inferOnly: GraphBackend = {
      ...interpreterBackend(),
      capabilities: { infer: true, train: false, devices: ['cpu'] },
    };
    const trainerCase = feedCheckCases().find((x) => x.trains === true)!;
    expect((await runFeedCheck(inferOnly, trainerCase)).status).toBe('skip');
  });

  it('refuses a backend whose outputs do not match the graph', async () => {
    const shrink = (_: string, t: Tensor): Tensor => createTensor(t.dtype, [t.data.length], t.data);
    const c = cases.find((x) => x.name === 'transformer forward') as ParityCase;
    const r = await runParityCase(interpreterBackend(shrink), c);
    expect(r.status).toBe('fail');
    expect(r.message).toContain('declared');
  });
});
