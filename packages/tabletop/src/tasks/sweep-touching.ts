import { normalizeAngle, type ObjectState, type Rng } from '@actllm/core';
import { footprintRadius, getShape } from '../objects/shapes.js';
import type { SpawnSpec } from '../physics/spec.js';
import { findObject, scaleOf } from './common.js';
import {
  plannedSteps,
  swept,
  sampleLayout,
  sweepAction,
  type SweepGoal,
  type SweepRules,
} from './sweep.js';
import {
  at,
  blockLooks,
  blockSpec,
  blockSpots,
  borderDiscs,
  spacingDiscs,
  round4,
  sampleAxes,
  sampleCount,
  sweptWords,
  within,
  zoneSpec,
} from './sweep-layout.js';
import { instructionOf, refer } from './refer.js';
import type {
  AssetSpec,
  BodyPose,
  PartitionSpec,
  TaskFamily,
  TaskSample,
  TaskState,
} from './types.js';

export interface TouchingGoal extends SweepGoal {
  readonly obstacle: string;
}

/** The obstacle counts as touched once it has moved this far or turned this much. */
export const TOUCH_SHIFT = 0.005;
export const TOUCH_TURN = 0.05;
/** The oracle keeps its plate and blocks this far from the obstacle's footprint. */
const OBSTACLE_CLEARANCE = 0.025;

const TEMPLATES = [
  'Sweep {blocks} into the {zone} without touching the {obstacle}.',
  'Push {blocks} into the {zone} without touching the {obstacle}.',
];

function rules(goal: TouchingGoal): SweepRules {
  return {
    margin: (o) => (o.id === goal.obstacle ? OBSTACLE_CLEARANCE : 0.005),
    allowed: () => true,
  };
}

/** True when the obstacle stands where it started (to the tolerances) in `objects`. */
export function untouched(
  goal: TouchingGoal,
  start: ObjectState,
  objects: readonly (ObjectState | BodyPose)[],
): boolean {
  const o = objects.find((x) => x.id === goal.obstacle);
  if (!o) return false;
  const p = 'pose' in o ? { ...o.pose, z: o.z } : o;
  const shift = Math.hypot(p.x - start.pose.x, p.y - start.pose.y);
  const turn = Math.abs(normalizeAngle(p.theta - start.pose.theta));
  return shift <= TOUCH_SHIFT && turn <= TOUCH_TURN && Math.abs(p.z - start.z) <= TOUCH_SHIFT;
}

/** The obstacle was touched at some state of the episode memory: broken for good. */
function touched(goal: TouchingGoal, state: TaskState): boolean {
  const start = findObject(state.initial, goal.obstacle);
  if (!start) return true;
  const seen = [...(state.history ?? [state.initial]), state.objects];
  return !seen.every((s) => untouched(goal, start, s));
}

/** The obstacle between the zone and the blocks; null when the scene does not fit. */
function layout(rng: Rng, partition: PartitionSpec): TaskSample<TouchingGoal> | null {
  const a = sampleAxes(rng, 0.15);
  const corners = [-1, 1].flatMap((i) => [-1, 1].map((j) => at(a, i * 0.108, j * 0.108)));
  if (!corners.every((p) => within(p, 0.02))) return null;
  const crosses = partition.looks.filter((l) => l.shape === 'cross');
  const cross = rng.pick(crosses);
  const obstacleAt = at(a, -0.2, rng.float(-0.05, 0.05));
  if (!within(obstacleAt, 0.07)) return null;
  const keepOff = [{ ...obstacleAt, r: 0.12 }];
  const { word, count, blocks } = sampleCount(rng, ['one', 'two', 'all'], 2);
  const spots = blockSpots(rng, a, blocks + 1, { depth: [-0.42, -0.28], lateral: 0.2 }, keepOff);
  if (!spots) return null;
  const looks = blockLooks(rng, partition, 1, cross.color);
  const all = [...Array.from({ length: blocks }, () => looks.target), ...looks.distractors];
  const zoneColor = rng.pick(partition.containerColors);
  const scene: SpawnSpec[] = [
    zoneSpec('obj0', zoneColor, a),
    {
      id: 'obj1',
      shape: cross.shape,
      color: cross.color,
      scale: 1,
      pose: {
        x: round4(obstacleAt.x),
        y: round4(obstacleAt.y),
        theta: round4(rng.float(0, Math.PI / 2)),
      },
    },
    ...all.map((l, i) => blockSpec(rng, `obj${i + 2}`, l, spots[i] ?? a.origin)),
  ];
  const slots = [at(a, 0.03, -0.045), at(a, 0.03, 0.045)].map((p) => ({
    x: round4(p.x),
    y: round4(p.y),
  }));
  const goal: TouchingGoal = {
    targets: Array.from({ length: blocks }, (_, i) => `obj${i + 2}`),
    count,
    zone: 'obj0',
    obstacle: 'obj1',
    slots,
  };
  const steps = plannedSteps(goal, scene, rules(goal));
  if (steps === null) return null;
  const assets: Record<string, AssetSpec> = {};
  const text = rng
    .pick(TEMPLATES)
    .replace('{blocks}', sweptWords(rng, partition, looks.target, word, assets))
    .replace('{zone}', `${zoneColor.replace(/_/g, ' ')} frame`)
    .replace('{obstacle}', refer(rng, cross, partition, 'obstacle', assets));
  return { scene, instruction: instructionOf(text, assets), goal, oracleSteps: steps };
}

/**
 * "Sweep two small blue blocks into the frame without touching the red cross." (L4 only):
 * the count, the distractor kept out and the obstacle left where it stands, checked at every
 * physics substep of every push. Spatula only.
 */
export const sweepWithoutTouching: TaskFamily<TouchingGoal> = {
  name: 'sweep_without_touching',
  templates: TEMPLATES,
  endEffector: 'spatula',
  sample(rng, partition) {
    return sampleLayout('sweep_without_touching', rng, partition, layout);
  },
  success(goal, state) {
    return swept(goal, state.objects) && !touched(goal, state);
  },
  failed(goal, state) {
    return touched(goal, state);
  },
  during(goal, poses, initial) {
    const start = findObject(initial, goal.obstacle);
    return !start || !untouched(goal, start, poses);
  },
  oracle(goal, state) {
    return sweepAction(goal, state.objects, rules(goal));
  },
  reserved(goal, state) {
    // Nothing is put next to the obstacle: a block there could not be pushed without touching.
    const o = findObject(state.objects, goal.obstacle);
    if (!o) return [];
    const r = footprintRadius(getShape(o.shape), scaleOf(o)) + 0.08;
    return [{ x: o.pose.x, y: o.pose.y, r }, ...borderDiscs(), ...spacingDiscs(state.objects)];
  },
  kept(goal) {
    return [goal.obstacle];
  },
};
