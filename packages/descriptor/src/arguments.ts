import { describeValue } from '@actllm/core';
import { DescriptorError } from './errors.js';

/** Checks of plain arguments, and ways to name a value in a message without echoing all of it. */

/** At most a few keys, quoted and shortened, so a hostile object cannot blow up the message. */
export function listKeys(keys: readonly string[]): string {
  const shown = keys.slice(0, 5).map((k) => quote(k));
  const more = keys.length > 5 ? ` and ${keys.length - 5} more` : '';
  return shown.join(', ') + more;
}

/** A string as JSON, cut to `max` characters: messages stay short whatever the input. */
export function quote(text: string, max = 40): string {
  return JSON.stringify(text.length > max ? `${text.slice(0, max)}...` : text);
}

/** A value in a few words (core's, shared by every package's messages). */
export { describeValue };

/** Throws DESCRIPTOR_INVALID_ARGUMENT unless `value` is a string. */
export function requireString(value: unknown, what: string): string {
  if (typeof value !== 'string') {
    throw new DescriptorError(
      'DESCRIPTOR_INVALID_ARGUMENT',
      `${what} must be a string; got ${describeValue(value)}.`,
    );
  }
  return value;
}

/** Throws DESCRIPTOR_INVALID_ARGUMENT unless `value` is a number (NaN included). */
export function requireNumber(value: unknown, what: string): number {
  if (typeof value !== 'number') {
    throw new DescriptorError(
      'DESCRIPTOR_INVALID_ARGUMENT',
      `${what} must be a number; got ${describeValue(value)}.`,
    );
  }
  return value;
}
