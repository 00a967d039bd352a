import { InvalidArgumentError } from './errors.js';

/**
 * Argument checks of core's public functions: a wrong type or a non-finite number is an
 * InvalidArgumentError that names the function, never a TypeError or a silent NaN.
 */

export function requireFinite(value: unknown, what: string): asserts value is number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new InvalidArgumentError(`${what} must be a finite number; got ${String(value)}.`);
  }
}

/**
 * A number, NaN included: geometry is pure arithmetic and lets NaN flow through (callers
 * such as tolerant parsers rely on it); only a value that is not a number is an error.
 */
export function requireNumber(value: unknown, what: string): asserts value is number {
  if (typeof value !== 'number') {
    throw new InvalidArgumentError(`${what} must be a number; got ${typeof value}.`);
  }
}

export function requirePoint(value: unknown, what: string): void {
  if (typeof value !== 'object' || value === null) {
    throw new InvalidArgumentError(`${what} must be a point { x, y }; got ${String(value)}.`);
  }
  const p = value as Record<string, unknown>;
  requireNumber(p['x'], `${what}.x`);
  requireNumber(p['y'], `${what}.y`);
}

export function requirePose(value: unknown, what: string): void {
  requirePoint(value, what);
  requireNumber((value as Record<string, unknown>)['theta'], `${what}.theta`);
}

/** Refuses option names that `known` does not list (a typo would otherwise be ignored). */
export function requireKnownKeys(value: object, known: readonly string[], what: string): void {
  for (const key of Object.keys(value)) {
    if (!known.includes(key)) {
      throw new InvalidArgumentError(
        `${what} has no option ${JSON.stringify(key)}; its options are ${known.join(', ')}.`,
      );
    }
  }
}
