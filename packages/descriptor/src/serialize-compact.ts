import { z } from 'zod';
import { binsOption, readOptions } from './options.js';
import { DEFAULT_BINS, toAngleBin, toBin } from './quantize.js';
import { assertScene, type DescribedObject, type SceneDescriptor } from './schema.js';
import {
  ID_MARK,
  OBJECT_CLOSE,
  OBJECT_OPEN,
  SCENE_CLOSE,
  SCENE_OPEN,
  binToken,
  viewToken,
} from './vocabulary.js';

export interface CompactOptions {
  /** Bin count of the coordinate tokens (default {@link DEFAULT_BINS}). */
  readonly bins?: number;
}

const CompactOptionsSchema = z.strictObject({ bins: binsOption.optional() });

/**
 * The compact form for the language model: one whitespace-separated token per field value,
 * numbers as bin tokens. Grammar (fields in this order, optional ones in brackets):
 *
 *     <scene_v1> ( <obj> SHAPE COLOR <x_i> <y_j> [<w_k>] [<h_l>] [<t_m>] [<view_V>] [<id> ID] </obj> )* </scene>
 *
 * Numbers are quantized, so the form is exact for a scene at bin resolution (see
 * `canonicalizeScene`). Throws `DESCRIPTOR_INVALID_SCENE` for an invalid scene,
 * `DESCRIPTOR_INVALID_OPTIONS` for bad options.
 */
export function toCompact(scene: SceneDescriptor, options: CompactOptions = {}): string {
  const bins = readOptions(CompactOptionsSchema, options, 'toCompact').bins ?? DEFAULT_BINS;
  const valid = assertScene(scene);
  const tokens = [SCENE_OPEN];
  for (const o of valid.objects) pushObject(tokens, o, bins);
  tokens.push(SCENE_CLOSE);
  return tokens.join(' ');
}

function pushObject(tokens: string[], o: DescribedObject, bins: number): void {
  tokens.push(OBJECT_OPEN, o.object, o.color, binToken('x', toBin(o.x, bins)));
  tokens.push(binToken('y', toBin(o.y, bins)));
  if (o.w !== undefined) tokens.push(binToken('w', toBin(o.w, bins)));
  if (o.h !== undefined) tokens.push(binToken('h', toBin(o.h, bins)));
  if (o.theta !== undefined) tokens.push(binToken('t', toAngleBin(o.theta, bins)));
  if (o.view !== undefined) tokens.push(viewToken(o.view));
  if (o.id !== undefined) tokens.push(ID_MARK, o.id);
  tokens.push(OBJECT_CLOSE);
}
