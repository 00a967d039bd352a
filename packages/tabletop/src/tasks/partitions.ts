import { TabletopError } from '../errors.js';
import { COLOR_NAMES } from '../objects/colors.js';
import { CONTAINER_SHAPES, OBJECT_SHAPES } from '../objects/shapes.js';
import type { Look, PartitionSpec } from './types.js';
import {
  HELD_OUT_COMBOS,
  L4_TASKS,
  NOVEL_COLORS,
  NOVEL_CONTAINERS,
  NOVEL_SHAPES,
  TRAIN_TASKS,
} from './splits.js';

const TRAIN_SHAPES = OBJECT_SHAPES.filter((s) => !NOVEL_SHAPES.includes(s));
const TRAIN_COLORS = COLOR_NAMES.filter((c) => !NOVEL_COLORS.includes(c));
const TRAIN_CONTAINERS = CONTAINER_SHAPES.filter((s) => !NOVEL_CONTAINERS.includes(s));
/** Containers are furniture: solid training colours only (a pattern or a dark variant would hide what is in them). */
const CONTAINER_COLORS = TRAIN_COLORS.filter((c) => !c.includes('_'));

function isHeldOut(shape: string, color: string): boolean {
  return HELD_OUT_COMBOS[shape]?.includes(color) ?? false;
}

function looks(shapes: readonly string[], colors: readonly string[]): Look[] {
  return shapes.flatMap((shape) => colors.map((color) => ({ shape, color })));
}

const TRAIN_LOOKS = looks(TRAIN_SHAPES, TRAIN_COLORS).filter((l) => !isHeldOut(l.shape, l.color));
const L2_LOOKS = looks(TRAIN_SHAPES, TRAIN_COLORS).filter((l) => isHeldOut(l.shape, l.color));
// L3: every small object has a shape or a colour (or both) never seen in training.
const L3_LOOKS = looks(OBJECT_SHAPES, COLOR_NAMES).filter(
  (l) => NOVEL_SHAPES.includes(l.shape) || NOVEL_COLORS.includes(l.color),
);

function spec(name: string, objectLooks: readonly Look[], tasks: readonly string[]): PartitionSpec {
  return {
    name,
    looks: objectLooks,
    objectShapes: [...new Set(objectLooks.map((l) => l.shape))],
    colors: [...new Set(objectLooks.map((l) => l.color))],
    containerShapes: name === 'L3' ? CONTAINER_SHAPES : TRAIN_CONTAINERS,
    containerColors: CONTAINER_COLORS,
    novelShapes: name === 'L3' ? [...NOVEL_SHAPES, ...NOVEL_CONTAINERS] : [],
    novelColors: name === 'L3' ? NOVEL_COLORS : [],
    tasks,
  };
}

/**
 * train; L1 new placements (the same objects, another seed stream, since the partition name
 * is part of the episode seed); L2 held-out combinations; L3 novel shapes and colours; L4
 * novel task families on training objects.
 */
const PARTITIONS: ReadonlyMap<string, PartitionSpec> = new Map(
  [
    spec('train', TRAIN_LOOKS, TRAIN_TASKS),
    spec('L1', TRAIN_LOOKS, TRAIN_TASKS),
    spec('L2', L2_LOOKS, TRAIN_TASKS),
    spec('L3', L3_LOOKS, TRAIN_TASKS),
    spec('L4', TRAIN_LOOKS, L4_TASKS),
  ].map((p) => [p.name, p]),
);

export function listPartitions(): string[] {
  return [...PARTITIONS.keys()];
}

export function getPartition(name: string): PartitionSpec {
  const p = PARTITIONS.get(name);
  if (!p) {
    throw new TabletopError(
      'TABLETOP_UNKNOWN_PARTITION',
      `Unknown partition "${name}"; use one of ${listPartitions().join(', ')}.`,
    );
  }
  return p;
}
