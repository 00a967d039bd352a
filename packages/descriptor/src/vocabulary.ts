import { VIEW_NAMES, type ViewName } from '@actllm/core';
import { describeValue } from './arguments.js';
import { DescriptorError } from './errors.js';
import { DEFAULT_BINS, MAX_BINS, checkBins } from './quantize.js';
import { SCENE_SCHEMA_VERSION } from './schema.js';

/**
 * The tokens of the compact form. Every token is separated by whitespace, so a tokenizer
 * that splits on whitespace sees exactly these, plus the domain's shape, colour and id names.
 */
export const SCENE_OPEN = `<scene_v${SCENE_SCHEMA_VERSION}>`;
export const SCENE_CLOSE = '</scene>';
export const OBJECT_OPEN = '<obj>';
export const OBJECT_CLOSE = '</obj>';
/** Introduces the id name that follows it. */
export const ID_MARK = '<id>';

/** Bin-token prefixes: one per numeric field (`t` is theta). */
export const BIN_FIELDS = ['x', 'y', 'w', 'h', 't'] as const;
export type BinField = (typeof BIN_FIELDS)[number];

/** The token of a view; throws DESCRIPTOR_INVALID_ARGUMENT for a name that is not a view. */
export function viewToken(view: ViewName): string {
  if (!(VIEW_NAMES as readonly unknown[]).includes(view)) {
    throw new DescriptorError(
      'DESCRIPTOR_INVALID_ARGUMENT',
      `view must be one of ${VIEW_NAMES.join(', ')}; got ${describeValue(view)}.`,
    );
  }
  return `<view_${view}>`;
}

/**
 * The token of bin `bin` of a field; throws DESCRIPTOR_INVALID_ARGUMENT for a field that is
 * not one of {@link BIN_FIELDS} or a bin that is not an integer in [0, MAX_BINS).
 */
export function binToken(field: BinField, bin: number): string {
  if (!(BIN_FIELDS as readonly unknown[]).includes(field)) {
    throw new DescriptorError(
      'DESCRIPTOR_INVALID_ARGUMENT',
      `field must be one of ${BIN_FIELDS.join(', ')}; got ${describeValue(field)}.`,
    );
  }
  if (!Number.isInteger(bin) || bin < 0 || bin >= MAX_BINS) {
    throw new DescriptorError(
      'DESCRIPTOR_INVALID_ARGUMENT',
      `bin must be an integer in [0, ${MAX_BINS}); got ${describeValue(bin)}.`,
    );
  }
  return `<${field}_${bin}>`;
}

/** Matches any `<scene_vN>` so that a scene of another version is reported as such. */
export const SCENE_OPEN_PATTERN = /^<scene_v(\d{1,6})>$/;

/** Matches a bin token; the index is checked separately against the bin count. */
export const BIN_TOKEN_PATTERN = /^<([xywht])_(0|[1-9]\d{0,5})>$/;

export const VIEW_BY_TOKEN: ReadonlyMap<string, ViewName> = new Map(
  VIEW_NAMES.map((v) => [viewToken(v), v]),
);

/**
 * Every structure and bin token of the compact form for a bin count, in a fixed order:
 * the structure tokens, the view tokens, then the bins of x, y, w, h and t. Shape, colour and
 * id names are the domain's vocabulary and are not listed.
 */
export function compactVocabulary(bins: number = DEFAULT_BINS): string[] {
  checkBins(bins);
  const tokens = [SCENE_OPEN, SCENE_CLOSE, OBJECT_OPEN, OBJECT_CLOSE, ID_MARK];
  for (const view of VIEW_NAMES) tokens.push(viewToken(view));
  for (const field of BIN_FIELDS) {
    for (let i = 0; i < bins; i++) tokens.push(binToken(field, i));
  }
  return tokens;
}
