import { round4, wilson } from './stats.js';

/**
 * Why a failed episode failed, the most telling cause first: it ended early because an
 * object left the workspace or a rule was broken for good; else a refused action, a wrong
 * object picked, or the step limit.
 */
export const FAILURE_CAUSES = [
  'left_workspace',
  'rule_broken',
  'invalid_action',
  'wrong_object',
  'step_limit',
] as const;
export type FailureCause = (typeof FAILURE_CAUSES)[number];

export interface RateSummary {
  readonly episodes: number;
  readonly successes: number;
  readonly rate: number;
  /** Wilson score interval at 95%. */
  readonly ci95: { readonly low: number; readonly high: number };
  /** Steps the environment counted, averaged over every episode. */
  readonly meanSteps: number;
  readonly failures: Readonly<Record<FailureCause, number>>;
}

export function summarize(
  results: readonly {
    readonly success: boolean;
    readonly steps: number;
    readonly cause: FailureCause | null;
  }[],
): RateSummary {
  const n = results.length;
  const successes = results.filter((r) => r.success).length;
  const failures = Object.fromEntries(FAILURE_CAUSES.map((c) => [c, 0])) as Record<
    FailureCause,
    number
  >;
  for (const r of results) if (r.cause) failures[r.cause] += 1;
  return {
    episodes: n,
    successes,
    rate: n === 0 ? 0 : round4(successes / n),
    ci95: wilson(successes, n),
    meanSteps: n === 0 ? 0 : round4(results.reduce((s, r) => s + r.steps, 0) / n),
    failures,
  };
}
