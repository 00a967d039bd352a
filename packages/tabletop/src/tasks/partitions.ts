import { TabletopError } from '../errors.js';
import { COLOR_NAMES } from '../objects/colors.js';
import { CONTAINER_SHAPES, OBJECT_SHAPES } from '../objects/shapes.js';
import type { PartitionSpec } from './types.js';

/**
 * Part 1 ships `train` and `L1` (new placements: same objects, a different seed stream).
 * The combinatorial and novel-object splits (L2, L3) and L4 come with part 2.
 */
const PARTITIONS: ReadonlyMap<string, PartitionSpec> = new Map(
  ['train', 'L1'].map((name) => [
    name,
    { name, objectShapes: OBJECT_SHAPES, containerShapes: CONTAINER_SHAPES, colors: COLOR_NAMES },
  ]),
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
