import { VIEW_NAMES, type BoundingBox, type ObjectState, type ViewName } from '@actllm/core';
import { z } from 'zod';
import { describeValue, quote } from './arguments.js';
import { DescriptorError } from './errors.js';
import { binsOption, readOptions } from './options.js';
import { DEFAULT_BINS, quantizeAngle, quantizeUnit } from './quantize.js';
import {
  MAX_SCENE_OBJECTS,
  NAME_PATTERN,
  SCENE_SCHEMA_VERSION,
  assertScene,
  type DescribedObject,
  type SceneDescriptor,
} from './schema.js';

/** The frame coordinates are given in: the table (`workspace`) or one camera view's image. */
export type Frame = 'workspace' | ViewName;

export interface BuildOptions {
  /** Default `workspace`: pose and size. A view name: that view's bounding boxes. */
  readonly frame?: Frame;
  /** Bin count of the quantization (default {@link DEFAULT_BINS}). */
  readonly bins?: number;
  /** Write `w` and `h` (default false). */
  readonly size?: boolean;
  /** Write `theta` (default true in the workspace frame; views have no yaw). */
  readonly theta?: boolean;
  /** Write `id` (default false: the language model does not see ids). */
  readonly ids?: boolean;
}

/**
 * The documented object order: by `y`, then `x` (both at bin resolution, so the order is a
 * function of what is written), then shape name, colour, and the optional fields, strings by
 * code unit so that no locale is involved. In the top view this is reading order, row by row
 * from the robot's side of the table, which keeps nearby objects next to each other in text.
 */
export function compareObjects(a: DescribedObject, b: DescribedObject): number {
  if (!isObject(a) || !isObject(b)) {
    throw new DescriptorError(
      'DESCRIPTOR_INVALID_ARGUMENT',
      `compareObjects compares two described objects; got ${describeValue(a)} and ${describeValue(b)}.`,
    );
  }
  return (
    a.y - b.y ||
    a.x - b.x ||
    compareStrings(a.object, b.object) ||
    compareStrings(a.color, b.color) ||
    compareOptional(a.theta, b.theta) ||
    compareOptional(a.w, b.w) ||
    compareOptional(a.h, b.h) ||
    compareStrings(a.id ?? '', b.id ?? '') ||
    compareStrings(a.view ?? '', b.view ?? '')
  );
}

function isObject(value: unknown): boolean {
  return typeof value === 'object' && value !== null;
}

function compareStrings(a: string, b: string): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}

/** Absent fields come first, so a scene without them keeps the plain y, x order. */
function compareOptional(a: number | undefined, b: number | undefined): number {
  return (a ?? -Infinity) - (b ?? -Infinity) || 0;
}

const BuildOptionsSchema = z.strictObject({
  frame: z.enum(['workspace', ...VIEW_NAMES]).optional(),
  bins: binsOption.optional(),
  size: z.boolean().optional(),
  theta: z.boolean().optional(),
  ids: z.boolean().optional(),
});

/**
 * Builds the descriptor of a scene from ground-truth object states: quantized to bin
 * centres and in the documented order ({@link compareObjects}). In a view frame, objects not
 * visible in that view (no bounding box) are left out. Throws `DESCRIPTOR_INVALID_ARGUMENT`
 * when `objects` is not an array, `DESCRIPTOR_INVALID_OBJECT` for an object state that is
 * malformed, has names that cannot be written or numbers that are not finite,
 * `DESCRIPTOR_INVALID_SCENE` for more than {@link MAX_SCENE_OBJECTS} described objects and
 * `DESCRIPTOR_INVALID_OPTIONS` for unknown options or values.
 */
export function buildScene(
  objects: readonly ObjectState[],
  options: BuildOptions = {},
): SceneDescriptor {
  const checked = readOptions(BuildOptionsSchema, options, 'buildScene');
  const frame = checked.frame ?? 'workspace';
  const bins = checked.bins ?? DEFAULT_BINS;
  const withTheta = checked.theta ?? frame === 'workspace';
  if (withTheta && frame !== 'workspace') {
    throw new DescriptorError(
      'DESCRIPTOR_INVALID_OPTIONS',
      `theta is only defined in the workspace frame; drop the theta option for the ${frame} view.`,
    );
  }
  if (!Array.isArray(objects)) {
    throw new DescriptorError(
      'DESCRIPTOR_INVALID_ARGUMENT',
      `buildScene reads an array of object states; got ${describeValue(objects)}.`,
    );
  }
  const described: DescribedObject[] = [];
  const finishing = { bins, size: checked.size ?? false, ids: checked.ids ?? false };
  (objects as readonly unknown[]).forEach((value, index) => {
    const state = checkState(value, index);
    const entry =
      frame === 'workspace' ? describeOnTable(state, withTheta) : describeInView(state, frame);
    if (entry === undefined) return;
    if (described.length === MAX_SCENE_OBJECTS) throw tooManyObjects(objects.length);
    described.push(finish(entry, state, finishing));
  });
  return { version: SCENE_SCHEMA_VERSION, objects: described.sort(compareObjects) };
}

