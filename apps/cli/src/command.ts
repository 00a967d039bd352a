import { text, type OptionSpec } from './config.js';
import { usage } from './errors.js';
import type { Io } from './output.js';

/** One `actllm` command: its options (flags and config file alike), help and action. */
export interface CommandDef {
  readonly name: string;
  /** Positional arguments, commander syntax (`<dir...>`). */
  readonly args?: string;
  readonly summary: string;
  readonly specs: readonly OptionSpec[];
  /** Shown after the options by `--help`: a real example and what it does. */
  readonly examples: string;
  /** `given(key)`: the option was set on the command line or in the config file. */
  readonly run: (
    options: Record<string, unknown>,
    io: Io,
    args: string[],
    given: (key: string) => boolean,
  ) => Promise<void>;
}

/** Options every command has. */
export const COMMON: readonly OptionSpec[] = [
  { flags: '--json', description: 'print one JSON result on stdout instead of tables and bars' },
  {
    flags: '--config <file>',
    description: 'read options from a JSON file (flags given on the command line win)',
    kind: text,
    cliOnly: true,
  },
];

/** An option the command needs, from the command line or the config file. */
export function required<T>(options: Record<string, unknown>, key: string, flag: string): T {
  const value = options[key];
  if (value === undefined)
    throw usage(`${flag} is required (on the command line or as "${key}" in --config).`);
  return value as T;
}
