import { VIEW_NAMES, type ViewName } from '@actllm/core';
import { z } from 'zod';
import { DescriptorError } from './errors.js';

/** The version every scene carries; a reader refuses versions it does not know. */
export const SCENE_SCHEMA_VERSION = 1;

/**
 * Names (shape, colour, id) are single tokens of the compact form, so they may not hold
 * whitespace or start with `<` (which begins every structure token): letters, digits and
 * `_ . -`, starting with a letter or digit, at most 64 characters.
 */
export const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

/**
 * The most objects a scene may hold. Real tabletop scenes hold a few dozen at most; the cap
 * bounds the work of matching (`inferAction`, `compare` are cubic in the object count) and of
 * the output grammar, and stops a model stuck repeating objects from producing a scene that
 * is expensive to use. A longer scene is invalid; parsing keeps the first ones and reports
 * `too_many_objects`.
 */
export const MAX_SCENE_OBJECTS = 256;

/** One object of a scene, as the language model reads and writes it. */
export interface DescribedObject {
  /** Shape name, e.g. `block`, `letter_r`. */
  readonly object: string;
  /** Colour or texture name, e.g. `red`, `red_and_blue_stripe`. */
  readonly color: string;
  /** Normalized centre of the object's bounding box (workspace frame: its position on the table). */
  readonly x: number;
  readonly y: number;
  /** Normalized width and height of the bounding box (workspace frame: the object's extents). */
  readonly w?: number;
  readonly h?: number;
  /** Yaw in (-pi, pi]; only in the workspace frame. */
  readonly theta?: number;
  /** The object's id in the episode, when known. */
  readonly id?: string;
  /** The camera view whose image the coordinates refer to; absent for the workspace frame. */
  readonly view?: ViewName;
}

/** A structured scene descriptor: the objects, in the order they are written. */
export interface SceneDescriptor {
  readonly version: typeof SCENE_SCHEMA_VERSION;
  readonly objects: readonly DescribedObject[];
}

const name = z.string().regex(NAME_PATTERN);
const unit = z.number().min(0).max(1);

/** The zod schema of one object; `strict`, so misspelt keys are reported. */
export const DescribedObjectSchema = z.strictObject({
  object: name.describe('Shape name.'),
  color: name.describe('Colour or texture name.'),
  x: unit.describe('Normalized x of the bounding-box centre.'),
  y: unit.describe('Normalized y of the bounding-box centre.'),
  w: unit.optional().describe('Normalized bounding-box width.'),
  h: unit.optional().describe('Normalized bounding-box height.'),
  theta: z.number().gt(-Math.PI).lte(Math.PI).optional().describe('Yaw in radians, in (-pi, pi].'),
  id: name.optional().describe('Object id within the episode.'),
  view: z
    .enum(VIEW_NAMES)
    .optional()
    .describe('Camera view of the coordinates; absent: workspace.'),
});

/** The zod schema of a scene. Its JSON Schema is shipped as `@actllm/descriptor/schema.json`. */
export const SceneDescriptorSchema = z
  .strictObject({
    version: z.literal(SCENE_SCHEMA_VERSION),
    objects: z.array(DescribedObjectSchema).max(MAX_SCENE_OBJECTS),
  })
  .meta({
    title: 'ACTLLM scene descriptor',
    description: 'A structured list of objects, each (object, color, x, y) with optional extras.',
  });

/** The JSON Schema (draft 2020-12) of a scene, as written to `schema.json`. */
export function sceneJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(SceneDescriptorSchema);
}

/** The result of {@link validateScene}. */
export type SceneValidation =
  | { readonly ok: true; readonly value: SceneDescriptor }
  | { readonly ok: false; readonly error: DescriptorError };

/** Checks an untrusted value against the schema. Never throws. */
export function validateScene(value: unknown): SceneValidation {
  const count = objectCount(value);
  if (count > MAX_SCENE_OBJECTS) {
    // Checked before the schema, which would validate every object of a hostile scene first.
    return {
      ok: false,
      error: new DescriptorError(
        'DESCRIPTOR_INVALID_SCENE',
        `A scene holds at most ${MAX_SCENE_OBJECTS} objects; this one has ${count}. Drop repeated or spurious objects (parseScene keeps the first ${MAX_SCENE_OBJECTS}).`,
      ),
    };
  }
  const result = SceneDescriptorSchema.safeParse(value);
  if (result.success) return { ok: true, value: result.data as SceneDescriptor };
  const issue = result.error.issues[0];
  const where = issue && issue.path.length > 0 ? ` at ${issue.path.join('.')}` : '';
  return {
    ok: false,
    error: new DescriptorError(
      'DESCRIPTOR_INVALID_SCENE',
      `Not a valid scene descriptor${where}: ${issue?.message ?? 'unknown problem'}. Build scenes with buildScene or read them with parseScene.`,
      { cause: result.error },
    ),
  };
}

function objectCount(value: unknown): number {
  if (typeof value !== 'object' || value === null) return 0;
  const objects = (value as { objects?: unknown }).objects;
  return Array.isArray(objects) ? objects.length : 0;
}

/** Like {@link validateScene}, but throws the {@link DescriptorError}. */
export function assertScene(value: unknown): SceneDescriptor {
  const result = validateScene(value);
  if (!result.ok) throw result.error;
  return result.value;
}
