import type { Rng } from '@actllm/core';
import { DEAD, type AssistantGrammar } from '@actllm/dialogue';
import { PolicyError } from './errors.js';

/**
 * Decoding one assistant turn under the output grammar, so every turn parses even from an
 * untrained model. The model is anything that extends a cached prefix by some tokens and
 * returns the logits after each of them (the KV-cache decoder behind a session, in use).
 */
export interface TokenModel {
  /** Appends `tokens` to the prefix; returns the logits after each one ([vocab] each). */
  append(tokens: readonly number[]): Promise<readonly Float32Array[]>;
  /** Positions in the prefix, and forgetting past a length: needed for drafts. */
  readonly length?: number;
  truncate?(length: number): void;
}

export interface DecodeOptions {
  /** 0 (default): greedy. Above 0: sampling at this temperature, from `rng`. */
  readonly temperature?: number;
  readonly rng?: Rng;
  /** Run tokens the grammar forces as one chunk (default true; outputs do not change). */
  readonly forcedChunks?: boolean;
  /** The longest turn; past it decoding fails (default 4096). */
  readonly maxTokens?: number;
  /** Verify drafts copied from context in the same pass (default true; greedy only). */
  readonly drafts?: boolean;
  /** The prompt's token ids, where drafts are looked up besides the turn so far. */
  readonly context?: readonly number[];
  /** The longest draft (default 16). */
  readonly maxDraft?: number;
  /**
   * Tokens the turn starts with, chosen elsewhere (the scene an observation model read, say):
   * checked against the grammar and run in one pass before decoding goes on from them.
   */
  readonly prefix?: readonly number[];
  /**
   * The prefix is already in the model, run in the prompt's pass (so `first` is the logits
   * after its last token): it is only checked and stepped through, which saves a pass.
   */
  readonly prefixInModel?: boolean;
}

export interface DecodeResult {
  readonly ids: readonly number[];
  /** Model passes run, tokens the grammar forced, draft tokens run and kept. */
  readonly passes: number;
  readonly forced: number;
  readonly drafted: number;
  readonly accepted: number;
}

/** The best allowed token: greedy argmax, or a sample from the allowed tokens' softmax. */
function choose(
  logits: Float32Array,
  allowed: ReadonlySet<number>,
  temperature: number,
  rng?: Rng,
): number {
  let best = -1;
  let bestValue = -Infinity;
  for (const id of allowed) {
    const v = logits[id] ?? -Infinity;
    // Ties go to the smaller id, so greedy decoding does not depend on set order.
    if (v > bestValue || (v === bestValue && id < best)) {
      best = id;
      bestValue = v;
    }
  }
  if (temperature === 0 || !rng) return best;
  let total = 0;
  const weights = [...allowed]
    .sort((a, b) => a - b)
    .map((id) => {
      const w = Math.exp(((logits[id] ?? -Infinity) - bestValue) / temperature);
      total += w;
      return [id, w] as const;
    });
  let r = rng.float(0, total);
  for (const [id, w] of weights) {
    r -= w;
    if (r <= 0) return id;
  }
  return best;
}

function checkOptions(
  o: DecodeOptions,
): Required<Omit<DecodeOptions, 'rng' | 'context' | 'prefix'>> {
  const temperature = o.temperature ?? 0;
  if (!(Number.isFinite(temperature) && temperature >= 0)) {
    throw new PolicyError(
      'POLICY_INVALID_OPTION',
      `temperature must be 0 or more; got ${String(o.temperature)}.`,
    );
  }
  if (temperature > 0 && o.rng === undefined) {
    throw new PolicyError(
      'POLICY_INVALID_OPTION',
      'Sampling (temperature above 0) needs an rng: pass { rng: new Rng(seed) }.',
    );
  }
  const maxTokens = o.maxTokens ?? 4096;
  if (!Number.isInteger(maxTokens) || maxTokens < 1) {
    throw new PolicyError(
      'POLICY_INVALID_OPTION',
      `maxTokens must be a whole number above 0; got ${String(o.maxTokens)}.`,
    );
  }
  const maxDraft = o.maxDraft ?? 16;
  if (!Number.isInteger(maxDraft) || maxDraft < 0) {
    throw new PolicyError(
      'POLICY_INVALID_OPTION',
      `maxDraft must be a whole number of at least 0; got ${String(o.maxDraft)}.`,
    );
  }
  return {
    temperature,
    forcedChunks: o.forcedChunks ?? true,
    maxTokens,
    drafts: o.drafts ?? true,
    maxDraft,
    prefixInModel: o.prefixInModel === true,
  };
}

/**
 * A draft of what may follow `history`, prompt-lookup style: the tokens that followed the
 * most recent earlier occurrence of its last `n` tokens (longest `n` first, 4 to 2). In an
 * assistant turn the `next` scene mostly repeats `scene`, and `scene` the previous step's
 * `next`, so drafts copied from context are often right.
 */
