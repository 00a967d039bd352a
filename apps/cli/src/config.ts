import { readFileSync } from 'node:fs';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { z } from 'zod';
import { CliError } from './errors.js';

/**
 * Options are declared once per command (`OptionSpec`): the same declaration makes the
 * commander flag (with its value parser) and the zod schema of the `--config` file, so a
 * value means the same thing on the command line and in the file. A file value may be
 * JSON-typed (`"episodes": 20`, `"tasks": ["rotate"]`) or the text the flag takes
 * (`"tasks": "rotate,twist"`).
 */
export interface Kind<T> {
  /** Parses the flag's text; throws commander's InvalidArgumentError on a bad value. */
  readonly parse: (text: string) => T;
  /** What a config file may hold for it, normalized to the parsed type. */
  readonly schema: z.ZodType<T>;
}

export interface OptionSpec {
  /** Commander flags, e.g. `--episodes <n>` or `--no-history`. */
  readonly flags: string;
  readonly description: string;
  readonly kind?: Kind<unknown>;
  readonly default?: unknown;
  /** Only on the command line (e.g. `--config` itself). */
  readonly cliOnly?: boolean;
}

function bad(message: string): never {
  throw new InvalidArgumentError(message);
}

/** A kind whose file form is either the flag's text or a JSON value `json` accepts. */
function kind<T>(parse: (text: string) => T, json: z.ZodType<T>): Kind<T> {
  const fromText = z.string().transform((text, ctx) => {
    try {
      return parse(text);
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: (error as Error).message });
      return z.NEVER;
    }
  });
  return { parse, schema: z.union([json, fromText]) };
}

export function integer(min: number, max = Number.MAX_SAFE_INTEGER): Kind<number> {
  const check = (n: number): number => {
    if (!Number.isSafeInteger(n) || n < min || n > max)
      bad(`expected a whole number from ${min} to ${max}; got ${n}.`);
    return n;
  };
  return kind(
    (text) =>
      check(
        /^[-+]?\d+$/.test(text.trim())
          ? Number(text)
          : bad(`expected a whole number; got "${text}".`),
      ),
    z.number().int().min(min).max(max),
  );
}

export function number(min: number, max = Number.POSITIVE_INFINITY): Kind<number> {
  const check = (n: number): number => {
    if (!Number.isFinite(n) || n < min || n > max)
      bad(`expected a number from ${min} to ${max}; got ${n}.`);
    return n;
  };
  return kind(
    (text) => check(text.trim() === '' ? NaN : Number(text)),
    z.number().min(min).max(max),
  );
}

export const text: Kind<string> = kind(
  (t) => (t === '' ? bad('expected a non-empty value.') : t),
  z.string().min(1),
);

/** A comma-separated list (`a,b,c`), or an array in the config file. */
export const list: Kind<string[]> = kind(
  (t) => {
    const items = t
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    return items.length ? items : bad('expected a comma-separated list such as a,b.');
  },
  z.array(z.string().min(1)).min(1),
);

export function choice<const T extends string>(values: readonly T[]): Kind<T> {
  return kind(
    (t) =>
      (values as readonly string[]).includes(t)
        ? (t as T)
        : bad(`expected one of ${values.join(', ')}; got "${t}".`),
    z.enum(values as unknown as [T, ...T[]]),
  );
}

/** `K/N`: shard K (1-based) of N. */
export interface Shard {
  readonly index: number;
  readonly count: number;
}

export const shard: Kind<Shard> = kind(
  (t) => {
    const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(t);
    const index = Number(m?.[1]);
    const count = Number(m?.[2]);
    if (!m || count < 1 || index < 1 || index > count || count > 100_000)
      bad(`expected K/N with 1 <= K <= N, such as 2/8; got "${t}".`);
    return { index, count };
  },
  z
    .object({ index: z.number().int().min(1), count: z.number().int().min(1) })
    .strict()
    .refine((s) => s.index <= s.count, 'index must be at most count'),
);

/** `a=1,b=2` with known keys, as numbers (loss weights, augmentation strengths). */
export function weights(keys: readonly string[], min = 0): Kind<Record<string, number>> {
  const parse = (t: string): Record<string, number> => {
    const out: Record<string, number> = {};
    for (const part of t
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)) {
      const [key, value, extra] = part.split('=');
      if (key === undefined || value === undefined || extra !== undefined)
        bad(`expected key=value pairs such as ${keys[0]}=1; got "${part}".`);
      if (!keys.includes(key.trim())) bad(`unknown key "${key}"; use ${keys.join(', ')}.`);
      const n = Number(value);
      if (value.trim() === '' || !Number.isFinite(n) || n < min)
        bad(`${key} must be a number of at least ${min}; got "${value}".`);
      out[key.trim()] = n;
    }
    return out;
  };
  const json = z.record(z.enum(keys as unknown as [string, ...string[]]), z.number().min(min));
  return kind(parse, json as unknown as z.ZodType<Record<string, number>>);
}

