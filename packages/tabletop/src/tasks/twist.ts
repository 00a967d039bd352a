import type { SpawnSpec } from '../physics/spec.js';
import { getShape } from '../objects/shapes.js';
import { findObject, objectScale, pickLook, pickLooks, spawnFree, stay } from './common.js';
import type { Disc } from './placement.js';
import { objectAsset } from './refer.js';
import { isTurned, turnInPlace } from './rotate.js';
import type { AssetSpec, Look, PartitionSpec, TaskFamily } from './types.js';

export interface TwistGoal {
  readonly targets: readonly string[];
  /** The demonstrated turn, counter-clockwise, radians. */
  readonly angle: number;
}

const ANGLES_DEG = [45, 60, 90, 120, 135, 150] as const;
const TEMPLATES = ['"Twist" is defined by: from {before} to {after}. Now twist all {targets}.'];

/** Shapes whose turn is visible (symmetry order 1 or 2). */
const turnable = (l: Look): boolean => [1, 2].includes(getShape(l.shape).symmetry);

/** "blue objects", or, for a colour never seen in training, the colour of a shown object. */
function colourWords(
  color: string,
  partition: PartitionSpec,
  assets: Record<string, AssetSpec>,
  example: () => Look,
): string {
  if (!partition.novelColors.includes(color)) return `${color.replace(/_/g, ' ')} objects`;
  assets['color'] = objectAsset(example(), 'color');
  return 'objects with the colour of {color}';
}

/**
 * "Twist" is defined by a before/after pair of pictures of another object; every object of
 * the named colour (one or two, all turnable) must be turned by that angle in place.
 */
export const twist: TaskFamily<TwistGoal> = {
  name: 'twist',
  templates: TEMPLATES,
  sample(rng, partition) {
    const first = pickLook(rng, partition.looks.filter(turnable));
    const sameColour = partition.looks.filter((l) => turnable(l) && l.color === first.color);
    const extra = Math.min(rng.int(0, 2), sameColour.length - 1);
    const targets = [first, ...pickLooks(rng, sameColour, extra, [first])];
    const others = partition.looks.filter((l) => l.color !== first.color);
    const distractors = pickLooks(rng, others, rng.int(1, 3));
    const demo = pickLook(rng, others.filter(turnable));
    const taken: Disc[] = [];
    const scene: SpawnSpec[] = [...targets, ...distractors].map((l, i) =>
      spawnFree(rng, taken, `obj${i}`, l.shape, l.color, objectScale(rng)),
    );
    const deg = rng.pick(ANGLES_DEG);
    const angle = (deg * Math.PI) / 180;
    const start = rng.float(-Math.PI, Math.PI);
    const frame = (theta: number): AssetSpec => ({
      kind: 'scene',
      objects: [{ id: 'demo', ...demo, scale: 1, pose: { x: 0.5, y: 0.5, theta } }],
    });
    const assets: Record<string, AssetSpec> = {
      before: frame(start),
      after: frame(start + angle),
    };
    const words = colourWords(first.color, partition, assets, () =>
      pickLook(
        rng,
        partition.looks.filter((l) => l.color === first.color),
        targets,
      ),
    );
    return {
      scene,
      instruction: { text: TEMPLATES[0]?.replace('{targets}', words) ?? '', assets },
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
