import type { Rng } from '@actllm/core';
import type { SpawnSpec } from '../physics/spec.js';
import { describe } from './common.js';
import type { AssetSpec, Look, PartitionSpec } from './types.js';

/** Where a prompt picture of one object is drawn: alone, upright, at the workspace centre. */
export function objectAsset(look: Look, id: string, scale = 1, height = 1): AssetSpec {
  const object: SpawnSpec = {
    id,
    ...look,
    scale,
    ...(height === 1 ? {} : { height }),
    pose: { x: 0.5, y: 0.5, theta: 0 },
  };
  return { kind: 'object', object };
}

/**
 * Share of references made in words when both words are known. VIMA-Bench shows objects as
 * images or names them in words; here each reference is one or the other with equal odds,
 * at every level, so a prompt form is never new at test time.
 */
export const WORDS_SHARE = 0.5;

/** True when the look has a shape or colour never seen in training (no word a policy knows). */
export function isNovel(look: Look, partition: PartitionSpec): boolean {
  return partition.novelShapes.includes(look.shape) || partition.novelColors.includes(look.color);
}

/**
 * How an instruction names an object or a container: in words ("red block") or by a picture
 * (`{name}` in the text, an `object` asset added to `assets`). A look never seen in training
 * is always shown (VIMA-Bench's L3); any other is shown or named, at random (`WORDS_SHARE`).
 */
export function refer(
  rng: Rng,
  look: Look,
  partition: PartitionSpec,
  name: string,
  assets: Record<string, AssetSpec>,
): string {
  if (!isNovel(look, partition) && rng.bool(WORDS_SHARE)) return describe(look);
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