/** View sizes: `top=64x64,front=128x64`. */
export type Views = Partial<Record<'top' | 'front', { width: number; height: number }>>;

export const views: Kind<Views> = kind(
  (t) => {
    const out: Views = {};
    for (const part of t
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)) {
      const m = /^(top|front)=(\d+)x(\d+)$/.exec(part);
      if (!m) bad(`expected view sizes such as top=64x64,front=128x64; got "${part}".`);
      out[m[1] as 'top' | 'front'] = { width: Number(m[2]), height: Number(m[3]) };
    }
    return out;
  },
  z
    .object({
      top: z.object({ width: z.number().int(), height: z.number().int() }).strict().optional(),
      front: z.object({ width: z.number().int(), height: z.number().int() }).strict().optional(),
    })
    .strict() as unknown as z.ZodType<Views>,
);

export const flag: Kind<boolean> = { parse: () => true, schema: z.boolean() };

/** The commander option of a spec. */
export function toOption(spec: OptionSpec): Option {
  const option = new Option(spec.flags, spec.description);
  if (spec.kind && option.required) option.argParser((value: string) => spec.kind!.parse(value));
  if (spec.default !== undefined)
    option.default(spec.default, Array.isArray(spec.default) ? spec.default.join(',') : undefined);
  return option;
}

/** The zod schema of a command's config file: every option it may hold, nothing else. */
export function configSchema(specs: readonly OptionSpec[]): z.ZodType<Record<string, unknown>> {
  const shape: Record<string, z.ZodType> = {};
  for (const spec of specs) {
    if (spec.cliOnly) continue;
    const option = new Option(spec.flags);
    shape[option.attributeName()] = (spec.kind?.schema ?? z.boolean()).optional();
  }
  return z.object(shape).strict();
}

/**
 * Reads `--config <file>` and sets every option it holds that the command line did not
 * give (flags win). A missing or unreadable file exits 3, invalid JSON or an option the
 * command does not have exits 2, each naming the file and the key.
 */
export function applyConfigFile(command: Command, specs: readonly OptionSpec[]): void {
  const file = command.getOptionValue('config') as string | undefined;
  if (file === undefined) return;
  let raw: string;
  try {
    raw = readFileSync(file, 'utf8');
  } catch (error) {
    throw new CliError(
      'CLI_INPUT_NOT_FOUND',
      `config file ${file} cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)}); pass the path of a JSON file.`,
    );
  }
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch (error) {
    throw new CliError(
      'CLI_CONFIG_INVALID',
      `config file ${file} is not JSON (${(error as Error).message}); write one JSON object of option names and values.`,
    );
  }
  const parsed = configSchema(specs).safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const key = issue?.path[0];
    const where = issue?.path.length ? `"${issue.path.join('.')}"` : 'the top level';
    const spec = specs.find((sp) => new Option(sp.flags).attributeName() === key);
    const given: unknown =
      typeof key === 'string' ? (value as Record<string, unknown>)[key] : undefined;
    let why = issue?.message ?? 'invalid';
    if (spec?.kind && given !== undefined) {
      // The flag's parser says what is wrong with the value in the same words as on the command line.
      try {
        spec.kind.parse(typeof given === 'string' ? given : JSON.stringify(given));
        why = `${JSON.stringify(given)} is not a valid value`;
      } catch (error) {
        why = (error as Error).message;
      }
    }
    const keys =
      issue?.code === 'unrecognized_keys' ? ` (${issue.keys.map((k) => `"${k}"`).join(', ')})` : '';
    throw new CliError(
      'CLI_CONFIG_INVALID',
      `config file ${file}: ${where}${keys}: ${why.replace(/\.$/, '')}; see actllm ${command.name()} --help for the options and their values.`,
    );
  }
  for (const [key, v] of Object.entries(parsed.data)) {
    if (v === undefined) continue;
    if (command.getOptionValueSource(key) === 'cli') continue;
    command.setOptionValueWithSource(key, v, 'config');
  }
}
