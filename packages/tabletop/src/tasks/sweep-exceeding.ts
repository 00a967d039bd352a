import type { ObjectState, Point2, Rng } from '@actllm/core';
import type { SpawnSpec } from '../physics/spec.js';
import type { Disc } from './placement.js';
import {
  plannedSteps,
  sampleLayout,
  sweepAction,
  swept,
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
  type Axes,
  sweptWords,
  within,
  zoneSpec,
} from './sweep-layout.js';
import { instructionOf } from './refer.js';
import type { AssetSpec, BodyPose, PartitionSpec, TaskFamily, TaskSample } from './types.js';

export interface ExceedingGoal extends SweepGoal {
  readonly line: string;
  /** The line's near edge: a block whose centre passes it (along `nx, ny`) is beyond the line. */
  readonly limit: {
    readonly x: number;
    readonly y: number;
    readonly nx: number;
    readonly ny: number;
  };
}

/** The zone's outer half side at its scale, then a 0.02 gap, then the 0.024-wide line. */
const LINE_DEPTH = 0.108 + 0.02 + 0.012;
const LIMIT_DEPTH = LINE_DEPTH - 0.012;
/** The oracle's waypoints stay this far short of the line, so no push aims at it. */
const WAYPOINT_CLEARANCE = 0.06;

const TEMPLATES = [
  'Sweep {blocks} into the {zone} without exceeding the {line}.',
  'Push {blocks} into the {zone} without going past the {line}.',
];

/** How far past the line's near edge a point is (negative: on the zone's side). */
export function pastLine(goal: ExceedingGoal, p: Point2): number {
  return (p.x - goal.limit.x) * goal.limit.nx + (p.y - goal.limit.y) * goal.limit.ny;
}

function rules(goal: ExceedingGoal): SweepRules {
  return { margin: () => 0.005, allowed: (p) => pastLine(goal, p) < -WAYPOINT_CLEARANCE };
}

/** Some object (a block to sweep or a distractor) has its centre past the line. */
function beyond(goal: ExceedingGoal, objects: readonly (ObjectState | BodyPose)[]): boolean {
  return objects.some((o) => {
    if (o.id === goal.zone || o.id === goal.line) return false;
    const p = 'pose' in o ? o.pose : o;
    return pastLine(goal, p) > 0;
  });
}

/** Crossed the line at some state of the episode memory: broken for good. */
function crossed(goal: ExceedingGoal, state: Parameters<TaskFamily['success']>[1]): boolean {
  return [...(state.history ?? [state.initial]), state.objects].some((s) => beyond(goal, s));
}

/**
 * Distractor spots beside the zone, one on each side (0.18-0.22 off its centre line, level
 * with it): in plain view of the sweep, out of the way behind the zone; null if off the table.
 */
function flankSpots(rng: Rng, a: Axes, n: number): Point2[] | null {
  const sides = rng.shuffle([-1, 1]).slice(0, n);
  const out = sides.map((side) => at(a, rng.float(-0.1, 0.02), side * rng.float(0.18, 0.22)));
  return out.every((p) => within(p, 0.07)) ? out : null;
}