export function lookupDraft(history: readonly number[], maxDraft: number): number[] {
  const end = history.length;
  for (let n = Math.min(4, end - 1); n >= 2; n--) {
    for (let start = end - n - 1; start >= 0; start--) {
      let same = true;
      for (let k = 0; k < n && same; k++) same = history[start + k] === history[end - n + k];
      if (!same) continue;
      const from = start + n;
      return history.slice(from, Math.min(from + maxDraft, end));
    }
  }
  return [];
}

/** Tokens of `draft` the grammar allows in turn from `state`, and the states after each. */
function grammarPrefix(
  grammar: AssistantGrammar,
  state: number,
  draft: readonly number[],
): number[] {
  const kept: number[] = [];
  let at = state;
  for (const id of draft) {
    if (grammar.isFinal(at) || !grammar.allowedAt(at).has(id)) break;
    kept.push(id);
    at = grammar.next(at, id);
  }
  return kept;
}

/**
 * Decodes one assistant turn. `first` is the logits after the prompt (the generation
 * prompt's last token). Every chosen token is allowed by `grammar`, so the result is a
 * complete turn (`grammar.accepts(ids)`). Two accelerations keep greedy outputs as they
 * are: with `forcedChunks`, a run of tokens the grammar forces is appended in one pass; with
 * `drafts` (greedy only, and a model that can `truncate`), each chosen token is followed by
 * a draft copied from `context` and the turn so far, run in the same pass, and kept as far
 * as the model's own greedy choices agree with it (the rest is cut from the cache).
 */
export async function decodeTurn(
  model: TokenModel,
  grammar: AssistantGrammar,
  first: Float32Array,
  options: DecodeOptions = {},
): Promise<DecodeResult> {
  const o = checkOptions(options);
  const drafting = o.drafts && o.temperature === 0 && model.truncate !== undefined;
  const context = options.context ?? [];
  const ids: number[] = [];
  let state = grammar.initial;
  let logits = first;
  let passes = 0;
  let forced = 0;
  let drafted = 0;
  let accepted = 0;
  const prefix = options.prefix ?? [];
  if (prefix.length > 0) {
    if (grammarPrefix(grammar, state, prefix).length !== prefix.length)
      throw new PolicyError(
        'POLICY_INVALID_OPTION',
        'The prefix is not the start of a turn the grammar allows; build it from names the grammar has.',
      );
    for (const id of prefix) state = grammar.next(state, id);
    if (!o.prefixInModel) {
      const out = await model.append(prefix);
      passes++;
      logits = out[out.length - 1] as Float32Array;
    }
    forced += prefix.length;
    ids.push(...prefix);
  }
  while (!grammar.isFinal(state)) {
    const chunk: number[] = [];
    let allowed = grammar.allowedAt(state);
    // Forced tokens: the only one allowed needs no model pass to be chosen.
    while (o.forcedChunks && allowed.size === 1 && !grammar.isFinal(state)) {
      const id = allowed.values().next().value as number;
      chunk.push(id);
      state = grammar.next(state, id);
      allowed = grammar.allowedAt(state);
    }
    forced += chunk.length;
    if (chunk.length === 0) {
      if (allowed.size === 0)
        throw new PolicyError(
          'POLICY_DECODE_FAILED',
          'The grammar allows no token here; it was built for another tokenizer.',
        );
      const id = choose(logits, allowed, o.temperature, options.rng);
      chunk.push(id);
      state = grammar.next(state, id);
    }
    if (state === DEAD)
      throw new PolicyError('POLICY_DECODE_FAILED', 'Decoding left the grammar; this is a bug.');
    const certain = chunk.length;
    const draft = drafting
      ? grammarPrefix(grammar, state, lookupDraft([...context, ...ids, ...chunk], o.maxDraft))
      : [];
    const out = await model.append([...chunk, ...draft]);
    passes++;
    // Keep the draft while the model's greedy choice after each token agrees with it.
    let kept = 0;
    let at = state;
    for (const id of draft) {
      const choice = choose(out[certain - 1 + kept] as Float32Array, grammar.allowedAt(at), 0);
      if (choice !== id) break;
      at = grammar.next(at, id);
      kept++;
    }
    drafted += draft.length;
    accepted += kept;
    if (kept < draft.length) model.truncate?.(model.length! - (draft.length - kept));
    state = at;
    for (const id of chunk) ids.push(id);
    for (let k = 0; k < kept; k++) ids.push(draft[k] as number);
    if (ids.length > o.maxTokens) {
      throw new PolicyError(
        'POLICY_DECODE_FAILED',
        `The turn passed maxTokens (${o.maxTokens}); raise it, or lower the grammar's maxObjects.`,
      );
    }
    logits = out[certain - 1 + kept] as Float32Array;
  }
  return { ids, passes, forced, drafted, accepted };
}
