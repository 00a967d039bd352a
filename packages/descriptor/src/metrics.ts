import { distance, symmetricAngleDistance } from '@actllm/core';
import { z } from 'zod';
import { assign } from './hungarian.js';
import { pairIdentical } from './identical.js';
import { nonNegative, readOptions } from './options.js';
import { assertScene, type DescribedObject, type SceneDescriptor } from './schema.js';

const CompareOptionsSchema = z.strictObject({
  matchDistance: nonNegative.optional(),
  attributeCost: nonNegative.optional(),
});

export interface CompareOptions {
  /** A predicted and a true object farther apart than this are not a match (default 0.1). */
  readonly matchDistance?: number;
  /** Cost added to the distance per wrong attribute (shape, colour) when matching (default 0.5). */
  readonly attributeCost?: number;
}

/** One predicted object matched to one true object. */
export interface MatchedPair {
  /** Indices into `predicted.objects` and `truth.objects`. */
  readonly predicted: number;
  readonly truth: number;
  readonly distance: number;
  readonly objectCorrect: boolean;
  readonly colorCorrect: boolean;
}

export interface SceneComparison {
  readonly truePositives: number;
  readonly falsePositives: number;
  readonly falseNegatives: number;
  /** Matches over predicted objects; 1 when nothing was predicted (no false positive). */
  readonly precision: number;
  /** Matches over true objects; 1 when the truth is empty (nothing missed). */
  readonly recall: number;
  readonly f1: number;
  /** Fractions of matches whose shape, colour, and both are right; `null` without matches. */
  readonly attributeAccuracy: {
    readonly object: number;
    readonly color: number;
    readonly both: number;
  } | null;
  /** Mean centre distance over matches; `null` without matches. */
  readonly meanPositionError: number | null;
  /** Mean yaw error over matches where both give `theta`; `null` when there is none. */
  readonly meanThetaError: number | null;
  readonly matches: readonly MatchedPair[];
}

/**
 * Compares a predicted scene with the truth. Objects are matched one to one by a minimum
 * total cost (Hungarian assignment), the cost being the centre distance plus `attributeCost`
 * per wrong shape or colour, so attributes steer which object goes with which while a
 * wrong colour at the right place still counts as found. An assigned pair farther apart than
 * `matchDistance` is no match: a false positive and a false negative. Views are ignored:
 * compare scenes of the same frame. Identical objects are paired before the assignment, which
 * then only sees the rest (scenes hold at most MAX_SCENE_OBJECTS objects). Throws
 * `DESCRIPTOR_INVALID_SCENE` for an invalid scene, `DESCRIPTOR_INVALID_OPTIONS` for an unknown
 * option or a value that is not a finite number >= 0.
 */
export function compare(
  predicted: SceneDescriptor,
  truth: SceneDescriptor,
  options: CompareOptions = {},
): SceneComparison {
  const checked = readOptions(CompareOptionsSchema, options, 'compare');
  const matchDistance = checked.matchDistance ?? 0.1;
  const attributeCost = checked.attributeCost ?? 0.5;
  const p = assertScene(predicted).objects;
  const t = assertScene(truth).objects;
  const matches: MatchedPair[] = [];
  for (const [i, j] of assignObjects(p, t, attributeCost)) {
    const a = p[i];
    const b = t[j];
    if (a === undefined || b === undefined) continue;
    const d = distance(a, b);
    if (d > matchDistance) continue;
    matches.push({
      predicted: i,
      truth: j,
      distance: d,
      objectCorrect: a.object === b.object,
      colorCorrect: a.color === b.color,
    });
  }
  const tp = matches.length;
  const precision = p.length === 0 ? 1 : tp / p.length;
  const recall = t.length === 0 ? 1 : tp / t.length;
  return {
    truePositives: tp,
    falsePositives: p.length - tp,
    falseNegatives: t.length - tp,
    precision,
    recall,
    f1: precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall),
    attributeAccuracy:
      tp === 0
        ? null
        : {
            object: matches.filter((m) => m.objectCorrect).length / tp,
            color: matches.filter((m) => m.colorCorrect).length / tp,
            both: matches.filter((m) => m.objectCorrect && m.colorCorrect).length / tp,
          },
    meanPositionError: tp === 0 ? null : matches.reduce((s, m) => s + m.distance, 0) / tp,
    meanThetaError: meanThetaError(matches, p, t),
    matches: matches.sort((x, y) => x.predicted - y.predicted),
  };
}

/** Index pairs of a minimum-cost assignment; identical objects are paired first (cost 0). */
function assignObjects(
  p: readonly DescribedObject[],
  t: readonly DescribedObject[],
  attributeCost: number,
): [number, number][] {
  const pairs: [number, number][] = [];
  const rest = pairIdentical(p, t, objectKey, [], pairs);
  const cost = rest.before.map((a) =>
    rest.after.map(
      (b) =>
        distance(a, b) +
        attributeCost * (Number(a.object !== b.object) + Number(a.color !== b.color)),
    ),
  );
  for (const [i, j] of assign(cost).pairs) {
    pairs.push([rest.beforeIndex[i] as number, rest.afterIndex[j] as number]);
  }
  return pairs;
}

function objectKey(o: DescribedObject): string {
  return `${o.object}\u0000${o.color}\u0000${o.x}\u0000${o.y}`;
}

function meanThetaError(
  matches: readonly MatchedPair[],
  p: SceneDescriptor['objects'],
  t: SceneDescriptor['objects'],
): number | null {
  let sum = 0;
  let n = 0;
  for (const m of matches) {
    const a = p[m.predicted]?.theta;
    const b = t[m.truth]?.theta;
    if (a === undefined || b === undefined) continue;
    sum += symmetricAngleDistance(a, b);
    n++;
  }
  return n === 0 ? null : sum / n;
}
