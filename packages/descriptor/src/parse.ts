import { readCompact } from './parse-compact.js';
import { readJson } from './parse-json.js';
import { locateProblems, type ParseProblem, type RawProblem } from './problems.js';
import { z } from 'zod';
import { requireString } from './arguments.js';
import { binsOption, readOptions } from './options.js';
import { DEFAULT_BINS } from './quantize.js';
import { SCENE_SCHEMA_VERSION, type DescribedObject, type SceneDescriptor } from './schema.js';
import { OBJECT_OPEN } from './vocabulary.js';

export type SceneFormat = 'json' | 'compact';

/**
 * `strict`: the text must be exactly one valid scene; any problem fails the parse.
 * `tolerant`: every problem is reported, and the scene holds whatever could be recovered.
 */
export type ParseMode = 'strict' | 'tolerant';

export interface ParseOptions {
  /** Default `auto`: see {@link detectFormat}. */
  readonly format?: SceneFormat | 'auto';
  /** Default `strict`. */
  readonly mode?: ParseMode;
  /** Bin count of the compact form's tokens (default {@link DEFAULT_BINS}). */
  readonly bins?: number;
}

/**
 * The result of {@link parseScene}. `ok` is true when there is no problem at all. When it is
 * false, `scene` is `null` in strict mode and the recovered scene (possibly empty) in tolerant
 * mode.
 */
export type ParseResult =
  | {
      readonly ok: true;
      readonly format: SceneFormat;
      readonly scene: SceneDescriptor;
      readonly problems: readonly [];
    }
  | {
      readonly ok: false;
      readonly format: SceneFormat;
      readonly scene: SceneDescriptor | null;
      readonly problems: readonly ParseProblem[];
    };

/**
 * Which form a text is in: JSON when its first non-blank character is `{`; otherwise compact
 * when it holds a `<scene_vN>` or `<obj>` token; otherwise JSON when it holds a `{`
 * (prose around a JSON scene), and compact for anything else. Throws
 * DESCRIPTOR_INVALID_ARGUMENT for a value that is not a string.
 */
export function detectFormat(text: string): SceneFormat {
  requireString(text, 'detectFormat: text');
  const trimmed = text.trimStart();
  if (trimmed.startsWith('{')) return 'json';
  if (text.includes(OBJECT_OPEN) || /<scene_v\d/.test(text)) return 'compact';
  return text.includes('{') ? 'json' : 'compact';
}

const ParseOptionsSchema = z.strictObject({
  format: z.enum(['json', 'compact', 'auto']).optional(),
  mode: z.enum(['strict', 'tolerant']).optional(),
  bins: binsOption.optional(),
});

/**
 * Parses model output or stored text into a scene. Never throws on any text (any value, in
 * fact: a non-string is reported as an `invalid_value` problem), in time linear in its
 * length and whatever its nesting depth: every problem is returned with its position. A
 * scene of more than MAX_SCENE_OBJECTS objects keeps the first ones and reports
 * `too_many_objects`. (Invalid options, such as a bin count that is not an integer or a
 * misspelt option name, are programming errors and do throw `DESCRIPTOR_INVALID_OPTIONS`.)
 */
export function parseScene(text: string, options: ParseOptions = {}): ParseResult {
  const checked = readOptions(ParseOptionsSchema, options, 'parseScene');
  const bins = checked.bins ?? DEFAULT_BINS;
  const mode = checked.mode ?? 'strict';
  const input = typeof text === 'string' ? text : '';
  const format =
    checked.format === undefined || checked.format === 'auto'
      ? detectFormat(input)
      : checked.format;
  const reading = readText(input, text, format, bins, mode === 'tolerant');
  const problems = locateProblems(input, reading.problems);
  const scene: SceneDescriptor = { version: SCENE_SCHEMA_VERSION, objects: reading.objects };
  if (problems.length === 0) return { ok: true, format, scene, problems: [] };
  return { ok: false, format, scene: mode === 'tolerant' ? scene : null, problems };
}

function readText(
  input: string,
  original: unknown,
  format: SceneFormat,
  bins: number,
  recover: boolean,
): { objects: DescribedObject[]; problems: RawProblem[] } {
  if (typeof original !== 'string') {
    return {
      objects: [],
      problems: [
        {
          code: 'invalid_value',
          message: `parseScene reads a string; got ${typeof original}.`,
          offset: 0,
          length: 0,
        },
      ],
    };
  }
  if (input.trim() === '') {
    return {
      objects: [],
      problems: [
        {
          code: 'empty_input',
          message: 'The text is empty; expected a scene.',
          offset: 0,
          length: input.length,
        },
      ],
    };
  }
  return format === 'json' ? readJson(input, recover) : readCompact(input, bins);
}
