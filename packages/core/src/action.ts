import { ActllmError } from './errors.js';
import { isInWorkspace, type Pose } from './geometry.js';

/** The two motion primitives, as in VIMA-Bench. */
export const ACTION_KINDS = ['pick_place', 'push'] as const;
export type ActionKind = (typeof ACTION_KINDS)[number];

/**
 * One step of the robot. `pick_place`: suction at `from`, release at `to` with yaw
 * `to.theta` (relative to the object's yaw at pick time given by `from.theta`).
 * `push`: the spatula sweeps the straight segment from `from` to `to`.
 */
export interface Action {
  readonly kind: ActionKind;
  readonly from: Pose;
  readonly to: Pose;
}

/**
 * The tool mounted on the robot, as in VIMA-Bench: the suction cup does `pick_place`, the
 * spatula does `push`. An environment that mounts one refuses the other primitive.
 */
export type EndEffector = 'suction' | 'spatula';

/** The primitive each end effector performs. */
export const END_EFFECTOR_ACTIONS: Readonly<Record<EndEffector, ActionKind>> = {
  suction: 'pick_place',
  spatula: 'push',
};

/**
 * Why an action was refused. `wrong_end_effector`: a well-formed action of the primitive the
 * mounted end effector cannot perform (reported by environments, never by `validateAction`).
 */
export type InvalidActionReason =
  'malformed' | 'unknown_kind' | 'not_finite' | 'outside_workspace' | 'wrong_end_effector';

/** An action that an environment must refuse without changing its state. */
export class InvalidActionError extends ActllmError<'INVALID_ACTION'> {
  /** Where in the action the problem is, e.g. `from.x`; empty for the action itself. */
  readonly path: string;
  readonly reason: InvalidActionReason;

  constructor(reason: InvalidActionReason, path: string, message: string) {
    super('INVALID_ACTION', message);
    this.reason = reason;
    this.path = path;
  }
}

export type ValidationResult<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly error: InvalidActionError };

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null;
}

function checkPose(value: unknown, path: string): InvalidActionError | undefined {
  if (!isRecord(value)) {
    return new InvalidActionError('malformed', path, `${path} must be a pose { x, y, theta }.`);
  }
  for (const key of ['x', 'y', 'theta'] as const) {
    const v = value[key];
    if (typeof v !== 'number') {
      return new InvalidActionError(
        'malformed',
        `${path}.${key}`,
        `${path}.${key} must be a number.`,
      );
    }
    if (!Number.isFinite(v)) {
      return new InvalidActionError(
        'not_finite',
        `${path}.${key}`,
        `${path}.${key} is ${v}; every coordinate must be a finite number.`,
      );
    }
  }
  const p = value as unknown as Pose;
  if (!isInWorkspace(p)) {
    return new InvalidActionError(
      'outside_workspace',
      path,
      `${path} (${p.x}, ${p.y}) lies outside the normalized workspace; x and y must be in [0, 1].`,
    );
  }
  return undefined;
}

/**
 * Checks an untrusted value (for example a decoded model output) and returns it typed, or
 * the first problem found. Never throws.
 */
export function validateAction(value: unknown): ValidationResult<Action> {
  if (!isRecord(value)) {
    return {
      ok: false,
      error: new InvalidActionError(
        'malformed',
        '',
        'An action must be an object { kind, from, to }.',
      ),
    };
  }
  if (!(ACTION_KINDS as readonly unknown[]).includes(value.kind)) {
    return {
      ok: false,
      error: new InvalidActionError(
        'unknown_kind',
        'kind',
        `Unknown action kind ${JSON.stringify(value.kind)}; use one of ${ACTION_KINDS.join(', ')}.`,
      ),
    };
  }
  const error = checkPose(value.from, 'from') ?? checkPose(value.to, 'to');
  if (error) return { ok: false, error };
  return { ok: true, value: value as unknown as Action };
}

/** Like {@link validateAction}, but throws the {@link InvalidActionError}. */
export function assertValidAction(value: unknown): asserts value is Action {
  const result = validateAction(value);
  if (!result.ok) throw result.error;
}
