import { z } from 'zod';
import { readOptions } from './options.js';
import { assertScene, type DescribedObject, type SceneDescriptor } from './schema.js';

export interface JsonOptions {
  /** Spaces of indentation; default 0 (one line), which is the canonical form. */
  readonly indent?: number;
}

/** JSON.stringify silently caps indentation at 10 and accepts strings; we do not. */
const JsonOptionsSchema = z.strictObject({ indent: z.number().int().min(0).max(10).optional() });

/**
 * Canonical JSON: keys in a fixed order (`version`, `objects`; per object `object, color, x,
 * y, w, h, theta, id, view`), absent fields left out, numbers as JavaScript writes them (the
 * shortest text that reads back to the same double, so the form is exact). Objects keep the
 * scene's order; build or canonicalize a scene first for the documented order. Throws
 * `DESCRIPTOR_INVALID_SCENE` for an invalid scene, `DESCRIPTOR_INVALID_OPTIONS` for an indent
 * that is not an integer in [0, 10] or an unknown option.
 */
export function toJson(scene: SceneDescriptor, options: JsonOptions = {}): string {
  const { indent } = readOptions(JsonOptionsSchema, options, 'toJson');
  const valid = assertScene(scene);
  const ordered = { version: valid.version, objects: valid.objects.map(orderKeys) };
  return JSON.stringify(ordered, null, indent ?? 0);
}

function orderKeys(o: DescribedObject): DescribedObject {
  return {
    object: o.object,
    color: o.color,
    x: o.x,
    y: o.y,
    ...(o.w === undefined ? {} : { w: o.w }),
    ...(o.h === undefined ? {} : { h: o.h }),
    ...(o.theta === undefined ? {} : { theta: o.theta }),
    ...(o.id === undefined ? {} : { id: o.id }),
    ...(o.view === undefined ? {} : { view: o.view }),
  };
}
