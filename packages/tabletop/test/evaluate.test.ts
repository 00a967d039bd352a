import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isActllmError, type Action, type Agent, type Observation } from '@actllm/core';
import {
  EvaluationAbortedError,
  OracleAgent,
  RandomAgent,
  TabletopEnv,
  evaluate,
  goalIds,
  wilson,
  type PrivilegedAgent,
} from '../src/index.js';

let env: TabletopEnv;
beforeAll(async () => {
  env = await TabletopEnv.create();
});
afterAll(() => env.close());

const TASKS = ['visual_manipulation', 'rotate'];

/** Always answers a malformed action. */
const broken: Agent = {
  name: 'broken',
  reset() {},
  act(): Action {
    return { kind: 'push', from: { x: Number.NaN, y: 0, theta: 0 }, to: { x: 0, y: 0, theta: 0 } };
  },
};

/** Lifts an object the goal does not mention and puts it back. */
class DistractedAgent implements PrivilegedAgent {
  readonly name = 'distracted';
  readonly privileged = true;
  #ids = new Set<string>();
  attach(e: TabletopEnv): void {
    this.#ids = new Set(goalIds(e.episode.goal));
  }
  reset(): void {}
  act(observation: Observation): Action {
    const other = (observation.objects ?? []).find((o) => !this.#ids.has(o.id));
    if (!other) throw new Error('no distractor in the scene');
    return { kind: 'pick_place', from: other.pose, to: other.pose };
  }
}

describe('wilson', () => {
  it('matches the textbook 95% score intervals', () => {
    expect(wilson(5, 10)).toEqual({ low: 0.2366, high: 0.7634 });
    expect(wilson(0, 10)).toEqual({ low: 0, high: 0.2775 });
    expect(wilson(10, 10)).toEqual({ low: 0.7225, high: 1 });
    expect(wilson(0, 0)).toEqual({ low: 0, high: 1 });
  });
});

describe('evaluate', () => {
  it('scores the oracle at 1 per task and per level, serializable and deterministic', async () => {
    const options = { partition: ['train', 'L2'], tasks: TASKS, episodesPerTask: 3, seed: 4, env };
    const report = await evaluate(new OracleAgent(), options);
    expect(Object.keys(report.levels)).toEqual(['train', 'L2']);
    for (const level of Object.values(report.levels)) {
      expect(level.episodes).toBe(6);
      expect(level.rate).toBe(1);
      expect(Object.keys(level.tasks)).toEqual(TASKS);
      expect(level.failures).toEqual({
        left_workspace: 0,
        rule_broken: 0,
        invalid_action: 0,
        wrong_object: 0,
        step_limit: 0,
      });
      expect(level.meanSteps).toBe(1);
      expect(level.ci95.low).toBeGreaterThan(0.5);
    }
    expect(JSON.parse(JSON.stringify(report))).toEqual(report);
    expect(await evaluate(new OracleAgent(), options)).toEqual(report);
  });

  it('blames failures on invalid actions, wrong objects or the step limit', async () => {
    const base = {
      partition: 'L1',
      tasks: ['visual_manipulation'],
      episodesPerTask: 2,
      seed: 1,
      env,
    };
    const bad = await evaluate(broken, base);
    expect(bad.levels['L1']?.failures).toEqual({
      left_workspace: 0,
      rule_broken: 0,
      invalid_action: 2,
      wrong_object: 0,
      step_limit: 0,
    });
    // Refused actions use up steps: the episode ran to its limit of 3.
    expect(bad.levels['L1']?.meanSteps).toBe(3);
    const distracted = await evaluate(new DistractedAgent(), base);
    expect(distracted.levels['L1']?.failures.wrong_object).toBe(2);
    expect(distracted.levels['L1']?.meanSteps).toBe(3);
  });

  it('runs the random agent reproducibly, well below the oracle', async () => {
    const options = { partition: 'train', tasks: TASKS, episodesPerTask: 4, seed: 2, env };
    const a = await evaluate(new RandomAgent(3), options);
    expect(await evaluate(new RandomAgent(3), options)).toEqual(a);
    const level = a.levels['train'];
    expect(level?.rate).toBeLessThan(0.5);
    const f = level?.failures ?? {
      left_workspace: 0,
      rule_broken: 0,
      invalid_action: 0,
      wrong_object: 0,
      step_limit: 0,
    };
    const failed = Object.values(f).reduce((a, b) => a + b, 0);
    expect(failed).toBe(8 - (level?.successes ?? 0));
  });

  it('refuses bad options and unattached privileged agents', async () => {
    const codeOf = async (p: Promise<unknown>): Promise<string> =>
      p.then(
        () => '',
        (e: unknown) => (isActllmError(e) ? e.code : 'other'),
      );
    expect(
      await codeOf(evaluate(broken, { partition: 'L9', episodesPerTask: 1, seed: 1, env })),
    ).toBe('TABLETOP_UNKNOWN_PARTITION');
    expect(
      await codeOf(evaluate(broken, { partition: 'L1', episodesPerTask: 0, seed: 1, env })),
    ).toBe('TABLETOP_INVALID_OPTION');
    expect(
      await codeOf(
        evaluate(broken, {
          partition: 'L1',
          episodesPerTask: 1,
          seed: 1,
          env,
          dynamic: 'wild' as 'mild',
        }),
      ),
    ).toBe('TABLETOP_INVALID_OPTION');
    expect(
      await codeOf(
        evaluate(broken, { partition: 'L1', tasks: ['juggle'], episodesPerTask: 1, seed: 1, env }),
      ),
    ).toBe('TABLETOP_UNKNOWN_TASK');
    expect(await codeOf(Promise.resolve().then(() => new OracleAgent().act()))).toBe(
      'TABLETOP_AGENT_NOT_ATTACHED',
    );
    // A task outside the partition would make a level of 0 episodes: refused.
    const outside = {
      partition: 'L4',
      tasks: ['visual_manipulation'],
      episodesPerTask: 1,
      seed: 1,
      env,
    };
    expect(await codeOf(evaluate(broken, outside))).toBe('TABLETOP_TASK_NOT_IN_PARTITION');
    const mixed = { ...outside, partition: ['L4', 'L1'] };
    expect(await codeOf(evaluate(broken, mixed))).toBe('TABLETOP_TASK_NOT_IN_PARTITION');
  });

  it('keeps the report of the episodes done when the agent throws', async () => {
    let calls = 0;
    const flaky: Agent = {
      name: 'flaky',
      reset() {},
      act(): Action {
        calls += 1;
        if (calls > 4) throw new Error('model crashed');
        return {
          kind: 'push',
          from: { x: Number.NaN, y: 0, theta: 0 },
          to: { x: 0, y: 0, theta: 0 },
        };
      },
    };
    const options = { partition: 'L1', tasks: TASKS, episodesPerTask: 3, seed: 1, env };
    let caught: unknown;
    try {
      await evaluate(flaky, options);
    } catch (e) {
      caught = e;
    }
    expect(isActllmError(caught, 'TABLETOP_EVALUATION_ABORTED')).toBe(true);
    if (!(caught instanceof EvaluationAbortedError))
      throw new Error('not an EvaluationAbortedError');
    expect((caught.cause as Error).message).toBe('model crashed');
    // visual_manipulation takes 3 calls an episode: one episode done, the second interrupted.
    const level = caught.report.levels['L1'];
    expect(level?.episodes).toBe(1);
    expect(Object.keys(level?.tasks ?? {})).toEqual(['visual_manipulation']);
  });
});
