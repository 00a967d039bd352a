import { TabletopError } from '../errors.js';
import type { PhysicsOptions } from './spec.js';

/**
 * The accepted range of each physics option. The bounds keep every action finite: a push
 * takes length / (pushSpeed * timestep) physics steps, so a tiny speed or timestep would
 * make one step of the environment run for hours, and thousands of solver iterations per
 * step would do the same.
 */
export const PHYSICS_LIMITS = {
  timestep: { min: 1 / 1000, max: 1 / 20, integer: false },
  solverIterations: { min: 1, max: 64, integer: true },
  maxSettleSteps: { min: 1, max: 10_000, integer: true },
  pushSpeed: { min: 0.05, max: 5, integer: false },
} as const;

type Key = keyof typeof PHYSICS_LIMITS;

function invalid(message: string): TabletopError {
  return new TabletopError('TABLETOP_INVALID_OPTION', message);
}

/** Checks physics options (see PHYSICS_LIMITS) and returns them; undefined means defaults. */
export function checkPhysicsOptions(options: PhysicsOptions | undefined): PhysicsOptions {
  if (options === undefined) return {};
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw invalid('physics must be an object of options (timestep, solverIterations, ...).');
  }
  for (const [key, value] of Object.entries(options)) {
    const limits = PHYSICS_LIMITS[key as Key] as (typeof PHYSICS_LIMITS)[Key] | undefined;
    if (!limits) {
      throw invalid(
        `Unknown physics option "${key}"; use ${Object.keys(PHYSICS_LIMITS).join(', ')}.`,
      );
    }
    if (value === undefined) continue;
    const ok =
      typeof value === 'number' &&
      Number.isFinite(value) &&
      value >= limits.min &&
      value <= limits.max &&
      (!limits.integer || Number.isInteger(value));
    if (!ok) {
      throw invalid(
        `physics.${key} must be ${limits.integer ? 'an integer' : 'a number'} from ${limits.min} to ${limits.max}; got ${String(value)}.`,
      );
    }
  }
  return options;
}
