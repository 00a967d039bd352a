import type { ViewName } from '@actllm/core';
import { fromAngleBin, fromBin } from './quantize.js';
import { quote } from './arguments.js';
import { tooManyObjects, type RawProblem } from './problems.js';
import {
  MAX_SCENE_OBJECTS,
  NAME_PATTERN,
  SCENE_SCHEMA_VERSION,
  type DescribedObject,
} from './schema.js';
import {
  BIN_TOKEN_PATTERN,
  ID_MARK,
  OBJECT_CLOSE,
  OBJECT_OPEN,
  SCENE_CLOSE,
  SCENE_OPEN,
  SCENE_OPEN_PATTERN,
  VIEW_BY_TOKEN,
  type BinField,
} from './vocabulary.js';

interface Token {
  readonly text: string;
  readonly offset: number;
}

export interface CompactReading {
  readonly objects: DescribedObject[];
  readonly problems: RawProblem[];
}

/** Field ranks, for the fixed order of the grammar; names take ranks 0 and 1. */
const RANK = { x: 2, y: 3, w: 4, h: 5, t: 6, view: 7, id: 8 } as const;
type Field = keyof typeof RANK;

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  for (const m of text.matchAll(/\S+/g)) tokens.push({ text: m[0], offset: m.index });
  return tokens;
}

function problemAt(
  code: RawProblem['code'],
  token: Token,
  message: string,
  span?: Token,
): RawProblem {
  const last = span ?? token;
  return {
    code,
    message,
    offset: token.offset,
    length: last.offset + last.text.length - token.offset,
  };
}

/**
 * Reads the compact form, recovering what it can; the caller decides whether problems are
 * fatal. Recovery rules (documented in the README):
 * - anything before `<scene_v1>` and after `</scene>` is skipped (one problem per run);
 * - outside objects, unknown tokens are skipped;
 * - inside an object, fields may come in any order (a problem is reported), a repeated field
 *   keeps its first value, a bin index beyond the bin count or an unknown token is skipped;
 * - an object ends at `</obj>`, or at the next `<obj>` / `</scene>` / end of text (reported),
 *   and is kept when it has its shape, colour, x and y.
 */
export function readCompact(text: string, bins: number): CompactReading {
  const tokens = tokenize(text);
  const reader = new Reader(tokens, bins);
  reader.read(text.length);
  return { objects: reader.objects, problems: reader.problems };
}

class Reader {
  readonly objects: DescribedObject[] = [];
  readonly problems: RawProblem[] = [];
  #i = 0;
  #overflowed = false;

  constructor(
    private readonly tokens: readonly Token[],
    private readonly bins: number,
  ) {}

  read(textLength: number): void {
    this.#openScene();
    let skipped: Token | undefined;
    let lastSkipped: Token | undefined;
    const flushSkipped = (): void => {
      if (skipped === undefined) return;
      this.problems.push(
        problemAt(
          'unexpected_token',
          skipped,
          `Skipped text outside any object; objects start with ${OBJECT_OPEN}.`,
          lastSkipped,
        ),
      );
      skipped = undefined;
    };
    while (this.#i < this.tokens.length) {
      const token = this.tokens[this.#i] as Token;
      if (token.text === OBJECT_OPEN) {
        flushSkipped();
        this.#readObject();
      } else if (token.text === SCENE_CLOSE) {
        flushSkipped();
        this.#i++;
        this.#trailing();
        return;
      } else {
        skipped ??= token;
        lastSkipped = token;
        this.#i++;
      }
    }
    flushSkipped();
    this.problems.push({
      code: 'unexpected_end',
      message: `The text ends before ${SCENE_CLOSE}; it may be truncated. Complete objects were kept.`,
      offset: textLength,
      length: 0,
    });
  }

  #openScene(): void {
    const first = this.tokens[0];
    if (first === undefined) return;
    const at = this.tokens.findIndex((t) => SCENE_OPEN_PATTERN.test(t.text));
    if (at < 0) {
      this.problems.push({
        code: 'missing_field',
        message: `The scene does not start with ${SCENE_OPEN}; write it first.`,
        offset: first.offset,
        length: 0,
      });
      return;
    }
    const open = this.tokens[at] as Token;
    if (at > 0) {
      this.problems.push(
        problemAt(
          'unexpected_token',
          first,
          `Skipped text before ${SCENE_OPEN}.`,
          this.tokens[at - 1],
        ),
      );
    }
    if (open.text !== SCENE_OPEN) {
      this.problems.push(
        problemAt(
          'unsupported_version',
          open,
          `${open.text} is not a version this reader knows; it reads ${SCENE_OPEN} (schema version ${SCENE_SCHEMA_VERSION}).`,
        ),
      );
    }
    this.#i = at + 1;
  }

  #trailing(): void {
    const first = this.tokens[this.#i];
    if (first === undefined) return;
    const last = this.tokens[this.tokens.length - 1];
    this.problems.push(
      problemAt('unexpected_token', first, `Skipped text after ${SCENE_CLOSE}.`, last),
    );
    this.#i = this.tokens.length;
  }

