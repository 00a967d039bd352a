import { resolveBackend } from '@actllm/core';
import type { GraphBackend } from '@actllm/graph';
import { feedCheckCases, parityCases, runFeedCheck, runParityCase } from '@actllm/graph/parity';
import { beforeAll, describe, expect, it } from 'vitest';
import '../src/index.js';

// The shared parity kit: every op, a transformer forward pass, gradients, a training-step
// graph and two trainer steps, each against the reference interpreter.
let backend: GraphBackend;

beforeAll(async () => {
  backend = (await resolveBackend({ names: ['onnx'] })).backend;
});

describe('onnx backend parity with the reference interpreter', () => {
  it.each(parityCases())('$name', async (c) => {
    const r = await runParityCase(backend, c, { session: { threads: 1 } });
    expect(r.message).toBe('');
    expect(r.status).toBe('pass');
  });
});

describe('onnx backend feed checks', () => {
  it.each(feedCheckCases())('$name gives $code', async (c) => {
    const r = await runFeedCheck(backend, c);
    expect(r.got).toBe(c.code);
  });
});
