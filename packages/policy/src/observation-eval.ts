import type { Instruction, Observation } from '@actllm/core';
import { DEFAULT_BINS, buildScene, compare } from '@actllm/descriptor';
import type { ActllmAgent } from './agent.js';
import { PolicyError } from './errors.js';

/** A held-out frame: what the agent is shown, and the objects the truth is built from. */
export interface ObservationFrame {
  readonly instruction: Instruction;
  readonly observation: Observation;
}

/** The observation model's accuracy over frames (descriptor `compare` per frame, averaged). */
export interface ObservationReport {
  readonly frames: number;
  /** Mean object F1 (a predicted object matches a true one within 0.1 of the workspace). */
  readonly objectF1: number;
  readonly precision: number;
  readonly recall: number;
  /** Fraction of matched objects with the right shape, colour, and both. */
  readonly shapeAccuracy: number;
  readonly colorAccuracy: number;
  readonly bothAccuracy: number;
  /** Mean centre error of matched objects, in position bins. */
  readonly positionErrorBins: number;
}

/**
 * Measures the observation model M alone: for each frame the agent starts an episode with
 * the frame's instruction and takes one step, and the scene it wrote first is compared with
 * the frame's true objects. The agent itself never reads `observation.objects`; only this
 * measurement does.
 */
export async function evaluateObservations(
  agent: ActllmAgent,
  frames: readonly ObservationFrame[],
  options: { readonly bins?: number } = {},
): Promise<ObservationReport> {
  const list: unknown = frames;
  if (!Array.isArray(list) || list.length === 0) {
    throw new PolicyError(
      'POLICY_INVALID_OPTION',
      'evaluateObservations needs at least one { instruction, observation } frame.',
    );
  }
  const bins = options.bins ?? DEFAULT_BINS;
  const sum = { f1: 0, p: 0, r: 0, shape: 0, color: 0, both: 0, error: 0, matched: 0 };
  const given: readonly ObservationFrame[] = frames;
  for (const { instruction, observation } of given) {
    if (!Array.isArray(observation?.objects))
      throw new PolicyError(
        'POLICY_INVALID_OPTION',
        'Each frame needs observation.objects (the truth); take frames from an environment that reports them.',
      );
    agent.reset(instruction);
    await agent.act(observation);
    const predicted = agent.trace[0]?.scene;
    if (!predicted) throw new PolicyError('POLICY_DECODE_FAILED', 'The agent left no trace.');
    const c = compare(predicted, buildScene(observation.objects, { bins }));
    sum.f1 += c.f1;
    sum.p += c.precision;
    sum.r += c.recall;
    if (c.attributeAccuracy && c.meanPositionError !== null) {
      sum.shape += c.attributeAccuracy.object * c.truePositives;
      sum.color += c.attributeAccuracy.color * c.truePositives;
      sum.both += c.attributeAccuracy.both * c.truePositives;
      sum.error += c.meanPositionError * c.truePositives;
      sum.matched += c.truePositives;
    }
  }
  const n = frames.length;
  const per = (v: number) => (sum.matched ? v / sum.matched : 0);
  return {
    frames: n,
    objectF1: sum.f1 / n,
    precision: sum.p / n,
    recall: sum.r / n,
    shapeAccuracy: per(sum.shape),
    colorAccuracy: per(sum.color),
    bothAccuracy: per(sum.both),
    positionErrorBins: per(sum.error) * bins,
  };
}
