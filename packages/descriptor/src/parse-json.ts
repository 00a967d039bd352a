import type { z } from 'zod';
import { describeValue, listKeys, quote } from './arguments.js';
import { findJsonSyntaxError, scanJsonSpans, type JsonSpans, type Span } from './json-scan.js';
import { tooManyObjects, type RawProblem } from './problems.js';
import {
  DescribedObjectSchema,
  MAX_SCENE_OBJECTS,
  SCENE_SCHEMA_VERSION,
  type DescribedObject,
} from './schema.js';

export interface JsonReading {
  readonly objects: DescribedObject[];
  readonly problems: RawProblem[];
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Reads the JSON form. A syntactically valid document is checked field by field and each
 * invalid object is reported at its place (and dropped). Broken JSON (truncated, or prose
 * around it) gives one `invalid_json` problem; then every complete flat `{...}` in the text
 * that is a valid object is recovered, so a caller in tolerant mode still gets what was
 * written before the break (tolerant mode only: `recover`).
 */
export function readJson(text: string, recover: boolean): JsonReading {
  const syntax = findJsonSyntaxError(text);
  if (syntax === undefined) {
    const value = parseOrUndefined(text);
    if (value !== undefined) return readDocument(text, value, recover);
  }
  const offset = syntax?.offset ?? 0;
  const problems: RawProblem[] = [
    {
      code: offset >= text.length ? 'unexpected_end' : 'invalid_json',
      message: `Invalid JSON: expected ${syntax?.expected ?? 'less deeply nested values'} here.`,
      offset,
      length: offset < text.length ? 1 : 0,
    },
  ];
  return { objects: recover ? recoverLeaves(text, problems) : [], problems };
}

/** `JSON.parse` after the syntax check; it can still fail on extreme nesting depth. */
function parseOrUndefined(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function readDocument(text: string, value: unknown, recover: boolean): JsonReading {
  const problems: RawProblem[] = [];
  if (!isRecord(value)) {
    problems.push({
      code: 'invalid_value',
      message: 'A scene is a JSON object { "version": 1, "objects": [...] }.',
      offset: 0,
      length: text.length,
    });
    return { objects: recover ? recoverLeaves(text, problems) : [], problems };
  }
  const scan = scanJsonSpans(text);
  checkDocumentKeys(text, scan, value, problems);
  const list = value.objects;
  if (!Array.isArray(list)) {
    if (list !== undefined) {
      problems.push({
        ...topKeyAt(text, scan, 'objects'),
        code: 'invalid_value',
        message: '"objects" must be an array of objects.',
      });
    }
    return { objects: [], problems };
  }
  const spans = scan.elements;
  const objects: DescribedObject[] = [];
  // The scan finds every element of a valid document; the empty span is a cheap fallback.
  const whole = { start: 0, end: 0 };
  // Only the first MAX_SCENE_OBJECTS are looked at: the work stays bounded past the cap.
  for (let index = 0; index < Math.min(list.length, MAX_SCENE_OBJECTS); index++) {
    const span = spans[index] ?? whole;
    const object = checkObject(text, list[index], span, problems, `objects[${index}]`);
    if (object !== undefined) objects.push(object);
  }
  if (list.length > MAX_SCENE_OBJECTS) {
    const first = spans[MAX_SCENE_OBJECTS] ?? whole;
    const last = spans[spans.length - 1] ?? whole;
    problems.push(tooManyObjects(first.start, last.end - first.start));
  }
  return { objects, problems };
}

/** The place of a top-level key, found by the scan; the whole text when it is not there. */
function topKeyAt(text: string, scan: JsonSpans, key: string): { offset: number; length: number } {
  const span = scan.topKeys.get(JSON.stringify(key));
  if (span === undefined) return { offset: 0, length: text.length };
  return { offset: span.start, length: span.end - span.start };
}

function checkDocumentKeys(
  text: string,
  scan: JsonSpans,
  doc: Record<string, unknown>,
  problems: RawProblem[],
): void {
  if (!('version' in doc)) {
    problems.push({
      code: 'missing_field',
      message: `The scene has no "version"; add "version": ${SCENE_SCHEMA_VERSION}.`,
      offset: 0,
      length: 0,
    });
  } else if (doc.version !== SCENE_SCHEMA_VERSION) {
    problems.push({
      ...topKeyAt(text, scan, 'version'),
      code: 'unsupported_version',
      message: `Version ${describeValue(doc.version)} is not one this reader knows; it reads version ${SCENE_SCHEMA_VERSION}.`,
    });
  }
  if (!('objects' in doc)) {
    problems.push({
      code: 'missing_field',
      message: 'The scene has no "objects" array.',
      offset: 0,
      length: 0,
    });
  }
  for (const key of Object.keys(doc)) {
    if (key !== 'version' && key !== 'objects') {
      problems.push({
        ...topKeyAt(text, scan, key),
        code: 'unknown_field',
        message: `Unknown scene field ${quote(key)}; a scene has only "version" and "objects".`,
      });
    }
  }
}

/** Validates one object; reports each schema issue at the key it concerns. */
function checkObject(
  text: string,
  item: unknown,
  span: Span,
  problems: RawProblem[],
  where: string,
): DescribedObject | undefined {
  const result = DescribedObjectSchema.safeParse(item);
  if (result.success) return result.data as DescribedObject;
  for (const issue of result.error.issues) problems.push(issueProblem(text, issue, span, where));
  return undefined;
}

function issueProblem(
  text: string,
  issue: z.core.$ZodIssue,
  span: Span,
  where: string,
): RawProblem {
  const key = issue.path[0];
  if (issue.code === 'unrecognized_keys') {
    const first = issue.keys[0] ?? '';
    return {
      ...keyAt(text, first, span),
      code: 'unknown_field',
      message: `${where}: unknown field(s) ${listKeys(issue.keys)}; see the schema for the fields of an object.`,
    };
  }
  if (typeof key === 'string') {
    const missing =
      issue.code === 'invalid_type' &&
      !new RegExp(`"${escapeRegExp(key)}"\\s*:`).test(text.slice(span.start, span.end));
    if (missing) {
      return {
        code: 'missing_field',
        message: `${where}: missing "${key}"; every object needs object, color, x and y.`,
        offset: span.start,
        length: span.end - span.start,
      };
    }
    return {
      ...keyAt(text, key, span),
      code: 'invalid_value',
      message: `${where}.${key}: ${issue.message}.`,
    };
  }
  return {
    code: 'invalid_value',
    message: `${where}: ${issue.message}; an object is { "object", "color", "x", "y", ... }.`,
    offset: span.start,
    length: span.end - span.start,
  };
}

/** The place of `"key"` inside `span`, or the whole span when it cannot be found. */
function keyAt(text: string, key: string, span: Span): { offset: number; length: number } {
  const needle = JSON.stringify(key);
  const at = text.slice(span.start, span.end).indexOf(needle);
  if (at < 0) return { offset: span.start, length: span.end - span.start };
  return { offset: span.start + at, length: needle.length };
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Recovery from broken JSON: every complete flat `{...}` that parses and validates as an
 * object is kept, in text order; invalid ones are reported. A flat `{` that is never closed
 * (the text was cut inside an object) is reported as dropped.
 */
function recoverLeaves(text: string, problems: RawProblem[]): DescribedObject[] {
  const spans = scanJsonSpans(text);
  const objects: DescribedObject[] = [];
  for (const span of spans.leaves) {
    if (objects.length === MAX_SCENE_OBJECTS) {
      problems.push(tooManyObjects(span.start, text.length - span.start));
      break;
    }
    const value = parseOrUndefined(text.slice(span.start, span.end));
    if (value === undefined) {
      problems.push({
        code: 'invalid_json',
        message: 'An object that is not valid JSON was dropped.',
        offset: span.start,
        length: span.end - span.start,
      });
      continue;
    }
    const object = checkObject(text, value, span, problems, 'object');
    if (object !== undefined) objects.push(object);
  }
  if (spans.unclosedLeaf >= 0) {
    problems.push({
      code: 'unexpected_end',
      message: 'The text ends inside an object, which was dropped; it may be truncated.',
      offset: spans.unclosedLeaf,
      length: text.length - spans.unclosedLeaf,
    });
  }
  return objects;
}
