import {
  createTensor,
  isActllmError,
  listBackends,
  resolveBackend,
  type Logger,
} from '@actllm/core';
import { GraphBuilder, createSession, initParameters, run, type Graph } from '@actllm/graph';
import { tensor, tensorError, uniform } from '@actllm/graph/parity';
import { describe, expect, it, vi } from 'vitest';
import {
  ONNX_BACKEND_PRIORITY,
  cudaInstalled,
  executionProviders,
  onnxBackend,
  ortSessionOptions,
} from '../src/index.js';

function mlp(): Graph {
  const g = new GraphBuilder('mlp');
  const x = g.input('x', 'float32', ['batch', 3]);
  const w = g.parameter('w', [3, 4], { kind: 'normal', std: 0.5 });
  const h = g.relu(g.matmul(x, w));
  g.output(h, 'h');
  g.output(g.reduceSum(h, [-1], false), 'total');
  return g.build();
}

function recorder(): Logger & { messages: string[] } {
  const messages: string[] = [];
  return { messages, warn: (m: string) => messages.push(m) };
}

describe('registration and the registry', () => {
  it('registers itself as onnx with the documented priority, resolvable for both capabilities', async () => {
    const info = listBackends().find((b) => b.name === 'onnx');
    expect(info).toMatchObject({
      priority: ONNX_BACKEND_PRIORITY,
      capabilities: { infer: true, train: true },
    });
    expect((await resolveBackend({ capability: 'infer' })).name).toBe('onnx');
    expect((await resolveBackend({ capability: 'train' })).backend).toBe(onnxBackend);
  });

  it('registers one shared object when a second copy of the module loads (ESM next to CJS)', async () => {
    vi.resetModules();
    const copy = await import('../src/index.js');
    expect(copy.onnxBackend).toBe(onnxBackend);
    expect(listBackends().filter((b) => b.name === 'onnx')).toHaveLength(1);
  });
});

describe('inference sessions', () => {
  const graph = mlp();
  const weights = initParameters(graph, 3);

  it('runs a graph with symbolic batch size, all outputs or the requested ones', async () => {
    const session = await createSession(graph, weights, { backend: 'onnx', threads: 1 });
    expect(session.inputNames).toEqual(['x']);
    expect(session.outputNames).toEqual(['h', 'total']);
    for (const batch of [1, 5]) {
      const x = uniform(batch, [batch, 3]);
      const want = run(graph, { x, ...weights });
      const got = await session.run({ x });
      expect(tensorError(got.h, want.h!)).toBeLessThan(1e-6);
      expect(tensorError(got.total, want.total!)).toBeLessThan(1e-6);
    }
    const only = await session.run({ x: uniform(9, [2, 3]) }, ['total']);
    expect(Object.keys(only)).toEqual(['total']);
    await session.dispose();
  });

  it('names missing feeds and unknown outputs, and refuses to run once disposed', async () => {
    const session = await createSession(graph, weights, { backend: 'onnx' });
    await expect(session.run({})).rejects.toSatisfy((e) => isActllmError(e, 'GRAPH_MISSING_FEED'));
    await expect(session.run({ x: uniform(1, [1, 3]) }, ['nope'])).rejects.toSatisfy((e) =>
      isActllmError(e, 'GRAPH_UNKNOWN_OUTPUT'),
    );
    await session.dispose();
    await expect(session.run({ x: uniform(1, [1, 3]) })).rejects.toSatisfy((e) =>
      isActllmError(e, 'GRAPH_DISPOSED'),
    );
  });

  it('turns an onnxruntime failure into a typed error (the handler, behind the front door)', async () => {
    const session = await onnxBackend.createSession(graph, weights);
    const wrong = createTensor('float32', [2, 7]);
    await expect(session.run({ x: wrong })).rejects.toSatisfy((e) =>
      isActllmError(e, 'ONNX_BACKEND_RUNTIME'),
    );
    await session.dispose();
  });

  it('keeps integer and boolean outputs exact', async () => {
    const g = new GraphBuilder('ints');
    const a = g.input('a', 'int64', [3]);
    g.output(g.div(a, 2), 'half');
    g.output(g.less(a, 0), 'negative');
    const session = await createSession(g.build(), {}, { backend: 'onnx' });
    const out = await session.run({ a: tensor([3], [-7, 0, 9007199254740991], 'int64') });
    expect(Array.from(out.half!.data as BigInt64Array)).toEqual([-3n, 0n, 4503599627370495n]);
    expect(Array.from(out.negative!.data as Uint8Array)).toEqual([1, 0, 0]);
    await session.dispose();
  });
});

describe('session options', () => {
  it('maps threads and extra options onto onnxruntime session options', () => {
    expect(
      ortSessionOptions({
        threads: 2,
        extra: { graphOptimizationLevel: 'basic', interOpNumThreads: 1, executionMode: 'parallel' },
      }),
    ).toEqual({
      executionProviders: ['cpu'],
      graphOptimizationLevel: 'basic',
      executionMode: 'parallel',
      intraOpNumThreads: 2,
      interOpNumThreads: 1,
    });
    expect(ortSessionOptions()).toMatchObject({
      graphOptimizationLevel: 'all',
      executionMode: 'sequential',
    });
  });

  it.each([
    [{ threads: -1 }],
    [{ threads: 1.5 }],
    [{ extra: { graphOptimizationLevel: 'max' } }],
    [{ extra: { executionMode: 'fast' } }],
    [{ extra: { optimisation: 'all' } }],
  ])('rejects invalid options %j', (options) => {
    expect(() => ortSessionOptions(options)).toThrow(
      expect.objectContaining({ code: 'ONNX_BACKEND_INVALID_OPTION' }),
    );
  });

  it('uses CUDA when installed, and warns and falls back to the CPU when it is not', () => {
    const log = recorder();
    expect(executionProviders('cuda', log, true)).toEqual(['cuda', 'cpu']);
    expect(log.messages).toEqual([]);
    expect(executionProviders('cuda', log, false)).toEqual(['cpu']);
    expect(log.messages[0]).toContain('ONNXRUNTIME_NODE_INSTALL=cuda12');
    expect(executionProviders('tpu', log, false)).toEqual(['cpu']);
    expect(log.messages[1]).toContain('tpu');
    expect(executionProviders(undefined, log, true)).toEqual(['cpu']);
    expect(log.messages).toHaveLength(2);
  });

  it('runs on the CPU with a warning when CUDA is asked for on this machine', async () => {
    const log = recorder();
    const graph = mlp();
    const session = await createSession(graph, initParameters(graph, 1), {
      backend: 'onnx',
      device: 'cuda',
      logger: log,
    });
    const out = await session.run({ x: uniform(2, [2, 3]) });
    expect(out.h!.shape).toEqual([2, 4]);
    expect(log.messages.length).toBe(cudaInstalled() ? 0 : 1);
    expect(onnxBackend.capabilities.devices.includes('cuda')).toBe(cudaInstalled());
    await session.dispose();
  });
});
