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
}

export interface DecodeOptions {
  /** 0 (default): greedy. Above 0: sampling at this temperature, from `rng`. */
  readonly temperature?: number;
  readonly rng?: Rng;
  /** Run tokens the grammar forces as one chunk (default true; outputs do not change). */
  readonly forcedChunks?: boolean;
  /** The longest turn; past it decoding fails (default 4096). */
  readonly maxTokens?: number;
}

export interface DecodeResult {
  readonly ids: readonly number[];
  /** Model passes run, and how many tokens the grammar forced. */
  readonly passes: number;
  readonly forced: number;
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

function checkOptions(o: DecodeOptions): Required<Omit<DecodeOptions, 'rng'>> {
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
  return { temperature, forcedChunks: o.forcedChunks ?? true, maxTokens };
}

/**
 * Decodes one assistant turn. `first` is the logits after the prompt (the generation
 * prompt's last token). Every chosen token is allowed by `grammar`, so the result is a
 * complete turn (`grammar.accepts(ids)`). With `forcedChunks`, a run of tokens the grammar
 * forces (one allowed token each) is appended in one model pass instead of one pass per
 * token; greedy outputs are the same either way.
 */
export async function decodeTurn(
  model: TokenModel,
  grammar: AssistantGrammar,
  first: Float32Array,
  options: DecodeOptions = {},
): Promise<DecodeResult> {
  const o = checkOptions(options);
  const ids: number[] = [];
  let state = grammar.initial;
  let logits = first;
  let passes = 0;
  let forced = 0;
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
    if (chunk.length === 0) {
      if (allowed.size === 0)
        throw new PolicyError(
          'POLICY_DECODE_FAILED',
          'The grammar allows no token here; it was built for another tokenizer.',
        );
      const id = choose(logits, allowed, o.temperature, options.rng);
      chunk.push(id);
      state = grammar.next(state, id);
    } else {
      forced += chunk.length;
    }
    if (state === DEAD)
      throw new PolicyError('POLICY_DECODE_FAILED', 'Decoding left the grammar; this is a bug.');
    ids.push(...chunk);
    if (ids.length > o.maxTokens) {
      throw new PolicyError(
        'POLICY_DECODE_FAILED',
        `The turn passed maxTokens (${o.maxTokens}); raise it, or lower the grammar's maxObjects.`,
      );
    }
    const out = await model.append(chunk);
    passes++;
    logits = out[out.length - 1] as Float32Array;
  }
  return { ids, passes, forced };
}
