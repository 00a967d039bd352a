import { ACTION_KINDS } from '@actllm/core';
import {
  MAX_SCENE_OBJECTS,
  NAME_PATTERN,
  OBJECT_CLOSE,
  OBJECT_OPEN,
  SCENE_CLOSE,
  SCENE_OPEN,
  binToken,
} from '@actllm/descriptor';
import { ACT_CLOSE, ACT_OPEN, rotationToken } from './action-text.js';
import {
  FORMAT_OPTIONS,
  checkCount,
  formatOf,
  invalidOption,
  type AssistantFormat,
  type AssistantFormatOptions,
} from './options.js';
import type { Tokenizer } from './tokenizer.js';
import { checkOptionNames, describeValue, invalidArgument, stringsOf } from './validate.js';
import { END_TOKEN, requireFormatTokens, requireTokenizer } from './vocabulary.js';

/**
 * The output grammar of an assistant turn as a deterministic automaton over token ids:
 *
 *     SCENE SCENE <act> KIND <x> <y> <r> <x> <y> <r> </act> <|end|>
 *     SCENE := <scene_v1> ( <obj> SHAPE COLOR <x> <y> [<w> <h>] [<t>] [<view_V>] </obj> )* </scene>
 *
 * where the bracketed fields are fixed by the format (present on every object or on none,
 * as the episode conversion writes them), SHAPE and COLOR come from the given name sets and
 * bins from the given counts. It starts after the `<|assistant|>` prompt. Decoding masks the
 * logits to `allowedAt(state)` and advances with `next`; every accepted sequence parses with
 * `parseAssistantText`. The grammar is syntactic: it does not check object order or that the
 * action matches the scenes (the policy's consistency check does that).
 */

export interface GrammarOptions extends AssistantFormatOptions {
  /** Shape names the scenes may use. */
  readonly shapes: Iterable<string>;
  /** Colour names the scenes may use. */
  readonly colors: Iterable<string>;
  /**
   * At most this many objects per scene, to bound the output length: an integer in
   * [0, MAX_SCENE_OBJECTS] (default MAX_SCENE_OBJECTS, the most a scene may hold).
   */
  readonly maxObjects?: number;
}

const GRAMMAR_OPTIONS = [...FORMAT_OPTIONS, 'shapes', 'colors', 'maxObjects'] as const;

/** The dead state: the prefix is not in the language. */
export const DEAD = -1;

/**
 * One transition: any token of `ids` leads to `to`. Token classes (all x bins, all shapes, ...)
 * are shared by every state that allows them, so the automaton's memory grows with its
 * number of states, not with states times bins.
 */
interface Transition {
  readonly ids: ReadonlySet<number>;
  readonly to: number;
}

export class AssistantGrammar {
  readonly #states: readonly (readonly Transition[])[];
  readonly #unions = new Map<number, ReadonlySet<number>>();
  readonly #final: number;

  /** @internal built by {@link buildAssistantGrammar}. */
  constructor(states: readonly (readonly Transition[])[], final: number) {
    this.#states = states;
    this.#final = final;
  }

  /** The state before any token. */
  get initial(): number {
    return 0;
  }

  /** Number of states. */
  get size(): number {
    return this.#states.length;
  }

  /** The state after `id`, or {@link DEAD}. */
  next(state: number, id: number): number {
    checkInteger(state, 'state');
    checkInteger(id, 'id');
    for (const t of this.#states[state] ?? NONE) if (t.ids.has(id)) return t.to;
    return DEAD;
  }

  /** The tokens allowed in a state; empty for the final and the dead state. */
  allowedAt(state: number): ReadonlySet<number> {
    checkInteger(state, 'state');
    const transitions = this.#states[state] ?? NONE;
    if (transitions.length <= 1) return transitions[0]?.ids ?? EMPTY;
    let union = this.#unions.get(state);
    if (union === undefined) {
      union = new Set(transitions.flatMap((t) => [...t.ids]));
      this.#unions.set(state, union);
    }
    return union;
  }

  /** The state after a sequence of tokens from the start. */
  run(ids: Iterable<number>): number {
    let state = this.initial;
    for (const id of iterable(ids)) {
      state = this.next(state, id);
      if (state === DEAD) return DEAD;
    }
    return state;
  }

  /** The tokens allowed after a prefix; empty when the prefix is complete or not in the language. */
  allowed(prefix: Iterable<number>): ReadonlySet<number> {
    return this.allowedAt(this.run(prefix));
  }

  isFinal(state: number): boolean {
    checkInteger(state, 'state');
    return state === this.#final;
  }

  /** True when the ids are one complete assistant turn. */
  accepts(ids: Iterable<number>): boolean {
    return this.isFinal(this.run(ids));
  }
}

const EMPTY: ReadonlySet<number> = new Set();
const NONE: readonly Transition[] = [];

function checkInteger(value: number, what: string): void {
  if (!Number.isInteger(value)) {
    throw invalidArgument(`${what} must be an integer; got ${describeValue(value)}.`);
  }
}

function iterable(ids: Iterable<number>): Iterable<number> {
  if (typeof ids !== 'object' || ids === null || !(Symbol.iterator in ids)) {
    throw invalidArgument(`ids must be an iterable of token ids; got ${describeValue(ids)}.`);
  }
  return ids;
}

class Builder {
  readonly states: Transition[][] = [];

  node(): number {
    if (this.states.length >= MAX_GRAMMAR_STATES) {
      throw invalidOption(
        `The grammar would have more than ${MAX_GRAMMAR_STATES} states; lower maxObjects.`,
      );
    }
    this.states.push([]);
    return this.states.length - 1;
  }

