import {
  ACTION_KINDS,
  validateAction,
  type Action,
  type ActionKind,
  type Pose,
} from '@actllm/core';
import {
  DEFAULT_BINS,
  MAX_BINS,
  binToken,
  fromAngleBin,
  fromBin,
  toAngleBin,
  toBin,
} from '@actllm/descriptor';
import { DialogueError } from './errors.js';
import { DEFAULT_ROTATION_BINS, checkBins } from './options.js';
import { checkOptionNames, describeValue, invalidArgument } from './validate.js';

/**
 * Actions as text, one token per value:
 *
 *     <act> KIND <x_i> <y_j> <r_k> <x_i> <y_j> <r_k> </act>
 *
 * pose 0 (`from`) then pose 1 (`to`). Positions use the scene descriptor's bin tokens
 * (`<x_i>`, `<y_j>`, the same layout as its compact form), so scenes and actions share one
 * coordinate vocabulary and the model can copy an object's position into its action. Yaws use
 * their own `<r_k>` tokens because an action's rotation resolution is set separately from the
 * scene's. Decoding gives bin centres, so an action at bin resolution round-trips exactly.
 */

export const ACT_OPEN = '<act>';
export const ACT_CLOSE = '</act>';
const binPattern = (prefix: string) => new RegExp(`^<${prefix}_(0|[1-9]\\d{0,5})>$`);
const X_TOKEN = binPattern('x');
const Y_TOKEN = binPattern('y');
const R_TOKEN = binPattern('r');

export interface ActionTextOptions {
  /** Bins over [0, 1] for x and y (default: the descriptor's, 100). */
  readonly bins?: number;
  /** Bins over the full turn for yaws (default 24: 15 degrees). */
  readonly rotationBins?: number;
}

interface Resolution {
  readonly bins: number;
  readonly rotationBins: number;
}

const ACTION_TEXT_OPTIONS = ['bins', 'rotationBins'] as const;

function resolution(options: ActionTextOptions | undefined, where: string): Resolution {
  checkOptionNames(options, ACTION_TEXT_OPTIONS, where);
  options ??= {};
  return {
    bins: checkBins(options.bins ?? DEFAULT_BINS, 'bins'),
    rotationBins: checkBins(options.rotationBins ?? DEFAULT_ROTATION_BINS, 'rotationBins'),
  };
}

/** The token of rotation bin `bin`; throws DIALOGUE_INVALID_ARGUMENT for a bin that is not an integer in [0, MAX_BINS). */
export function rotationToken(bin: number): string {
  if (!Number.isInteger(bin) || bin < 0 || bin >= MAX_BINS) {
    throw invalidArgument(`bin must be an integer in [0, ${MAX_BINS}); got ${describeValue(bin)}.`);
  }
  return `<r_${bin}>`;
}

/** The structure, kind-independent and rotation tokens of action text (positions are the descriptor's). */
export function actionVocabulary(options: ActionTextOptions = {}): string[] {
  const { rotationBins } = resolution(options, 'actionVocabulary');
  return [ACT_OPEN, ACT_CLOSE, ...Array.from({ length: rotationBins }, (_, i) => rotationToken(i))];
}

function poseTokens(pose: Pose, r: Resolution): string[] {
  return [
    binToken('x', toBin(pose.x, r.bins)),
    binToken('y', toBin(pose.y, r.bins)),
    rotationToken(toAngleBin(pose.theta, r.rotationBins)),
  ];
}

/** The action, checked by core's `validateAction`; throws DIALOGUE_INVALID_ACTION (its error the cause). */
export function checkAction(action: unknown, where: string): Action {
  const valid = validateAction(action);
  if (valid.ok) return valid.value;
  throw new DialogueError('DIALOGUE_INVALID_ACTION', `${where}: ${valid.error.message}`, {
    cause: valid.error,
  });
}

/** The text of an action; throws DIALOGUE_INVALID_ACTION for an invalid one. */
export function actionToText(action: Action, options: ActionTextOptions = {}): string {
  checkAction(action, 'actionToText');
  const r = resolution(options, 'actionToText');
  const kind = action.kind;
  return [
    ACT_OPEN,
    kind,
    ...poseTokens(action.from, r),
    ...poseTokens(action.to, r),
    ACT_CLOSE,
  ].join(' ');
}