  #readObject(): void {
    const open = this.tokens[this.#i] as Token;
    this.#i++;
    const names: string[] = [];
    const values = new Map<Field, number | string>();
    let lastRank = -1;
    let end: Token = open;
    let closed = false;
    while (this.#i < this.tokens.length) {
      const token = this.tokens[this.#i] as Token;
      if (token.text === OBJECT_CLOSE) {
        this.#i++;
        end = token;
        closed = true;
        break;
      }
      if (
        token.text === OBJECT_OPEN ||
        token.text === SCENE_CLOSE ||
        SCENE_OPEN_PATTERN.test(token.text)
      ) {
        this.problems.push({
          code: 'missing_field',
          message: `Missing ${OBJECT_CLOSE} before ${token.text}.`,
          offset: token.offset,
          length: 0,
        });
        closed = true;
        break;
      }
      this.#i++;
      end = token;
      const field = this.#readField(token, names, values);
      if (field === undefined) continue;
      const rank = field === 'name' ? names.length - 1 : RANK[field];
      if (rank < lastRank) {
        this.problems.push(
          problemAt(
            'unexpected_token',
            token,
            `${token.text} is out of order; write shape, colour, x, y, w, h, t, view, id.`,
          ),
        );
      }
      lastRank = Math.max(lastRank, rank);
    }
    if (!closed) {
      this.problems.push({
        code: 'unexpected_end',
        message: `The text ends inside an object (no ${OBJECT_CLOSE}); it may be truncated.`,
        offset: end.offset + end.text.length,
        length: 0,
      });
    }
    this.#finishObject(open, end, names, values);
  }

  /** Reads one token of an object into `names` or `values`; returns what it set. */
  #readField(
    token: Token,
    names: string[],
    values: Map<Field, number | string>,
  ): Field | 'name' | undefined {
    const bin = BIN_TOKEN_PATTERN.exec(token.text);
    if (bin) return this.#readBin(token, bin[1] as BinField, Number(bin[2]), values);
    const view = VIEW_BY_TOKEN.get(token.text);
    if (view !== undefined) return this.#set(token, 'view', view, values);
    if (token.text === ID_MARK) return this.#readId(token, values);
    if (NAME_PATTERN.test(token.text)) {
      if (names.length < 2 && values.size === 0) {
        names.push(token.text);
        return 'name';
      }
      this.problems.push(
        problemAt(
          'unexpected_token',
          token,
          `Unexpected name ${token.text}; an object has one shape and one colour, written before its coordinates.`,
        ),
      );
      return undefined;
    }
    const code = token.text.startsWith('<') ? 'unexpected_token' : 'invalid_value';
    this.problems.push(
      problemAt(
        code,
        token,
        `${quote(token.text)} is not a token of the compact form; see compactVocabulary().`,
      ),
    );
    return undefined;
  }

  #readBin(
    token: Token,
    field: BinField,
    index: number,
    values: Map<Field, number | string>,
  ): Field | undefined {
    if (index >= this.bins) {
      this.problems.push(
        problemAt(
          'invalid_value',
          token,
          `${token.text} is beyond the last bin (${this.bins - 1}); parse with the bin count the text was written with.`,
        ),
      );
      return undefined;
    }
    const value = field === 't' ? fromAngleBin(index, this.bins) : fromBin(index, this.bins);
    return this.#set(token, field, value, values);
  }

  #readId(mark: Token, values: Map<Field, number | string>): Field | undefined {
    const next = this.tokens[this.#i];
    if (next === undefined || !NAME_PATTERN.test(next.text)) {
      this.problems.push(
        problemAt('missing_field', mark, `${ID_MARK} must be followed by an id name.`),
      );
      return undefined;
    }
    this.#i++;
    return this.#set(next, 'id', next.text, values);
  }

  #set(
    token: Token,
    field: Field,
    value: number | string,
    values: Map<Field, number | string>,
  ): Field | undefined {
    if (values.has(field)) {
      this.problems.push(
        problemAt(
          'duplicate_field',
          token,
          `${token.text} repeats ${field}; the first value was kept.`,
        ),
      );
      return undefined;
    }
    values.set(field, value);
    return field;
  }

  #finishObject(
    open: Token,
    end: Token,
    names: readonly string[],
    values: ReadonlyMap<Field, number | string>,
  ): void {
    const [object, color] = names;
    const x = values.get('x');
    const y = values.get('y');
    if (
      object === undefined ||
      color === undefined ||
      typeof x !== 'number' ||
      typeof y !== 'number'
    ) {
      const missing = [
        object === undefined ? 'shape' : '',
        color === undefined ? 'colour' : '',
        x === undefined ? 'x' : '',
        y === undefined ? 'y' : '',
      ].filter(Boolean);
      this.problems.push(
        problemAt(
          'missing_field',
          open,
          `Object without ${missing.join(', ')}; it was dropped.`,
          end,
        ),
      );
      return;
    }
    if (this.objects.length === MAX_SCENE_OBJECTS) {
      // Reported once; the rest of the text is still read for its other problems.
      if (!this.#overflowed)
        this.problems.push(tooManyObjects(open.offset, end.offset - open.offset));
      this.#overflowed = true;
      return;
    }
    const w = values.get('w');
    const h = values.get('h');
    const t = values.get('t');
    const id = values.get('id');
    const view = values.get('view');
    this.objects.push({
      object,
      color,
      x,
      y,
      ...(typeof w === 'number' ? { w } : {}),
      ...(typeof h === 'number' ? { h } : {}),
      ...(typeof t === 'number' ? { theta: t } : {}),
      ...(typeof id === 'string' ? { id } : {}),
      ...(typeof view === 'string' ? { view: view as ViewName } : {}),
    });
  }
}
