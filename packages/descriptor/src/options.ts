import { z } from 'zod';
import { DescriptorError } from './errors.js';
import { listKeys } from './arguments.js';
import { MAX_BINS } from './quantize.js';

/**
 * Options arguments are checked against a strict zod schema, so a misspelt option name or an
 * unknown value fails loudly instead of silently falling back to a default.
 */

/** A bin count: an integer in [1, MAX_BINS]. */
export const binsOption = z.number().int().min(1).max(MAX_BINS);

/** A number >= 0 (zod numbers are finite: NaN and infinities are refused). */
export const nonNegative = z.number().min(0);

/**
 * The checked options of `where` (a function name), `{}` for `undefined`; throws
 * DESCRIPTOR_INVALID_OPTIONS naming the option, the problem and the options there are.
 */
export function readOptions<Shape extends z.core.$ZodShape>(
  schema: z.ZodObject<Shape>,
  value: unknown,
  where: string,
): z.infer<z.ZodObject<Shape>> {
  const result = schema.safeParse(value ?? {});
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const names = Object.keys(schema.shape).join(', ');
  let what: string;
  if (issue?.code === 'unrecognized_keys') {
    what = `unknown option ${listKeys(issue.keys)}`;
  } else if (issue !== undefined && issue.path.length > 0) {
    what = `option ${issue.path.map(String).join('.')}: ${issue.message}`;
  } else {
    what = `the options must be an object: ${issue?.message ?? 'invalid'}`;
  }
  return fail(`${where}: ${what}. The options are ${names}; see the README for their values.`);
}

function fail(message: string): never {
  throw new DescriptorError('DESCRIPTOR_INVALID_OPTIONS', message);
}
