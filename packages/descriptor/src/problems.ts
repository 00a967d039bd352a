import { MAX_SCENE_OBJECTS } from './schema.js';

/** What went wrong at one place of a parsed text. Codes are stable; messages are for people. */
export type ProblemCode =
  /** The text holds nothing but whitespace. */
  | 'empty_input'
  /** JSON syntax error. */
  | 'invalid_json'
  /** A token or value that does not belong where it is (it was skipped). */
  | 'unexpected_token'
  /** The text stops inside a scene or an object (truncated output). */
  | 'unexpected_end'
  /** A required token or field is missing (the object it belongs to was dropped). */
  | 'missing_field'
  /** A JSON key the schema does not know. */
  | 'unknown_field'
  /** A field given twice in one object (the first one was kept). */
  | 'duplicate_field'
  /** A value of the wrong type or out of range (a bin index beyond the bin count, a bad name). */
  | 'invalid_value'
  /** A scene of a schema version this reader does not know. */
  | 'unsupported_version'
  /** More than MAX_SCENE_OBJECTS objects: the first ones were kept, the rest dropped. */
  | 'too_many_objects';

export interface ParseProblem {
  readonly code: ProblemCode;
  readonly message: string;
  /** Offset of the problem in the text, in UTF-16 code units from 0. */
  readonly offset: number;
  /** Length of the offending text (0 for something missing). */
  readonly length: number;
  /** 1-based line and column of `offset`. */
  readonly line: number;
  readonly column: number;
}

/** A problem before its line and column are known. */
export interface RawProblem {
  readonly code: ProblemCode;
  readonly message: string;
  readonly offset: number;
  readonly length: number;
}

/** Adds line and column to each problem, in text order (stable for equal offsets). */
export function locateProblems(text: string, raw: readonly RawProblem[]): ParseProblem[] {
  if (raw.length === 0) return [];
  const sorted = raw.slice().sort((a, b) => a.offset - b.offset);
  const lineStarts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) lineStarts.push(i + 1);
  return sorted.map((p) => {
    const line = lastAtOrBefore(lineStarts, p.offset);
    return {
      code: p.code,
      message: p.message,
      offset: p.offset,
      length: p.length,
      line: line + 1,
      column: p.offset - (lineStarts[line] ?? 0) + 1,
    };
  });
}

/** Index of the last element of a sorted array that is at most `value` (binary search). */
function lastAtOrBefore(sorted: readonly number[], value: number): number {
  let lo = 0;
  let hi = sorted.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((sorted[mid] ?? 0) <= value) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** The problem reported once when a scene goes past the object cap at `offset`. */
export function tooManyObjects(offset: number, length: number): RawProblem {
  return {
    code: 'too_many_objects',
    message: `The scene holds more than ${MAX_SCENE_OBJECTS} objects; the first ${MAX_SCENE_OBJECTS} were kept and the rest dropped (a model repeating itself writes such scenes).`,
    offset,
    length,
  };
}
