import type { Agent } from '@actllm/core';
import type { TabletopEnv } from '../env/environment.js';
import type { Intensity } from '../dynamic/schedule.js';
import { goalIds } from '../tasks/goal-ids.js';
import { isPrivileged } from './agents.js';
import type { FailureCause } from './summary.js';

export interface EpisodeSpec {
  readonly task: string;
  readonly partition: string;
  readonly index: number;
  readonly seed: number;
  readonly dynamic: Intensity;
}

export interface EpisodeResult extends EpisodeSpec {
  readonly success: boolean;
  /** Steps the environment counted (refused actions count too). */
  readonly steps: number;
  /** Set for failed episodes. */
  readonly cause: FailureCause | null;
  readonly perturbations: number;
}

/**
 * Runs one episode. Every call of `agent.act` counts against the step limit, refused ones
 * included, so an agent that only emits malformed actions still ends. A failure is blamed on
 * the first of: the early end (an object left the workspace, a rule broken for good), a
 * refused action, a pick of an object the goal does not mention, the limit.
 */
export async function runEpisode(
  env: TabletopEnv,
  agent: Agent,
  spec: EpisodeSpec,
): Promise<EpisodeResult> {
  let observation = env.reset({
    seed: spec.seed,
    task: spec.task,
    partition: spec.partition,
    dynamic: spec.dynamic,
  });
  if (isPrivileged(agent)) agent.attach(env);
  await agent.reset(observation.instruction);
  const relevant = new Set(goalIds(env.episode.goal));
  const { maxSteps } = env.episode;
  let invalid = false;
  let wrong = false;
  let success = false;
  let ended: FailureCause | null = null;
  for (let call = 0; call < maxSteps; call++) {
    const r = env.step(await agent.act(observation));
    observation = r.observation;
    if (r.info.invalidAction) invalid = true;
    const picked = r.info['picked'];
    if (typeof picked === 'string' && !relevant.has(picked)) wrong = true;
    if (r.done) {
      success = r.success;
      const failure = r.info['failure'];
      if (failure === 'left_workspace' || failure === 'rule_broken') ended = failure;
      break;
    }
  }
  const cause: FailureCause | null = success
    ? null
    : ended
      ? ended
      : invalid
        ? 'invalid_action'
        : wrong
          ? 'wrong_object'
          : 'step_limit';
  return {
    ...spec,
    success,
    steps: env.episode.step,
    cause,
    perturbations: env.episode.perturbations.length,
  };
}
