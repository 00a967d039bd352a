import { DialogueError } from './errors.js';
import { checkCount } from './options.js';
import { requireArray, requireInteger } from './validate.js';

/**
 * The history policy (docs/architecture.md). Text is always kept; images only for the
 * last `imageTurns` user turns, because visual tokens dominate the context and old views
 * are summarized by the scenes the assistant already wrote. When the rendered conversation
 * is longer than `maxTokens`, whole steps (a user turn with its assistant turn) are dropped,
 * oldest first: the system turn, the instruction (with its asset images) and the current,
 * last step are never cut, since the task and the present observation are what the next
 * answer depends on. If even those do not fit, DIALOGUE_CONTEXT_TOO_LONG is thrown rather
 * than cutting inside a turn.
 */

/** Whether the user turn of step `index` (0-based, of `count`) keeps its images. */
export function keepsImages(index: number, count: number, imageTurns: number): boolean {
  requireInteger(index, 'keepsImages: index');
  requireInteger(count, 'keepsImages: count');
  checkCount(imageTurns, 'imageTurns', 0, true);
  return index >= count - imageTurns;
}

/**
 * The index of the first step kept so that `header + steps[first..]` fits `maxTokens`;
 * lengths are in tokens.
 */
export function firstKeptStep(
  headerLength: number,
  stepLengths: readonly number[],
  maxTokens: number,
): number {
  requireInteger(headerLength, 'firstKeptStep: headerLength');
  requireArray(stepLengths, 'firstKeptStep: stepLengths').forEach((n, i) =>
    requireInteger(n, `firstKeptStep: stepLengths[${i}]`),
  );
  checkCount(maxTokens, 'maxTokens', 1, true);
  let total = stepLengths.reduce((sum, n) => sum + n, headerLength);
  let first = 0;
  while (total > maxTokens && first < stepLengths.length - 1) {
    total -= stepLengths[first] ?? 0;
    first++;
  }
  if (total > maxTokens) {
    const last = stepLengths[stepLengths.length - 1] ?? 0;
    throw new DialogueError(
      'DIALOGUE_CONTEXT_TOO_LONG',
      `The system turn and instruction (${headerLength} tokens) and the current step (${last} tokens) need ${headerLength + last} tokens, more than maxTokens = ${maxTokens}; raise maxTokens or shorten the system prompt or instruction.`,
    );
  }
  return first;
}
