import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  feedCheckCases,
  parityCases,
  runFeedCheck,
  runParityCase,
  type ParityCase,
} from '@actllm/graph/parity';
import { TfjsBackend } from '../src/index.js';

/**
 * The shared parity kit of @actllm/graph, run whole on the wasm runtime and on the cpu
 * runtime: every op, a transformer forward pass and its gradients, a training-step graph
 * and steps through createTrainer, against the reference interpreter.
 */

const cases: ParityCase[] = parityCases();
const backend = new TfjsBackend();
const consoleSpies = ['log', 'warn', 'error', 'info', 'debug'].map((m) =>
  vi.spyOn(console, m as 'log'),
);

beforeAll(async () => {
  await backend.init('tfjs');
});

afterAll(() => {
  // Libraries never print: not even tfjs' "install tfjs-node" notice.
  for (const spy of consoleSpies) expect(spy).not.toHaveBeenCalled();
});

describe.each(['wasm', 'cpu'])('parity kit on the %s runtime', (device) => {
  it('has cases of every kind', () => {
    expect(new Set(cases.map((c) => c.kind))).toEqual(
      new Set(['op', 'model', 'gradient', 'training', 'trainer']),
    );
  });
  it.each(cases.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const result = await runParityCase(backend, c, { session: { device } });
    expect(result.message).toBe('');
    expect(result.status).toBe('pass');
  });
});

describe.each(['wasm', 'cpu'])('feed checks on the %s runtime', (device) => {
  it.each(feedCheckCases())('$name gives $code', async (c) => {
    const r = await runFeedCheck(backend, c, { session: { device } });
    expect(r.got).toBe(c.code);
  });
});
