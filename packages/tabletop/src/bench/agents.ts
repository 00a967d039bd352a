import {
  Rng,
  clampToWorkspace,
  type Action,
  type Agent,
  type EndEffector,
  type Observation,
  type Pose,
} from '@actllm/core';
import { TabletopError } from '../errors.js';
import type { TabletopEnv } from '../env/environment.js';
import { deriveSeed } from '../seeds.js';

/**
 * A baseline that reads the simulator's ground truth. Core's `Agent` sees observations only,
 * so the runner hands such an agent the environment (`attach`) after each reset and before
 * `agent.reset`. Policies under test never get this.
 */
export interface PrivilegedAgent extends Agent {
  readonly privileged: true;
  attach(env: TabletopEnv): void;
}

export function isPrivileged(agent: Agent): agent is PrivilegedAgent {
  return (agent as Partial<PrivilegedAgent>).privileged === true;
}

function notAttached(name: string): TabletopError {
  return new TabletopError(
    'TABLETOP_AGENT_NOT_ATTACHED',
    `The ${name} agent reads ground truth: call attach(env) after env.reset (evaluate does this).`,
  );
}

/** The upper bound: the task's scripted oracle, re-planned from the current state every step. */
export class OracleAgent implements PrivilegedAgent {
  readonly name = 'oracle';
  readonly privileged = true;
  #env: TabletopEnv | undefined;

  attach(env: TabletopEnv): void {
    this.#env = env;
  }

  reset(): void {}

  act(): Action {
    if (!this.#env) throw notAttached(this.name);
    return this.#env.oracleAction();
  }
}

const MARGIN = 0.05; // random targets stay this far inside the workspace

/**
 * The lower bound: picks a random object (from the ground truth in the observation) and puts
 * it at a random pose with the suction cup, or, with the spatula, pushes from near it in a
 * random direction.
 * Seeded per episode from its own seed and the episode's, so a run is reproducible.
 */
export class RandomAgent implements PrivilegedAgent {
  readonly name = 'random';
  readonly privileged = true;
  readonly #seed: number;
  #rng: Rng | undefined;
  #tool: EndEffector = 'suction';

  constructor(seed = 0) {
    this.#seed = seed;
  }

  attach(env: TabletopEnv): void {
    const ep = env.episode;
    this.#rng = new Rng(deriveSeed(this.#seed, ep.seed, ep.task, ep.partition));
    this.#tool = ep.endEffector;
  }

  reset(): void {}

  act(observation: Observation): Action {
    const rng = this.#rng;
    if (!rng) throw notAttached(this.name);
    const objects = observation.objects ?? [];
    const at: Pose = objects.length > 0 ? rng.pick(objects).pose : this.#pose(rng);
    // The mounted tool's primitive (the other one would only be refused).
    if (this.#tool === 'suction') return { kind: 'pick_place', from: at, to: this.#pose(rng) };
    // Push through the object: start behind it, sweep past it along a random heading.
    const a = rng.float(-Math.PI, Math.PI);
    const along = (d: number): Pose =>
      clampToWorkspace({ x: at.x + d * Math.cos(a), y: at.y + d * Math.sin(a), theta: a });
    return { kind: 'push', from: along(-0.08), to: along(0.15) };
  }

  #pose(rng: Rng): Pose {
    return {
      x: rng.float(MARGIN, 1 - MARGIN),
      y: rng.float(MARGIN, 1 - MARGIN),
      theta: rng.float(-Math.PI, Math.PI),
    };
  }
}
