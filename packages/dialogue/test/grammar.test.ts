import { describe, expect, it } from 'vitest';
import { Rng } from '@actllm/core';
import { OBJECT_OPEN, SCENE_CLOSE, SCENE_OPEN } from '@actllm/descriptor';
import { parseAssistantText } from '../src/assistant-text.js';
import { toTrainingDialogue } from '../src/episode.js';
import type { AssistantGrammar } from '../src/grammar.js';
import { DEAD, buildAssistantGrammar, type GrammarOptions } from '../src/grammar.js';
import type { RenderedConversation } from '../src/template.js';
import type { Tokenizer } from '../src/tokenizer.js';
import { buildTokenizer } from '../src/vocabulary.js';
import { COLORS, SHAPES, syntheticEpisode } from './fixtures.js';
import { domainTokenizer, errorCode } from './helpers.js';

const names = { shapes: SHAPES, colors: COLORS };

/** The ids of each assistant turn's content (scene through the closing <|end|>). */
function assistantIds(r: RenderedConversation<unknown>): number[][] {
  const content = r.spans.filter((s) => s.role === 'assistant' && s.label !== 'other');
  const out: number[][] = [];
  for (let i = 0; i < content.length; i += 3)
    out.push(r.ids.slice(content[i]!.start, content[i + 2]!.end));
  return out;
}

/** A corruption the grammar must reject: a dropped, repeated or swapped token, or a cut. */
function corrupt(ids: readonly number[], rng: Rng): number[] {
  const out = [...ids];
  const i = rng.int(0, out.length);
  switch (rng.int(0, 4)) {
    case 0:
      out.splice(i, 1);
      return out;
    case 1:
      out.splice(i, 0, out[i]!);
      return out;
    case 2: {
      const j = i === out.length - 1 ? i - 1 : i + 1;
      if (out[i] === out[j]) return out.slice(0, i);
      [out[i], out[j]] = [out[j]!, out[i]!];
      return out;
    }
    default:
      return out.slice(0, i);
  }
}

function randomWalk(grammar: AssistantGrammar, rng: Rng): number[] {
  const ids: number[] = [];
  let state = grammar.initial;
  while (!grammar.isFinal(state)) {
    const id = rng.pick([...grammar.allowedAt(state)]);
    ids.push(id);
    state = grammar.next(state, id);
  }
  return ids;
}

describe('output grammar', () => {
  it('accepts every ground-truth assistant turn of 1,000 generated episodes and rejects corrupted ones', () => {
    const tokenizer = domainTokenizer();
    const grammar = buildAssistantGrammar(tokenizer, names);
    const rng = new Rng(99);
    let turns = 0;
    for (let seed = 0; seed < 1000; seed++) {
      const record = syntheticEpisode(seed);
      for (const ids of assistantIds(toTrainingDialogue(record, tokenizer))) {
        turns++;
        expect(grammar.accepts(ids)).toBe(true);
        const bad = corrupt(ids, rng);
        expect(grammar.accepts(bad), tokenizer.decode(bad)).toBe(false);
      }
    }
    expect(turns).toBeGreaterThan(2000);
  });

  it('allows, after each prefix, exactly what keeps it in the language', () => {
    const tokenizer = domainTokenizer();
    const grammar = buildAssistantGrammar(tokenizer, names);
    const [ids] = assistantIds(toTrainingDialogue(syntheticEpisode(3), tokenizer));
    expect([...grammar.allowed([])]).toEqual([tokenizer.id(SCENE_OPEN)]);
    expect(new Set(grammar.allowed(ids!.slice(0, 1)))).toEqual(
      new Set([tokenizer.id(OBJECT_OPEN), tokenizer.id(SCENE_CLOSE)]),
    );
    expect(grammar.allowed(ids!.slice(0, 2)).size).toBe(SHAPES.length);
    expect(grammar.allowed(ids!.slice(0, 3)).size).toBe(COLORS.length);
    expect(grammar.allowed(ids!.slice(0, 4)).size).toBe(100);
    ids!.forEach((id, i) => expect(grammar.allowed(ids!.slice(0, i)).has(id)).toBe(true));
    expect(grammar.allowed(ids!).size).toBe(0);
    expect(grammar.allowed([tokenizer.unkId]).size).toBe(0);
    expect(grammar.run([tokenizer.unkId])).toBe(DEAD);
    expect(grammar.next(DEAD, 0)).toBe(DEAD);
  });

  it('only produces text that parses: random walks in several formats', () => {
    const formats: Partial<GrammarOptions>[] = [
      {},
      { size: true },
      { frame: 'top', size: true },
      { frame: 'front', bins: 20, rotationBins: 8 },
      { theta: false, maxObjects: 2 },
    ];
    for (const format of formats) {
      const tokenizer: Tokenizer = buildTokenizer({
        names: [...SHAPES, ...COLORS],
        bins: format.bins ?? 100,
        rotationBins: format.rotationBins ?? 24,
      });
      const grammar = buildAssistantGrammar(tokenizer, { ...names, ...format });
      const { maxObjects, ...textFormat } = format; // parseAssistantText takes the format only
      const rng = new Rng(5);
      for (let i = 0; i < 200; i++) {
        const ids = randomWalk(grammar, rng);
        const parsed = parseAssistantText(tokenizer.decode(ids), textFormat);
        expect(parsed.ok, tokenizer.decode(ids)).toBe(true);
        if (parsed.ok && maxObjects !== undefined)
          expect(parsed.scene.objects.length).toBeLessThanOrEqual(2);
        if (parsed.ok && format.frame === 'top')
          expect(parsed.next.objects.every((o) => o.view === 'top' && o.w !== undefined)).toBe(
            true,
          );
      }
    }
  });

  it('bounds the number of objects with maxObjects', () => {
    const tokenizer = domainTokenizer();
    const grammar = buildAssistantGrammar(tokenizer, { ...names, maxObjects: 0 });
    const [open, close] = [SCENE_OPEN, SCENE_CLOSE].map((t) => tokenizer.id(t)!);
    expect([...grammar.allowed([open!])]).toEqual([close]);
    expect(grammar.size).toBeGreaterThan(10);
  });

  it('refuses names or bins the tokenizer lacks', () => {
    const tokenizer = domainTokenizer();
    expect(
      errorCode(() => buildAssistantGrammar(tokenizer, { shapes: ['dragon'], colors: COLORS })),
    ).toBe('DIALOGUE_INVALID_OPTIONS');
    expect(errorCode(() => buildAssistantGrammar(tokenizer, { ...names, bins: 200 }))).toBe(
      'DIALOGUE_INVALID_OPTIONS',
    );
    expect(errorCode(() => buildAssistantGrammar(tokenizer, { shapes: [], colors: COLORS }))).toBe(
      'DIALOGUE_INVALID_OPTIONS',
    );
    expect(
      errorCode(() => buildAssistantGrammar(tokenizer, { shapes: ['a b'], colors: COLORS })),
    ).toBe('DIALOGUE_INVALID_OPTIONS');
    expect(errorCode(() => buildAssistantGrammar(tokenizer, { ...names, maxObjects: -1 }))).toBe(
      'DIALOGUE_INVALID_OPTIONS',
    );
  });
});
