import type { SpawnSpec } from '../physics/spec.js';
import { describe } from './common.js';
import type { AssetSpec, Look, PartitionSpec } from './types.js';

/** Where a prompt picture of one object is drawn: alone, upright, at the workspace centre. */
export function objectAsset(look: Look, id: string, scale = 1): AssetSpec {
  const object: SpawnSpec = { id, ...look, scale, pose: { x: 0.5, y: 0.5, theta: 0 } };
  return { kind: 'object', object };
}

/**
 * How an instruction names an object. A shape or colour never seen in training has no word a
 * policy could know, so the object is shown instead (VIMA-Bench's L3): `{name}` in the text
 * with an `object` asset added to `assets`. Everything else is named in words.
 */
export function refer(
  look: Look,
  partition: PartitionSpec,
  name: string,
  assets: Record<string, AssetSpec>,
): string {
  const novel =
    partition.novelShapes.includes(look.shape) || partition.novelColors.includes(look.color);
  if (!novel) return describe(look);
  assets[name] = objectAsset(look, name);
  return `{${name}}`;
}

/** An instruction with its assets, leaving `assets` out when there are none. */
export function instructionOf(
  text: string,
  assets: Readonly<Record<string, AssetSpec>>,
): { readonly text: string; readonly assets?: Readonly<Record<string, AssetSpec>> } {
  return Object.keys(assets).length > 0 ? { text, assets } : { text };
}
