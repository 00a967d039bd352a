import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { actllm, errorLine, generateTiny, json, tempDir, trainTiny } from './helpers.js';

interface Collected {
  command: string;
  benchmarks: { name: string; source: string; seconds: number; result: Record<string, unknown> }[];
}

describe('actllm bench', () => {
  it("runs a package's benchmark script and collects its JSON, also into --out", () => {
    const out = join(tempDir(), 'figures', 'bench.json');
    const run = actllm(['bench', 'descriptor', '--out', out, '--json']);
    const collected = json<Collected>(run);
    expect(collected.command).toBe('bench');
    expect(collected.benchmarks.map((b) => b.name)).toEqual(['descriptor']);
    const [descriptor] = collected.benchmarks;
    expect(descriptor?.source).toBe('@actllm/descriptor/bench/parse.bench.mjs');
    expect(descriptor?.result['benchmark']).toBe('descriptor.parse.compact');
    expect((descriptor?.result['strict'] as { ops_per_s: number }).ops_per_s).toBeGreaterThan(0);
    expect(JSON.parse(readFileSync(out, 'utf8'))).toEqual(collected);
  }, 60_000);

  it('an unknown benchmark is a usage error (2) listing the known ones', () => {
    const run = actllm(['bench', 'descriptor', 'gpu-burn']);
    expect(run.status).toBe(2);
    const { code, message } = errorLine(run);
    expect(code).toBe('CLI_USAGE');
    expect(message).toContain('gpu-burn');
    expect(message).toContain('policy');
  });

  it("measures a checkpoint's step latency per acceleration on L1 episodes, same turns in all", () => {
    const dir = tempDir();
    const data = join(dir, 'data');
    const ckpt = join(dir, 'ckpt');
    generateTiny(data, 'visual_manipulation', 1);
    trainTiny(data, ckpt, 2);
    const run = actllm([
      'bench',
      'agent',
      '--checkpoint',
      ckpt,
      '--tasks',
      'visual_manipulation',
      '--json',
    ]);
    const [agent] = json<Collected>(run).benchmarks;
    expect(agent?.name).toBe('agent');
    const result = agent?.result as Record<string, { steps: number; p50_ms: number }>;
    for (const name of [
      'accelerated',
      'no_drafts',
      'no_forced_chunks',
      'no_prefix_reuse',
      'plain',
    ]) {
      expect(result[name]?.steps, name).toBeGreaterThan(0);
      expect(result[name]?.p50_ms, name).toBeGreaterThan(0);
    }
    expect(agent?.result['same_turns']).toBe(true);
  }, 120_000);

  it('the agent benchmark needs --checkpoint (2)', () => {
    const run = actllm(['bench', 'agent']);
    expect(run.status).toBe(2);
    expect(errorLine(run).message).toContain('--checkpoint');
  });
});
