/**
 * Two small scanners over JSON text, both iterative (no recursion, so deep nesting cannot
 * overflow the stack) and total (they never throw):
 * - {@link findJsonSyntaxError} finds the first syntax error, with its offset. We do not rely
 *   on `JSON.parse` messages for positions: their wording differs between V8 versions and
 *   some carry no position at all.
 * - {@link scanJsonSpans} finds where values start and end, to point problems at the text.
 */

/** A half-open range `[start, end)` of UTF-16 code units. */
export interface Span {
  readonly start: number;
  readonly end: number;
}

export interface JsonSyntaxError {
  readonly offset: number;
  /** What the scanner expected at `offset`, in words. */
  readonly expected: string;
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const LITERALS = ['true', 'false', 'null'] as const;
const ESCAPES = new Set(['"', '\\', '/', 'b', 'f', 'n', 'r', 't']);
const HEX4 = /^[0-9a-fA-F]{4}$/;

function skipWhitespace(text: string, i: number): number {
  let k = i;
  while (k < text.length) {
    const c = text.charCodeAt(k);
    if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) break;
    k++;
  }
  return k;
}

/** The offset after the string starting at `i` (a `"`), or a syntax error. */
function scanString(text: string, i: number): number | JsonSyntaxError {
  let k = i + 1;
  while (k < text.length) {
    const c = text.charCodeAt(k);
    if (c === 0x22) return k + 1;
    if (c < 0x20) return { offset: k, expected: 'an escaped control character' };
    if (c === 0x5c) {
      const e = text.charAt(k + 1);
      if (e === 'u') {
        if (!HEX4.test(text.slice(k + 2, k + 6))) {
          return { offset: k, expected: 'four hex digits after \\u' };
        }
        k += 6;
        continue;
      }
      if (!ESCAPES.has(e)) return { offset: k, expected: 'a valid escape' };
      k += 2;
      continue;
    }
    k++;
  }
  return { offset: text.length, expected: 'the closing quote of a string' };
}

type State = 'value' | 'key' | 'after';

/** The first syntax error of `text` as JSON (RFC 8259), or `undefined` when it is valid. */
export function findJsonSyntaxError(text: string): JsonSyntaxError | undefined {
  const stack: string[] = [];
  let state: State = 'value';
  let i = 0;
  for (;;) {
    i = skipWhitespace(text, i);
    if (state === 'after') {
      const top = stack[stack.length - 1];
      if (top === undefined) {
        return i < text.length ? { offset: i, expected: 'the end of the input' } : undefined;
      }
      const c = text.charAt(i);
      if (c === ',') {
        state = top === '{' ? 'key' : 'value';
        i++;
      } else if ((c === '}' && top === '{') || (c === ']' && top === '[')) {
        stack.pop();
        i++;
      } else {
        return { offset: i, expected: top === '{' ? "',' or '}'" : "',' or ']'" };
      }
      continue;
    }
    if (state === 'key') {
      if (text.charAt(i) !== '"') return { offset: i, expected: 'a quoted key' };
      const end = scanString(text, i);
      if (typeof end !== 'number') return end;
      i = skipWhitespace(text, end);
      if (text.charAt(i) !== ':') return { offset: i, expected: "':'" };
      i++;
      state = 'value';
      continue;
    }
    const c = text.charAt(i);
    if (c === '{' || c === '[') {
      const close = c === '{' ? '}' : ']';
      const j = skipWhitespace(text, i + 1);
      if (text.charAt(j) === close) {
        i = j + 1;
        state = 'after';
      } else {
        stack.push(c);
        i = j;
        state = c === '{' ? 'key' : 'value';
      }
      continue;
    }
    const end = scanScalar(text, i);
    if (typeof end !== 'number') return end;
    i = end;
    state = 'after';
  }
}

/** The offset after the string, number or literal at `i`, or a syntax error. */
function scanScalar(text: string, i: number): number | JsonSyntaxError {
  if (text.charAt(i) === '"') return scanString(text, i);
  NUMBER.lastIndex = i;
  const m = NUMBER.exec(text);
  if (m) return i + m[0].length;
  for (const literal of LITERALS) if (text.startsWith(literal, i)) return i + literal.length;
  return {
    offset: i,
    expected: i < text.length ? 'a value' : 'a value before the end of the input',
  };
}

export interface JsonSpans {
  /** Elements of the top-level object's `"objects"` array (the last one, as JSON.parse reads it), in order. */
  readonly elements: readonly Span[];
  /** Complete `{...}` objects that contain no object or array. */
  readonly leaves: readonly Span[];
  /** Start of a flat `{` that is never closed (truncated text), or -1. */
  readonly unclosedLeaf: number;
  /**
   * The first place of each key of the top-level object, by its quoted text as written
   * (`"objects"`), so problems about keys are located without searching the text again.
   */
  readonly topKeys: ReadonlyMap<string, Span>;
}

interface Open {
  readonly ch: string;
  readonly start: number;
  nested: boolean;
}

/**
 * Where values are, in one pass over possibly broken JSON: strings are skipped with their
 * escapes, brackets are matched by nesting only (a wrong closer still closes).
 */
export function scanJsonSpans(text: string): JsonSpans {
  const elements: Span[] = [];
  const leaves: Span[] = [];
  const topKeys = new Map<string, Span>();
  const stack: Open[] = [];
  let elementStart = -1;
  let inObjects = false;
  let lastEnd = 0;
  let i = 0;
  while (i < text.length) {
    const c = text.charAt(i);
    const inElementArray =
      inObjects && stack.length === 2 && stack[0]?.ch === '{' && stack[1]?.ch === '[';
    if (inElementArray && elementStart < 0 && !/[\s,\]]/.test(c)) elementStart = i;
    if (inElementArray && (c === ',' || c === ']') && elementStart >= 0) {
      elements.push({ start: elementStart, end: lastEnd });
      elementStart = -1;
    }
    if (c === '"') {
      const end = skipStringLoosely(text, i);
      if (
        stack.length === 1 &&
        stack[0]?.ch === '{' &&
        text.charAt(skipWhitespace(text, end)) === ':'
      ) {
        const key = text.slice(i, end);
        if (!topKeys.has(key)) topKeys.set(key, { start: i, end });
        // JSON.parse keeps the last of repeated keys, so the elements restart with each "objects".
        inObjects = key === '"objects"';
        if (inObjects) elements.length = 0;
      }
      lastEnd = end;
      i = end;
      continue;
    }
    if (c === '{' || c === '[') {
      const parent = stack[stack.length - 1];
      if (parent) parent.nested = true;
      stack.push({ ch: c, start: i, nested: false });
    } else if ((c === '}' || c === ']') && stack.length > 0) {
      const open = stack.pop();
      if (open?.ch === '{' && !open.nested) leaves.push({ start: open.start, end: i + 1 });
    }
    if (!/\s/.test(c)) lastEnd = i + 1;
    i++;
  }
  const top = stack[stack.length - 1];
  const unclosedLeaf = top?.ch === '{' && !top.nested ? top.start : -1;
  return { elements, leaves, unclosedLeaf, topKeys };
}

/** The offset after a string, or the end of the text when it is never closed. */
function skipStringLoosely(text: string, i: number): number {
  let k = i + 1;
  while (k < text.length) {
    const c = text.charAt(k);
    if (c === '"') return k + 1;
    k += c === '\\' ? 2 : 1;
  }
  return text.length;
}