function tooManyObjects(count: number): DescriptorError {
  return new DescriptorError(
    'DESCRIPTOR_INVALID_SCENE',
    `A scene holds at most ${MAX_SCENE_OBJECTS} objects; ${count} object states were given. Describe fewer objects.`,
  );
}

/** The fields of an `ObjectState` that the builder reads; zod numbers are finite. */
const StateSchema = z.looseObject({
  id: z.string(),
  shape: z.string(),
  color: z.string(),
  pose: z.looseObject({ x: z.number(), y: z.number(), theta: z.number() }),
  size: z.looseObject({ x: z.number(), y: z.number() }),
  bbox: z.record(
    z.string(),
    z
      .looseObject({ x0: z.number(), y0: z.number(), x1: z.number(), y1: z.number() })
      .nullable()
      .optional(),
  ),
});

function checkState(value: unknown, index: number): ObjectState {
  const result = StateSchema.safeParse(value);
  if (result.success) return value as ObjectState;
  const issue = result.error.issues[0];
  const where = issue && issue.path.length > 0 ? `.${issue.path.map(String).join('.')}` : '';
  const id = (value as { id?: unknown } | null)?.id;
  const named = typeof id === 'string' ? ` (id ${quote(id)})` : '';
  throw new DescriptorError(
    'DESCRIPTOR_INVALID_OBJECT',
    `Object state ${index}${named}${where}: ${issue?.message ?? 'invalid'}; an object state is core's ObjectState (id, shape, color, pose, size, bbox) with finite numbers.`,
  );
}

interface Geometry {
  x: number;
  y: number;
  w: number;
  h: number;
  theta?: number;
  view?: ViewName;
}

function describeOnTable(state: ObjectState, withTheta: boolean): Geometry {
  const { pose, size } = state;
  const g: Geometry = { x: pose.x, y: pose.y, w: size.x, h: size.y };
  if (withTheta) g.theta = pose.theta;
  return g;
}

function describeInView(state: ObjectState, view: ViewName): Geometry | undefined {
  const box: BoundingBox | null | undefined = state.bbox[view];
  if (box === null || box === undefined) return undefined;
  return {
    x: (box.x0 + box.x1) / 2,
    y: (box.y0 + box.y1) / 2,
    w: Math.abs(box.x1 - box.x0),
    h: Math.abs(box.y1 - box.y0),
    view,
  };
}

function finish(
  g: Geometry,
  state: ObjectState,
  options: { bins: number; size: boolean; ids: boolean },
): DescribedObject {
  requireName(state, 'shape', state.shape);
  requireName(state, 'color', state.color);
  if (options.ids) requireName(state, 'id', state.id);
  const { bins } = options;
  return {
    object: state.shape,
    color: state.color,
    x: quantizeUnit(g.x, bins),
    y: quantizeUnit(g.y, bins),
    ...(options.size ? { w: quantizeUnit(g.w, bins), h: quantizeUnit(g.h, bins) } : {}),
    ...(g.theta === undefined ? {} : { theta: quantizeAngle(g.theta, bins) }),
    ...(options.ids ? { id: state.id } : {}),
    ...(g.view === undefined ? {} : { view: g.view }),
  };
}

function requireName(state: ObjectState, field: string, value: string): void {
  if (!NAME_PATTERN.test(value)) {
    throw new DescriptorError(
      'DESCRIPTOR_INVALID_OBJECT',
      `Object ${quote(state.id)} has ${field} ${quote(value, 70)}, which cannot be one token; use letters, digits and _ . - (e.g. letter_r), at most 64 characters.`,
    );
  }
}

const BinsOnly = z.strictObject({ bins: binsOption.optional() });

/**
 * Puts any valid scene at bin resolution and in the documented order: the form in which both
 * serializations round-trip exactly. Fields keep their presence; throws
 * `DESCRIPTOR_INVALID_SCENE` for an invalid scene, `DESCRIPTOR_INVALID_OPTIONS` for bad options.
 */
export function canonicalizeScene(
  scene: SceneDescriptor,
  options: { readonly bins?: number } = {},
): SceneDescriptor {
  const bins = readOptions(BinsOnly, options, 'canonicalizeScene').bins ?? DEFAULT_BINS;
  const valid = assertScene(scene);
  const objects = valid.objects.map((o) => quantizeObject(o, bins));
  return { version: SCENE_SCHEMA_VERSION, objects: objects.sort(compareObjects) };
}

/** One object with every number moved to the centre of its bin. */
export function quantizeObject(o: DescribedObject, bins: number): DescribedObject {
  return {
    object: o.object,
    color: o.color,
    x: quantizeUnit(o.x, bins),
    y: quantizeUnit(o.y, bins),
    ...(o.w === undefined ? {} : { w: quantizeUnit(o.w, bins) }),
    ...(o.h === undefined ? {} : { h: quantizeUnit(o.h, bins) }),
    ...(o.theta === undefined ? {} : { theta: quantizeAngle(o.theta, bins) }),
    ...(o.id === undefined ? {} : { id: o.id }),
    ...(o.view === undefined ? {} : { view: o.view }),
  };
}
