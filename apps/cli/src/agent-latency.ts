import type { StepTrace } from '@actllm/policy';
import { TabletopEnv, runEpisode } from '@actllm/tabletop';
import { episodeList } from './eval-info.js';
import { createPolicyAgent, type Decoding } from './policy-agent.js';

/** The decoding accelerations, each switched off alone, then all of them. */
export const ACCELERATIONS: Readonly<Record<string, Decoding>> = {
  accelerated: {},
  no_drafts: { drafts: false },
  no_forced_chunks: { forcedChunks: false },
  no_prefix_reuse: { reusePrefix: false },
  plain: { reusePrefix: false, forcedChunks: false, drafts: false },
};

function percentile(xs: readonly number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))] ?? NaN;
}

const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

/** Which L1 static episodes: `episodes` per task of `tasks` (null: every task), as eval's. */
export interface LatencyPlan {
  readonly tasks: readonly string[] | null;
  readonly episodes: number;
  readonly seed: number;
}

/** Every step's trace of the L1 static episodes (`episodes` per task), with one set of accelerations. */
async function traces(
  checkpoint: string,
  o: Record<string, unknown>,
  accelerations: Decoding,
  plan: LatencyPlan,
): Promise<StepTrace[]> {
  const loaded = await createPolicyAgent(checkpoint, o, accelerations);
  const views = loaded.settings?.views;
  const env = await TabletopEnv.create(views ? { views } : {});
  const out: StepTrace[] = [];
  const jobs = episodeList({
    modes: ['static'],
    levels: ['L1'],
    tasks: plan.tasks,
    episodes_per_task: plan.episodes,
    seed: plan.seed,
  });
  try {
    for (const job of jobs) {
      await runEpisode(env, loaded.agent, { ...job, partition: job.level, dynamic: 'none' });
      out.push(...loaded.policy.trace);
    }
  } finally {
    env.close();
    await loaded.dispose();
  }
  return out;
}

/**
 * The policy's step latency on real benchmark episodes (L1, static): p50 and p95 with each
 * acceleration on and off, and whether every setting decodes the same turns (greedy
 * decoding must not depend on them). The first step of each setting warms its graphs up and
 * is left out.
 */
export async function agentLatency(
  checkpoint: string,
  o: Record<string, unknown>,
  plan: LatencyPlan,
): Promise<Record<string, unknown>> {
  const settings: Record<string, Record<string, number>> = {};
  const texts: Record<string, string> = {};
  for (const [name, accelerations] of Object.entries(ACCELERATIONS)) {
    const all = await traces(checkpoint, o, accelerations, plan);
    texts[name] = JSON.stringify(all.map((t) => t.text));
    const latencies = all.slice(1).map((t) => t.latencyMs);
    settings[name] = {
      steps: latencies.length,
      p50_ms: percentile(latencies, 50),
      p95_ms: percentile(latencies, 95),
      passes_per_step: mean(all.map((t) => t.passes)),
      tokens_per_step: mean(all.map((t) => t.tokens)),
      draft_tokens_kept_per_step: mean(all.map((t) => t.accepted)),
    };
  }
  return {
    benchmark: 'agent',
    checkpoint,
    backend: o['backend'],
    tasks: plan.tasks ?? 'all',
    episodes_per_task: plan.episodes,
    seed: plan.seed,
    ...settings,
    same_turns: Object.values(texts).every((t) => t === texts['accelerated']),
  };
}
