import type { SpawnSpec } from '../physics/spec.js';
import { getShape } from '../objects/shapes.js';
import { findObject, objectScale, pickLook, pickLooks, spawnFree, stay } from './common.js';
import type { Disc } from './placement.js';
import { WORDS_SHARE, objectAsset } from './refer.js';
import type { Rng } from '@actllm/core';
import { isTurned, turnInPlace } from './rotate.js';
import type { AssetSpec, Look, PartitionSpec, TaskFamily } from './types.js';

export interface TwistGoal {
  readonly targets: readonly string[];
  /** The demonstrated turn, counter-clockwise, radians. */
  readonly angle: number;
}

/** Demonstrated angles, counter-clockwise: 30 to 330 degrees in steps of 30 (as VIMA-Bench). */
export const TWIST_ANGLES_DEG: readonly number[] = Array.from(
  { length: 11 },
  (_, i) => 30 * (i + 1),
);
const TEMPLATES = [
  '"Twist" is defined by: {examples}. Now twist all {targets}.',
  'This is how to "twist": {examples}. Now twist all {targets}.',
];

/** Shapes whose turn is visible (symmetry order 1 or 2). */
const turnable = (l: Look): boolean => [1, 2].includes(getShape(l.shape).symmetry);

/**
 * "blue objects", or "objects with the colour of {color}" and a picture: always for a colour
 * never seen in training, else at random (`WORDS_SHARE`), as every reference.
 */
function colourWords(
  rng: Rng,
  color: string,
  partition: PartitionSpec,
  assets: Record<string, AssetSpec>,
  example: () => Look,
): string {
  const novel = partition.novelColors.includes(color);
  if (!novel && rng.bool(WORDS_SHARE)) return `${color.replace(/_/g, ' ')} objects`;
  assets['color'] = objectAsset(example(), 'color');
  return 'objects with the colour of {color}';
}

/**
 * "Twist" is defined by two or three before/after pairs of pictures of other objects, all
 * turned by one angle (30-330 degrees); every object of the named colour (one or two, all
 * turnable) must be turned by that angle in place.
 */
export const twist: TaskFamily<TwistGoal> = {
  name: 'twist',
  templates: TEMPLATES,
  sample(rng, partition) {
    const deg = rng.pick(TWIST_ANGLES_DEG);
    const angle = (deg * Math.PI) / 180;
    // A half turn leaves a shape of symmetry 2 as it was: only asymmetric targets then.
    const canTurn = (l: Look): boolean =>
      deg === 180 ? getShape(l.shape).symmetry === 1 : turnable(l);
    const first = pickLook(rng, partition.looks.filter(canTurn));
    const sameColour = partition.looks.filter((l) => canTurn(l) && l.color === first.color);
    const extra = Math.min(rng.int(0, 2), sameColour.length - 1);
    const targets = [first, ...pickLooks(rng, sameColour, extra, [first])];
    const others = partition.looks.filter((l) => l.color !== first.color);
    const distractors = pickLooks(rng, others, rng.int(1, 3));
    const taken: Disc[] = [];
    const scene: SpawnSpec[] = [...targets, ...distractors].map((l, i) =>
      spawnFree(rng, taken, `obj${i}`, l.shape, l.color, objectScale(rng)),
    );
    // Two or three examples, each of another object without symmetry (the turn is unambiguous).
    const asymmetric = others.filter((l) => getShape(l.shape).symmetry === 1);
    const demos = pickLooks(rng, asymmetric.length >= 3 ? asymmetric : others, rng.int(2, 4));
    const assets: Record<string, AssetSpec> = {};
    const examples = demos.map((demo, i) => {
      const start = rng.float(-Math.PI, Math.PI);
      const frame = (theta: number): AssetSpec => ({
        kind: 'scene',
        objects: [{ id: 'demo', ...demo, scale: 1, pose: { x: 0.5, y: 0.5, theta } }],
      });
      assets[`before${i + 1}`] = frame(start);
      assets[`after${i + 1}`] = frame(start + angle);
      return `from {before${i + 1}} to {after${i + 1}}`;
    });
    // The colour is shown on another object of that colour when there is one, else on a target's look.
    const ofColour = partition.looks.filter((l) => l.color === first.color);
    const words = colourWords(rng, first.color, partition, assets, () =>
      ofColour.length > targets.length ? pickLook(rng, ofColour, targets) : first,
    );
    const text = rng
      .pick(TEMPLATES)
      .replace('{examples}', examples.join(', '))
      .replace('{targets}', words);
    return {
      scene,
      instruction: { text, assets },
      goal: { targets: targets.map((_, i) => `obj${i}`), angle },
      oracleSteps: targets.length,
    };
  },
  success(goal, state) {
    return goal.targets.every((id) => {
      const now = findObject(state.objects, id);
      const start = findObject(state.initial, id);
      return !!now && !!start && isTurned(now, start, goal.angle);
    });
  },
  reserved(goal, state) {
    return state.initial
      .filter((o) => goal.targets.includes(o.id))
      .map((o) => ({ x: o.pose.x, y: o.pose.y, r: 0.07 }));
  },
  oracle(goal, state) {
    for (const id of goal.targets) {
      const now = findObject(state.objects, id);
      const start = findObject(state.initial, id);
      if (now && start && !isTurned(now, start, goal.angle))
        return turnInPlace(now, start, goal.angle);
    }
    const any = findObject(state.objects, goal.targets[0] ?? '');
    if (!any) throw new Error('unreachable: twist goal without targets');
    return stay(any);
  },
};
