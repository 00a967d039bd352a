/**
 * Errors a user can cause carry a stable string `code` (part of the public API: match on
 * it, not on the message) and a message that says what to do about it.
 */

const ERROR_BRAND = Symbol.for('@actllm/core.error');

/** The error codes that @actllm/core itself raises. Other packages add their own. */
export type CoreErrorCode =
  | 'INVALID_ARGUMENT'
  | 'INVALID_ACTION'
  | 'BACKEND_INVALID'
  | 'BACKEND_CONFLICT'
  | 'BACKEND_UNAVAILABLE'
  | 'BACKEND_REGISTRY_INCOMPATIBLE'
  /** `@actllm/core/node` could not write a file (the message names it; `cause` says why). */
  | 'FILE_WRITE_FAILED';

export interface ActllmErrorOptions {
  /** The underlying error, kept for debugging. */
  cause?: unknown;
}

/** Base class of every error the `@actllm/*` packages throw on purpose. */
export class ActllmError<Code extends string = string> extends Error {
  readonly code: Code;

  constructor(code: Code, message: string, options: ActllmErrorOptions = {}) {
    super(message, 'cause' in options ? { cause: options.cause } : undefined);
    this.name = new.target.name;
    this.code = code;
    // A brand instead of `instanceof`, so that errors from a second copy of core
    // (ESM next to CJS, or two versions in node_modules) are still recognised.
    Object.defineProperty(this, ERROR_BRAND, { value: true });
  }
}

/**
 * True when `value` is an ActllmError from any copy of `@actllm/core`, optionally with the
 * given code. Prefer this over `instanceof`.
 */
export function isActllmError(value: unknown, code?: string): value is ActllmError {
  if (typeof value !== 'object' || value === null) return false;
  if ((value as Record<symbol, unknown>)[ERROR_BRAND] !== true) return false;
  return code === undefined || (value as ActllmError).code === code;
}

/** A function argument is out of its documented domain. */
export class InvalidArgumentError extends ActllmError<'INVALID_ARGUMENT'> {
  constructor(message: string, options?: ActllmErrorOptions) {
    super('INVALID_ARGUMENT', message, options);
  }
}
