import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildAssistantGrammar } from '../src/grammar.js';
import { llavaSample } from '../src/llava.js';
import { parseAssistantText } from '../src/assistant-text.js';
import { toTrainingDialogue } from '../src/episode.js';
import { buildTokenizer } from '../src/vocabulary.js';
import { readmeEpisode } from './fixtures.js';
import { README_TOKENIZER, listing } from './readme-listing.js';

// The README's rendered conversation and LLaVA sample are checked here, so they cannot drift.
const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

describe('README', () => {
  const record = readmeEpisode();
  const tokenizer = buildTokenizer(README_TOKENIZER);
  const rendered = toTrainingDialogue(record, tokenizer);

  it('shows the rendered 3-step conversation segment by segment', () => {
    expect(readme).toContain('```text\n' + listing(rendered, tokenizer) + '\n```');
    expect(rendered.unknownWords).toEqual([]);
    expect(readme).toContain(`${rendered.ids.length} tokens`);
  });

  it('shows the LLaVA sample of the same episode', () => {
    expect(readme).toContain('```json\n' + JSON.stringify(llavaSample(record), null, 2) + '\n```');
  });

  it('shows assistant turns that the grammar accepts and that parse', () => {
    const grammar = buildAssistantGrammar(tokenizer, {
      shapes: ['bowl', 'block'],
      colors: ['green', 'red', 'blue'],
    });
    const content = rendered.spans.filter((s) => s.role === 'assistant' && s.label !== 'other');
    for (let i = 0; i < content.length; i += 3) {
      const ids = rendered.ids.slice(content[i]!.start, content[i + 2]!.end);
      expect(grammar.accepts(ids)).toBe(true);
      expect(parseAssistantText(tokenizer.decode(ids)).ok).toBe(true);
    }
  });
});
