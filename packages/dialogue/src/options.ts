import { VIEW_NAMES } from '@actllm/core';
import { DEFAULT_BINS, MAX_BINS, type Frame } from '@actllm/descriptor';
import { DialogueError } from './errors.js';
import { checkOptionNames, describeValue, optionalBoolean } from './validate.js';

/**
 * The format of an assistant turn, shared by everything that writes or reads one (episode
 * conversion, the template, the output grammar, the parser), so the model is trained on
 * exactly the language its decoder is constrained to.
 */
export interface AssistantFormatOptions {
  /** Frame of the scene coordinates (default `workspace`); see descriptor's `buildScene`. */
  readonly frame?: Frame;
  /** Bins of every scene number and of action positions (default the descriptor's, 100). */
  readonly bins?: number;
  /** Write object sizes `w`, `h` (default false). */
  readonly size?: boolean;
  /** Write object yaws (default true in the workspace frame, false in a view frame). */
  readonly theta?: boolean;
  /** Bins of action yaws over the full turn (default 24: 15 degrees). */
  readonly rotationBins?: number;
}

export interface AssistantFormat {
  readonly frame: Frame;
  readonly bins: number;
  readonly size: boolean;
  readonly theta: boolean;
  readonly rotationBins: number;
}

export const DEFAULT_ROTATION_BINS = 24;

/** The option names of {@link AssistantFormatOptions}. */
export const FORMAT_OPTIONS = ['frame', 'bins', 'size', 'theta', 'rotationBins'] as const;

/**
 * The options with their defaults filled in and checked; throws DIALOGUE_INVALID_OPTIONS for
 * an unknown option name or a value outside its domain.
 */
export function resolveFormat(options: AssistantFormatOptions = {}): AssistantFormat {
  return formatOf(checkOptionNames(options, FORMAT_OPTIONS, 'resolveFormat'));
}

/** {@link resolveFormat} for options whose names the caller has checked (a larger option set). */
export function formatOf(options: AssistantFormatOptions): AssistantFormat {
  const frame = options.frame ?? 'workspace';
  if (frame !== 'workspace' && !(VIEW_NAMES as readonly unknown[]).includes(frame)) {
    throw invalidOption(
      `frame must be 'workspace' or one of ${VIEW_NAMES.join(', ')}; got ${describeValue(frame)}.`,
    );
  }
  const theta = optionalBoolean(options.theta, 'theta') ?? frame === 'workspace';
  if (theta && frame !== 'workspace') {
    throw invalidOption(
      `theta is only written in the workspace frame; drop it for the ${frame} view.`,
    );
  }
  return {
    frame,
    bins: checkBins(options.bins ?? DEFAULT_BINS, 'bins'),
    size: optionalBoolean(options.size, 'size') ?? false,
    theta,
    rotationBins: checkBins(options.rotationBins ?? DEFAULT_ROTATION_BINS, 'rotationBins'),
  };
}

/** A bin count the descriptor accepts: an integer in [1, MAX_BINS]. */
export function checkBins(bins: number, what: string): number {
  if (!Number.isInteger(bins) || bins < 1 || bins > MAX_BINS) {
    throw invalidOption(
      `${what} must be an integer between 1 and ${MAX_BINS}; got ${describeValue(bins)}.`,
    );
  }
  return bins;
}

/** An integer in [min, max]; `Infinity` too where "no limit" makes sense. */
export function checkCount(
  value: number,
  what: string,
  min: number,
  unlimited = false,
  max = Number.MAX_SAFE_INTEGER,
): number {
  const integer = Number.isInteger(value) || (unlimited && value === Infinity);
  if (!integer || value < min || (value > max && value !== Infinity)) {
    const or = unlimited ? ' (or Infinity)' : '';
    const range =
      max === Number.MAX_SAFE_INTEGER ? `of at least ${min}` : `between ${min} and ${max}`;
    throw invalidOption(`${what} must be an integer ${range}${or}; got ${describeValue(value)}.`);
  }
  return value;
}

export function invalidOption(message: string): DialogueError {
  return new DialogueError('DIALOGUE_INVALID_OPTIONS', message);
}
