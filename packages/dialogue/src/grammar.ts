import { ACTION_KINDS } from '@actllm/core';
import {
  NAME_PATTERN,
  OBJECT_CLOSE,
  OBJECT_OPEN,
  SCENE_CLOSE,
  SCENE_OPEN,
  binToken,
} from '@actllm/descriptor';
import { ACT_CLOSE, ACT_OPEN, rotationToken } from './action-text.js';
import {
  checkCount,
  invalidOption,
  resolveFormat,
  type AssistantFormat,
  type AssistantFormatOptions,
} from './options.js';
import type { Tokenizer } from './tokenizer.js';
import { END_TOKEN } from './vocabulary.js';

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
  /** At most this many objects per scene (default unlimited), to bound the output length. */
  readonly maxObjects?: number;
}

/** The dead state: the prefix is not in the language. */
export const DEAD = -1;

export class AssistantGrammar {
  readonly #edges: readonly ReadonlyMap<number, number>[];
  readonly #allowed: readonly ReadonlySet<number>[];
  readonly #final: number;

  /** @internal built by {@link buildAssistantGrammar}. */
  constructor(edges: readonly ReadonlyMap<number, number>[], final: number) {
    this.#edges = edges;
    this.#allowed = edges.map((e) => new Set(e.keys()));
    this.#final = final;
  }

  /** The state before any token. */
  get initial(): number {
    return 0;
  }

  /** Number of states. */
  get size(): number {
    return this.#edges.length;
  }

  /** The state after `id`, or {@link DEAD}. */
  next(state: number, id: number): number {
    return this.#edges[state]?.get(id) ?? DEAD;
  }

  /** The tokens allowed in a state; empty for the final and the dead state. */
  allowedAt(state: number): ReadonlySet<number> {
    return this.#allowed[state] ?? EMPTY;
  }

  /** The state after a sequence of tokens from the start. */
  run(ids: Iterable<number>): number {
    let state = this.initial;
    for (const id of ids) {
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
    return state === this.#final;
  }

  /** True when the ids are one complete assistant turn. */
  accepts(ids: Iterable<number>): boolean {
    return this.isFinal(this.run(ids));
  }
}

const EMPTY: ReadonlySet<number> = new Set();

class Builder {
  readonly edges: Map<number, number>[] = [];

  node(): number {
    this.edges.push(new Map());
    return this.edges.length - 1;
  }

  edge(from: number, ids: readonly number[], to: number): void {
    const map = this.edges[from]!;
    for (const id of ids) map.set(id, to);
  }

  /** from -ids[0]-> n1 -ids[1]-> ... -> to; returns `to`. */
  chain(from: number, steps: readonly (readonly number[])[], to: number = this.node()): number {
    let at = from;
    steps.forEach((ids, i) => {
      const target = i === steps.length - 1 ? to : this.node();
      this.edge(at, ids, target);
      at = target;
    });
    return to;
  }
}

/** Looks token strings up; a grammar token missing from the vocabulary is a configuration error. */
function lookup(tokenizer: Tokenizer, tokens: readonly string[]): number[] {
  return tokens.map((t) => {
    const id = tokenizer.id(t);
    if (id === undefined) {
      throw invalidOption(
        `The grammar needs the token ${JSON.stringify(t)}, which the tokenizer lacks; build the tokenizer with the same names and bins.`,
      );
    }
    return id;
  });
}

function names(values: Iterable<string>, what: string): string[] {
  const list = [...new Set(values)];
  if (list.length === 0) throw invalidOption(`The grammar needs at least one ${what} name.`);
  const bad = list.find((n) => !NAME_PATTERN.test(n));
  if (bad !== undefined)
    throw invalidOption(`${what} name ${JSON.stringify(bad)} is not a scene name.`);
  return list;
}

interface Classes {
  readonly structure: (token: string) => number[];
  readonly shapes: number[];
  readonly colors: number[];
  readonly bins: Readonly<Record<'x' | 'y' | 'w' | 'h' | 't', number[]>>;
  readonly rotations: number[];
  readonly kinds: number[];
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
      w: f.size ? bins('w') : [],
      h: f.size ? bins('h') : [],
      t: f.theta ? bins('t') : [],
    },
    rotations: lookup(tokenizer, range(f.rotationBins).map(rotationToken)),
    kinds: lookup(tokenizer, [...ACTION_KINDS]),
  };
}

/** The tokens of one object, field by field, as the format writes them. */
function objectSteps(c: Classes, f: AssistantFormat): number[][] {
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
  if (maxObjects === Infinity) {
    b.edge(list, close, exit);
    b.chain(list, object, list);
    return exit;
  }
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
  const f = resolveFormat(options);
  const maxObjects = checkCount(options.maxObjects ?? Infinity, 'maxObjects', 0, true);
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
  return new AssistantGrammar(b.edges, final);
}
