import { MAX_SCENE_OBJECTS } from '@actllm/descriptor';
import { describe, expect, it } from 'vitest';
import { parseAssistantText } from '../src/assistant-text.js';
import { buildAssistantGrammar } from '../src/grammar.js';
import { renderConversation } from '../src/template.js';
import { conversation, instructionTurn, systemTurn, userTurn } from '../src/turns.js';
import { domainTokenizer } from './helpers.js';

// Sizes a fuzzer or a runaway model produces. No timing assertions: each case must finish
// within vitest's default timeout, and must not overflow the stack or exhaust memory.

// Sizes, not speed: generous timeouts so a loaded CI machine does not fail them.
describe('hostile sizes', { timeout: 120_000 }, () => {
  const tokenizer = domainTokenizer();

  it('renders a block of 300,000 tokens (push(...ids) overflowed the stack here)', () => {
    const note = 'The scene changed. '.repeat(75_000);
    const r = renderConversation(
      conversation([
        systemTurn(),
        instructionTurn('Stack all the blocks, then stop.'),
        userTurn(0, {}, note),
      ]),
      tokenizer,
    );
    expect(r.ids.length).toBeGreaterThan(300_000);
    expect(r.labels).toHaveLength(r.ids.length);
  });

  it('keeps the grammar small at the largest maxObjects', () => {
    const grammar = buildAssistantGrammar(tokenizer, {
      shapes: ['block'],
      colors: ['red'],
      maxObjects: MAX_SCENE_OBJECTS,
    });
    // Two scenes of at most MAX_SCENE_OBJECTS objects, 7 states each, plus the action.
    expect(grammar.size).toBeLessThan(2 * 8 * MAX_SCENE_OBJECTS + 20);
  });

  it('parses assistant text of 10^5 objects without throwing', () => {
    const one = ' <obj> block red <x_50> <y_50> <t_0> </obj>';
    const text = `<scene_v1>${one.repeat(100_000)} </scene> <scene_v1> </scene> <act> push`;
    const parsed = parseAssistantText(text);
    expect(parsed).toMatchObject({ ok: false, part: 'scene' });
    expect(parseAssistantText(`${text} ${'<x_1> '.repeat(100_000)}`).ok).toBe(false);
  });
});
