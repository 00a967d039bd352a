import type { RenderedConversation } from '../src/template.js';
import type { Tokenizer } from '../src/tokenizer.js';

export const README_TOKENIZER = {
  texts: ['Rearrange to this {scene}.'],
  names: ['bowl', 'block', 'green', 'red', 'blue'],
};

/** One line per span: label, turn, text. */
export function listing(r: RenderedConversation<unknown>, tokenizer: Tokenizer): string {
  return r.spans
    .map((s) => {
      const turn = s.step === null ? s.role : `${s.role} ${s.step}`;
      return `${s.label.padEnd(5)}  ${turn.padEnd(11)}  ${tokenizer.decode(r.ids.slice(s.start, s.end))}`;
    })
    .join('\n');
}
