import { describeValue } from '@actllm/core';
import { DialogueError } from './errors.js';

/**
 * Checks of the arguments of public functions, so that a wrong type or a misspelt option name
 * fails with a typed error saying what to pass, never a raw TypeError deep inside or an option
 * silently left at its default.
 */

/** A value in a few words (core's, shared by every package's messages). */
export { describeValue };

export function invalidArgument(message: string): DialogueError {
  return new DialogueError('DIALOGUE_INVALID_ARGUMENT', message);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The options object of `where` (`{}` for undefined); throws DIALOGUE_INVALID_OPTIONS for a
 * value that is not an object or holds a name not in `known`.
 */
export function checkOptionNames<T extends object>(
  options: T | undefined,
  known: readonly string[],
  where: string,
): T {
  if (options === undefined) return {} as T;
  if (!isPlainObject(options)) {
    throw new DialogueError(
      'DIALOGUE_INVALID_OPTIONS',
      `${where}: the options must be an object; got ${describeValue(options)}.`,
    );
  }
  const unknown = Object.keys(options).filter((k) => !known.includes(k));
  if (unknown.length > 0) {
    const names = unknown
      .slice(0, 5)
      .map((k) => describeValue(k))
      .join(', ');
    throw new DialogueError(
      'DIALOGUE_INVALID_OPTIONS',
      `${where}: unknown option ${names}; the options are ${known.join(', ')}.`,
    );
  }
  return options;
}

/** Throws DIALOGUE_INVALID_OPTIONS unless `value` is undefined or a boolean. */
export function optionalBoolean(value: unknown, what: string): boolean | undefined {
  if (value === undefined || typeof value === 'boolean') return value;
  throw new DialogueError(
    'DIALOGUE_INVALID_OPTIONS',
    `${what} must be true or false; got ${describeValue(value)}.`,
  );
}

export function requireString(value: unknown, what: string): string {
  if (typeof value !== 'string') {
    throw invalidArgument(`${what} must be a string; got ${describeValue(value)}.`);
  }
  return value;
}

export function requireObject(value: unknown, what: string): Record<string, unknown> {
  if (!isPlainObject(value)) {
    throw invalidArgument(`${what} must be an object; got ${describeValue(value)}.`);
  }
  return value;
}

export function requireArray(value: unknown, what: string): readonly unknown[] {
  if (!Array.isArray(value)) {
    throw invalidArgument(`${what} must be an array; got ${describeValue(value)}.`);
  }
  return value;
}

/** Throws DIALOGUE_INVALID_ARGUMENT unless `value` is an integer of at least `min`. */
export function requireInteger(value: unknown, what: string, min = 0): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    throw invalidArgument(
      `${what} must be an integer of at least ${min}; got ${describeValue(value)}.`,
    );
  }
  return value;
}

/** The strings of an iterable (a string itself is refused: it would iterate its characters). */
export function stringsOf(value: unknown, what: string): string[] {
  if (
    typeof value === 'string' ||
    typeof value !== 'object' ||
    value === null ||
    !(Symbol.iterator in value)
  ) {
    throw invalidArgument(`${what} must be an iterable of strings; got ${describeValue(value)}.`);
  }
  const out: string[] = [];
  for (const item of value as Iterable<unknown>) out.push(requireString(item, `each of ${what}`));
  return out;
}