  edge(from: number, ids: ReadonlySet<number>, to: number): void {
    this.states[from]!.push({ ids, to });
  }

  /** from -ids[0]-> n1 -ids[1]-> ... -> to; returns `to`. */
  chain(from: number, steps: readonly ReadonlySet<number>[], to: number = this.node()): number {
    let at = from;
    steps.forEach((ids, i) => {
      const target = i === steps.length - 1 ? to : this.node();
      this.edge(at, ids, target);
      at = target;
    });
    return to;
  }
}

/**
 * A bound on the automaton's size whatever the options: two scenes of MAX_SCENE_OBJECTS
 * objects of at most 11 tokens each, plus the action, stay far below it.
 */
const MAX_GRAMMAR_STATES = 65_536;

/** Looks token strings up; a grammar token missing from the vocabulary is a configuration error. */
function lookup(tokenizer: Tokenizer, tokens: readonly string[]): ReadonlySet<number> {
  return new Set(
    tokens.map((t) => {
      const id = tokenizer.id(t);
      if (id === undefined) {
        throw invalidOption(
          `The grammar needs the token ${JSON.stringify(t)}, which the tokenizer lacks; build the tokenizer with the same names and bins.`,
        );
      }
      return id;
    }),
  );
}

function names(values: Iterable<string>, what: string): string[] {
  const list = [...new Set(stringsOf(values, `${what}s`))];
  if (list.length === 0) throw invalidOption(`The grammar needs at least one ${what} name.`);
  const bad = list.find((n) => !NAME_PATTERN.test(n));
  if (bad !== undefined)
    throw invalidOption(`${what} name ${JSON.stringify(bad)} is not a scene name.`);
  return list;
}

type Ids = ReadonlySet<number>;

interface Classes {
  readonly structure: (token: string) => Ids;
  readonly shapes: Ids;
  readonly colors: Ids;
  readonly bins: Readonly<Record<'x' | 'y' | 'w' | 'h' | 't', Ids>>;
  readonly rotations: Ids;
  readonly kinds: Ids;
}

function tokenClasses(tokenizer: Tokenizer, options: GrammarOptions, f: AssistantFormat): Classes {
  const range = (n: number) => Array.from({ length: n }, (_, i) => i);
  const bins = (field: 'x' | 'y' | 'w' | 'h' | 't') =>
    lookup(
      tokenizer,
      range(f.bins).map((i) => binToken(field, i)),
    );
  return {
    structure: (token) => lookup(tokenizer, [token]),
    shapes: lookup(tokenizer, names(options.shapes, 'shape')),
    colors: lookup(tokenizer, names(options.colors, 'colour')),
    bins: {
      x: bins('x'),
      y: bins('y'),
      w: f.size ? bins('w') : EMPTY,
      h: f.size ? bins('h') : EMPTY,
      t: f.theta ? bins('t') : EMPTY,
    },
    rotations: lookup(tokenizer, range(f.rotationBins).map(rotationToken)),
    kinds: lookup(tokenizer, [...ACTION_KINDS]),
  };
}

/** The tokens of one object, field by field, as the format writes them. */
function objectSteps(c: Classes, f: AssistantFormat): Ids[] {
  const steps = [c.structure(OBJECT_OPEN), c.shapes, c.colors, c.bins.x, c.bins.y];
  if (f.size) steps.push(c.bins.w, c.bins.h);
  if (f.theta) steps.push(c.bins.t);
  if (f.frame !== 'workspace') steps.push(c.structure(`<view_${f.frame}>`));
  steps.push(c.structure(OBJECT_CLOSE));
  return steps;
}

/** Adds one scene from `entry`; returns the state after its `</scene>`. */
function addScene(
  b: Builder,
  c: Classes,
  f: AssistantFormat,
  entry: number,
  maxObjects: number,
): number {
  const exit = b.node();
  const close = c.structure(SCENE_CLOSE);
  const object = objectSteps(c, f);
  let list = b.chain(entry, [c.structure(SCENE_OPEN)]);
  // One list state per object count, so a scene cannot grow past maxObjects.
  for (let n = 0; n < maxObjects; n++) {
    b.edge(list, close, exit);
    list = b.chain(list, object);
  }
  b.edge(list, close, exit);
  return exit;
}

/** The automaton of an assistant turn for a tokenizer and a format; see {@link AssistantGrammar}. */
export function buildAssistantGrammar(
  tokenizer: Tokenizer,
  options: GrammarOptions,
): AssistantGrammar {
  requireTokenizer(tokenizer, 'buildAssistantGrammar');
  checkOptionNames(options, GRAMMAR_OPTIONS, 'buildAssistantGrammar');
  const f = formatOf(options);
  const maxObjects = checkCount(
    options.maxObjects ?? MAX_SCENE_OBJECTS,
    'maxObjects',
    0,
    false,
    MAX_SCENE_OBJECTS,
  );
  requireFormatTokens(tokenizer, f, 'buildAssistantGrammar');
  const c = tokenClasses(tokenizer, options, f);
  const b = new Builder();
  const start = b.node();
  const afterNext = addScene(b, c, f, addScene(b, c, f, start, maxObjects), maxObjects);
  const pose = [c.bins.x, c.bins.y, c.rotations];
  const act = [
    c.structure(ACT_OPEN),
    c.kinds,
    ...pose,
    ...pose,
    c.structure(ACT_CLOSE),
    c.structure(END_TOKEN),
  ];
  const final = b.chain(afterNext, act);
  return new AssistantGrammar(b.states, final);
}
