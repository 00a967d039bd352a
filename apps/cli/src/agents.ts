import {
  isActllmError,
  type Action,
  type Agent,
  type Instruction,
  type Observation,
} from '@actllm/core';

/**
 * The history ablation at inference (`train --no-history`): the policy package has no
 * option that drops the text history, so this wrapper starts a fresh conversation before
 * every step and shows the observation as step 0, exactly as the history-free training
 * samples were rendered (see `historyFreeSamples` in commands/train.ts).
 */
export class HistoryFreeAgent implements Agent {
  readonly name: string;
  readonly #inner: Agent;
  #instruction: Instruction | undefined;

  constructor(inner: Agent) {
    this.#inner = inner;
    this.name = `${inner.name}-no-history`;
  }

  reset(instruction: Instruction): void {
    this.#instruction = instruction;
  }

  async act(observation: Observation): Promise<Action> {
    await this.#inner.reset(this.#instruction ?? observation.instruction);
    return this.#inner.act({ ...observation, step: 0 });
  }
}

/** An action every environment refuses (a step that counts as invalid). */
const REFUSED = {
  kind: 'pick_place',
  from: { x: Number.NaN, y: Number.NaN, theta: 0 },
  to: { x: Number.NaN, y: Number.NaN, theta: 0 },
} as const satisfies Action;

/**
 * Counts the turns the policy could not decode into an action (`POLICY_DECODE_FAILED`):
 * such a step is sent as a refused action, so the episode goes on and fails as an
 * invalid action instead of aborting the evaluation. `parseRate` is the share of steps that
 * decoded.
 */
export class ParseCountingAgent implements Agent {
  readonly name: string;
  readonly #inner: Agent;
  calls = 0;
  failures = 0;

  constructor(inner: Agent) {
    this.#inner = inner;
    this.name = inner.name;
  }

  get parseRate(): number {
    return this.calls === 0 ? 1 : (this.calls - this.failures) / this.calls;
  }

  reset(instruction: Instruction): Promise<void> | void {
    return this.#inner.reset(instruction);
  }

  async act(observation: Observation): Promise<Action> {
    this.calls++;
    try {
      return await this.#inner.act(observation);
    } catch (error) {
      if (!isActllmError(error, 'POLICY_DECODE_FAILED')) throw error;
      this.failures++;
      return REFUSED;
    }
  }
}

/**
 * The most objects per predicted scene (`AgentOptions.maxObjects`, default 12) that a model
 * of `maxLength` positions accepts: `ActllmAgent.create` refuses a turn budget of
 * `2 * (maxObjects * 10 + 3) + 16` tokens at or above half the context (the tiny preset's
 * 512 positions allow 11).
 */
export function maxObjectsFor(maxLength: number, wanted = 12): number {
  const fits = Math.floor((maxLength / 2 - 22 - 1) / 20);
  return Math.max(1, Math.min(wanted, fits));
}
