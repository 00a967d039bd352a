import {
  isActllmError,
  type Action,
  type Agent,
  type Instruction,
  type Observation,
} from '@actllm/core';

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