/** The action as {@link parseActionText} reads it back: every value at its bin centre. */
export function quantizeAction(action: Action, options: ActionTextOptions = {}): Action {
  checkAction(action, 'quantizeAction');
  const r = resolution(options, 'quantizeAction');
  const pose = (p: Pose): Pose => ({
    x: fromBin(toBin(p.x, r.bins), r.bins),
    y: fromBin(toBin(p.y, r.bins), r.bins),
    theta: fromAngleBin(toAngleBin(p.theta, r.rotationBins), r.rotationBins),
  });
  return { kind: action.kind, from: pose(action.from), to: pose(action.to) };
}

export type ActionParse =
  | { readonly ok: true; readonly action: Action }
  | { readonly ok: false; readonly message: string; readonly tokenIndex: number };

/** The bin of a token, or why it is not one. */
function parseBin(
  token: string | undefined,
  pattern: RegExp,
  what: string,
  bins: number,
): number | string {
  const m = token === undefined ? null : pattern.exec(token);
  if (!m)
    return `expected ${what} token, got ${token === undefined ? 'the end' : JSON.stringify(token)}`;
  const bin = Number(m[1]);
  return bin < bins ? bin : `${token} is beyond the ${bins} bins`;
}

function parsePose(tokens: readonly string[], at: number, r: Resolution): Pose | [number, string] {
  const x = parseBin(tokens[at], X_TOKEN, 'an x', r.bins);
  if (typeof x === 'string') return [at, x];
  const y = parseBin(tokens[at + 1], Y_TOKEN, 'a y', r.bins);
  if (typeof y === 'string') return [at + 1, y];
  const t = parseBin(tokens[at + 2], R_TOKEN, 'a rotation', r.rotationBins);
  if (typeof t === 'string') return [at + 2, t];
  return { x: fromBin(x, r.bins), y: fromBin(y, r.bins), theta: fromAngleBin(t, r.rotationBins) };
}

/** The first `count` white-space separated tokens, and whether more follow: bounded work on any text. */
function firstTokens(text: string, count: number): { tokens: string[]; more: boolean } {
  const pattern = /\S+/g;
  const tokens: string[] = [];
  for (let m = pattern.exec(text); m !== null; m = pattern.exec(text)) {
    if (tokens.length === count) return { tokens, more: true };
    tokens.push(m[0]);
  }
  return { tokens, more: false };
}

/**
 * Reads action text (tokens separated by white space). Never throws on any value (a
 * non-string is reported as a failed parse), and only looks at the first tokens; the problem
 * names the index of the offending token. Invalid options do throw DIALOGUE_INVALID_OPTIONS.
 */
export function parseActionText(text: string, options: ActionTextOptions = {}): ActionParse {
  const r = resolution(options, 'parseActionText');
  if (typeof text !== 'string') {
    return {
      ok: false,
      message: `action text must be a string; got ${describeValue(text)}`,
      tokenIndex: 0,
    };
  }
  const { tokens, more } = firstTokens(text, 9);
  const fail = (tokenIndex: number, message: string): ActionParse => ({
    ok: false,
    message,
    tokenIndex,
  });
  if (tokens[0] !== ACT_OPEN) return fail(0, `action text must start with ${ACT_OPEN}`);
  const kind = tokens[1];
  if (!(ACTION_KINDS as readonly (string | undefined)[]).includes(kind)) {
    return fail(
      1,
      `unknown action kind ${JSON.stringify(kind ?? '')}; expected ${ACTION_KINDS.join(' or ')}`,
    );
  }
  const from = parsePose(tokens, 2, r);
  if (Array.isArray(from)) return fail(...from);
  const to = parsePose(tokens, 5, r);
  if (Array.isArray(to)) return fail(...to);
  if (tokens[8] !== ACT_CLOSE) return fail(8, `expected ${ACT_CLOSE}`);
  if (more) return fail(9, `unexpected text after ${ACT_CLOSE}`);
  return { ok: true, action: { kind: kind as ActionKind, from, to } };
}