/** Three blocks behind the zone, the line just past its far side; null when it does not fit. */
function layout(rng: Rng, partition: PartitionSpec): TaskSample<ExceedingGoal> | null {
  const a = sampleAxes(rng, 0.1);
  const corners = [-1, 1].flatMap((i) => [-1, 1].map((j) => at(a, i * 0.108, j * 0.108)));
  const ends = [at(a, LINE_DEPTH, -0.15), at(a, LINE_DEPTH, 0.15)];
  if (![...corners, ...ends].every((p) => within(p, 0.02))) return null;
  const { word, count, blocks } = sampleCount(rng, ['one', 'two', 'three', 'all'], 3);
  const distractorCount = blocks === 3 ? 1 : rng.int(1, 3);
  const blockAt = blockSpots(rng, a, blocks, { depth: [-0.34, -0.16], lateral: 0.16 });
  const flanks = flankSpots(rng, a, distractorCount);
  if (!blockAt || !flanks) return null;
  const spots = [...blockAt, ...flanks];
  const zoneColor = rng.pick(partition.containerColors);
  const lineColor = rng.pick(partition.containerColors.filter((c) => c !== zoneColor));
  const lineAt = at(a, LINE_DEPTH, 0);
  const limitAt = at(a, LIMIT_DEPTH, 0);
  const looks = blockLooks(rng, partition, distractorCount);
  const all = [...Array.from({ length: blocks }, () => looks.target), ...looks.distractors];
  const scene: SpawnSpec[] = [
    zoneSpec('obj0', zoneColor, a),
    {
      id: 'obj1',
      shape: 'line',
      color: lineColor,
      scale: 1,
      pose: { x: round4(lineAt.x), y: round4(lineAt.y), theta: round4(a.angle) },
    },
    ...all.map((l, i) => blockSpec(rng, `obj${i + 2}`, l, spots[i] ?? a.origin)),
  ];
  // Deep pair first, then the shallow middle: a later push stops short of the earlier blocks.
  const slots = [at(a, 0.04, -0.045), at(a, 0.04, 0.045), at(a, -0.045, 0)].map((p) => ({
    x: round4(p.x),
    y: round4(p.y),
  }));
  const goal: ExceedingGoal = {
    targets: Array.from({ length: blocks }, (_, i) => `obj${i + 2}`),
    count,
    zone: 'obj0',
    line: 'obj1',
    slots,
    limit: { x: round4(limitAt.x), y: round4(limitAt.y), nx: round4(a.d.x), ny: round4(a.d.y) },
  };
  const steps = plannedSteps(goal, scene, rules(goal));
  if (steps === null) return null;
  const assets: Record<string, AssetSpec> = {};
  const text = rng
    .pick(TEMPLATES)
    .replace('{blocks}', sweptWords(rng, partition, looks.target, word, assets))
    .replace('{zone}', `${zoneColor.replace(/_/g, ' ')} frame`)
    .replace('{line}', `${lineColor.replace(/_/g, ' ')} line`);
  return { scene, instruction: instructionOf(text, assets), goal, oracleSteps: steps };
}

/**
 * Discs covering the table from just behind the zone to past the line (on a 0.08 grid): no
 * disturbance puts a block past the line, and a displaced block lands behind the zone, where
 * the spatula can sweep it straight in.
 */
function aheadDiscs(goal: ExceedingGoal): Disc[] {
  const out: Disc[] = [];
  for (let y = -0.04; y <= 1.04; y += 0.08)
    for (let x = -0.04; x <= 1.04; x += 0.08)
      if (pastLine(goal, { x, y }) > -(LIMIT_DEPTH + 0.14)) out.push({ x, y, r: 0.06 });
  return out;
}

/**
 * "Sweep two small red blocks into the frame without exceeding the line.": exactly that many
 * of the named blocks into the zone, the distractor blocks kept out, and no object's centre
 * ever past the line, checked at every physics substep of every push. Spatula only.
 */
export const sweepWithoutExceeding: TaskFamily<ExceedingGoal> = {
  name: 'sweep_without_exceeding',
  templates: TEMPLATES,
  endEffector: 'spatula',
  sample(rng, partition) {
    return sampleLayout('sweep_without_exceeding', rng, partition, layout);
  },
  success(goal, state) {
    return swept(goal, state.objects) && !crossed(goal, state);
  },
  failed(goal, state) {
    return crossed(goal, state);
  },
  during(goal, poses) {
    return beyond(goal, poses);
  },
  oracle(goal, state) {
    return sweepAction(goal, state.objects, rules(goal));
  },
  reserved(goal, state) {
    return [...aheadDiscs(goal), ...borderDiscs(), ...spacingDiscs(state.objects)];
  },
};
