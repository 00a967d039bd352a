import { validateAction, type Observation } from '@actllm/core';
import { initParameters } from '@actllm/graph';
import { describe, expect, it } from 'vitest';
import { ActllmAgent, buildPolicyGraph, presetConfig, type AgentOptions } from '../src/index.js';
import { AGENT_OPTIONS, episode, observationsOf, tokenizer } from './fixtures.js';

const config = presetConfig('tiny', tokenizer.size);
const weights = initParameters(buildPolicyGraph(config), 5);
const record = episode();
const base = AGENT_OPTIONS;

/** The episode's observations, without ground truth: the agent must not need it. */
const observations = (): Observation[] => observationsOf(record);

async function runEpisode(options: Partial<AgentOptions> = {}) {
  const agent = await ActllmAgent.create({ config, tokenizer, weights }, { ...base, ...options });
  agent.reset(record.instruction);
  const actions = [];
  for (const o of observations()) actions.push(await agent.act(o));
  const trace = agent.trace;
  await agent.dispose();
  return { actions, trace };
}

describe('ActllmAgent', () => {
  it('acts from an untrained model: every turn parses into a valid action, with a trace', async () => {
    const { actions, trace } = await runEpisode();
    expect(actions).toHaveLength(3);
    for (const a of actions) expect(validateAction(a).ok).toBe(true);
    expect(trace.map((t) => t.step)).toEqual([0, 1, 2]);
    for (const t of trace) {
      expect(t.text).toMatch(/^<scene_v1>.*<\/act>/);
      expect(t.latencyMs).toBeGreaterThan(0);
      expect(['agreed', 'kept_action', 'no_transition']).toContain(t.consistency);
    }
    // From the second step on, the unchanged prefix of the conversation is not run again.
    expect(trace[0]!.reused).toBe(0);
    expect(trace[1]!.reused).toBeGreaterThan(20);
  }, 120_000);

  it('gives the same greedy turns with prefix reuse, forced chunks and drafts on or off', async () => {
    const fast = await runEpisode();
    const plain = await runEpisode({ reusePrefix: false, forcedChunks: false, drafts: false });
    expect(fast.trace.map((t) => t.text)).toEqual(plain.trace.map((t) => t.text));
    expect(fast.actions).toEqual(plain.actions);
    const passes = (r: typeof fast) => r.trace.reduce((n, t) => n + t.passes, 0);
    expect(passes(fast)).toBeLessThan(passes(plain));
    expect(plain.trace.every((t) => t.reused === 0)).toBe(true);
  }, 240_000);

  it('refuses to act before reset and an unknown consistency rule', async () => {
    await expect(
      ActllmAgent.create({ config, tokenizer, weights }, { ...base, rule: 'vote' as never }),
    ).rejects.toThrow(/rule must be/);
    const agent = await ActllmAgent.create({ config, tokenizer, weights }, base);
    await expect(agent.act(observations()[0]!)).rejects.toThrow(/reset/);
    await agent.dispose();
  });

  it('refuses a vision-stage model, which has no language model to act with', async () => {
    // Given the tokenizer, the preset grounds its top view, so it has cell heads to train.
    const grounded = presetConfig('tiny', tokenizer);
    const vision = { ...grounded, losses: { obs: 0, fwd: 0, act: 0, ac: 0, cells: 1 } };
    const visionWeights = initParameters(buildPolicyGraph(vision), 5);
    await expect(
      ActllmAgent.create({ config: vision, tokenizer, weights: visionWeights }, base),
    ).rejects.toMatchObject({ code: 'POLICY_INVALID_CHECKPOINT', message: /--init/ });
  });
});
