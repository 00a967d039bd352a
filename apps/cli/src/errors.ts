import { isActllmError } from '@actllm/core';

/**
 * The documented exit codes of `actllm` (README, "Exit codes"). Every failure is printed as
 * one line, `actllm: <code>: <message>`, on stderr.
 */
export const EXIT = {
  ok: 0,
  /** Something failed while running (training diverged, a backend crashed, ...). */
  runtime: 1,
  /** Unknown command or flag, a bad value, an invalid config file. */
  usage: 2,
  /** An input is missing or unreadable: dataset, checkpoint, config file, shard. */
  input: 3,
  /** An output cannot be written: a read-only folder, a path under a file, a folder in use. */
  output: 4,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** The CLI's own error codes, next to the packages' (`TABLETOP_*`, `POLICY_*`, ...). */
export type CliErrorCode =
  | 'CLI_USAGE'
  | 'CLI_CONFIG_INVALID'
  | 'CLI_INPUT_NOT_FOUND'
  | 'CLI_INPUT_INVALID'
  | 'CLI_OUTPUT_NOT_WRITABLE'
  | 'CLI_BACKEND_MISSING'
  | 'CLI_FAILED';

const CLI_EXIT: Readonly<Record<CliErrorCode, ExitCode>> = {
  CLI_USAGE: EXIT.usage,
  CLI_CONFIG_INVALID: EXIT.usage,
  CLI_INPUT_NOT_FOUND: EXIT.input,
  CLI_INPUT_INVALID: EXIT.input,
  CLI_OUTPUT_NOT_WRITABLE: EXIT.output,
  CLI_BACKEND_MISSING: EXIT.runtime,
  CLI_FAILED: EXIT.runtime,
};

/** An error of the command line itself, with its exit code. */
export class CliError extends Error {
  readonly code: CliErrorCode;
  readonly exitCode: ExitCode;

  constructor(code: CliErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CliError';
    this.code = code;
    this.exitCode = CLI_EXIT[code];
  }
}

/** A usage error (exit 2). */
export function usage(message: string): CliError {
  return new CliError('CLI_USAGE', message);
}

/**
 * Exit codes of the packages' typed errors. Codes not listed are runtime failures (1):
 * an input the user named that cannot be read is 3, an output that cannot be written 4, an
 * option a package refuses 2.
 */
const PACKAGE_EXIT: Readonly<Record<string, ExitCode>> = {
  INVALID_ARGUMENT: EXIT.usage,
  TABLETOP_INVALID_OPTION: EXIT.usage,
  TABLETOP_UNKNOWN_TASK: EXIT.usage,
  TABLETOP_UNKNOWN_PARTITION: EXIT.usage,
  TABLETOP_TASK_NOT_IN_PARTITION: EXIT.usage,
  POLICY_INVALID_CONFIG: EXIT.usage,
  POLICY_INVALID_OPTION: EXIT.usage,
  DIALOGUE_INVALID_OPTIONS: EXIT.usage,
  ENCODER_INVALID_OPTION: EXIT.usage,
  TABLETOP_DATASET_INVALID: EXIT.input,
  TABLETOP_EPISODE_DAMAGED: EXIT.input,
  TABLETOP_PNG_INVALID: EXIT.input,
  POLICY_INVALID_CHECKPOINT: EXIT.input,
  TABLETOP_DATASET_MISMATCH: EXIT.output,
  FILE_WRITE_FAILED: EXIT.output,
};

/** File-system error codes that mean "this output cannot be written". */
const OUTPUT_ERRNO = new Set(['EACCES', 'EPERM', 'EROFS', 'ENOTDIR', 'EEXIST', 'ENOSPC', 'EISDIR']);

/** What to print and which code to exit with, for anything a command threw. */
export function describeFailure(error: unknown): { code: string; message: string; exit: ExitCode } {
  if (error instanceof CliError) {
    return { code: error.code, message: error.message, exit: error.exitCode };
  }
  if (isActllmError(error)) {
    // evaluate wraps the agent's own error: report the cause's code, which says what to fix.
    const cause: unknown = error.cause;
    if (error.code === 'TABLETOP_EVALUATION_ABORTED' && isActllmError(cause)) {
      return describeFailure(cause);
    }
    return { code: error.code, message: error.message, exit: PACKAGE_EXIT[error.code] ?? 1 };
  }
  const errno = (error as NodeJS.ErrnoException | undefined)?.code;
  if (typeof errno === 'string' && OUTPUT_ERRNO.has(errno)) {
    return { code: 'CLI_OUTPUT_NOT_WRITABLE', message: String(error), exit: EXIT.output };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { code: 'CLI_FAILED', message, exit: EXIT.runtime };
}

/** One line: newlines and runs of spaces in a message collapse to single spaces. */
export function oneLine(code: string, message: string): string {
  return `actllm: ${code}: ${message.replace(/\s*\n\s*/g, ' ').trim()}`;
}
