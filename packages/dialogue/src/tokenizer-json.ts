import { DialogueError } from './errors.js';
import type { TokenizerSpec } from './tokenizer.js';
import { describeValue } from './validate.js';

/**
 * Reading a Hugging Face `tokenizer.json` back. Only the layout `Tokenizer.toHuggingFace`
 * writes can be honoured exactly: a WordLevel model, the Whitespace pre-tokenizer, no
 * normalizer, post-processor, decoder, truncation or padding, and added tokens matched
 * literally (no `lstrip`, `rstrip`, `single_word`, not normalized) at the ids the vocabulary
 * gives them. Anything else would encode differently from the Rust library, so it is refused
 * with DIALOGUE_INVALID_TOKENIZER naming the field, rather than silently ignored.
 */

/** What a file must give back: the spec, and the id order and special flags to check after building. */
export interface TokenizerFile {
  readonly spec: TokenizerSpec;
  /** Every token, by id. */
  readonly order: readonly string[];
  /** The `special` flag of each added token, by id. */
  readonly special: ReadonlyMap<number, boolean>;
}

function invalid(why: string): DialogueError {
  return new DialogueError(
    'DIALOGUE_INVALID_TOKENIZER',
    `Cannot read this tokenizer.json: ${why}. Tokenizer.fromHuggingFace reads the files Tokenizer.toHuggingFace writes (WordLevel, Whitespace, no normalizer); rebuild the tokenizer with buildTokenizer.`,
  );
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Fields that must be absent or null: each would change what encode or decode gives. */
const UNSUPPORTED = ['normalizer', 'post_processor', 'decoder', 'truncation', 'padding'] as const;
const ADDED_FLAGS = ['single_word', 'lstrip', 'rstrip', 'normalized'] as const;

export function readTokenizerJson(json: unknown): TokenizerFile {
  if (!isRecord(json)) throw invalid(`it is ${describeValue(json)}, not an object`);
  if (json.version !== undefined && json.version !== '1.0')
    throw invalid(`version ${describeValue(json.version)} is not "1.0"`);
  for (const field of UNSUPPORTED) {
    if (json[field] !== undefined && json[field] !== null)
      throw invalid(`${field} must be null (this tokenizer has no ${field})`);
  }
  checkPreTokenizer(json.pre_tokenizer);
  const vocab = readModel(json.model);
  const order = idOrder(vocab);
  if (!Array.isArray(json.added_tokens)) throw invalid('added_tokens is missing');
  const special = new Map<number, boolean>();
  const specials: string[] = [];
  const added: string[] = [];
  (json.added_tokens as unknown[]).forEach((entry, k) => {
    const t = readAddedToken(entry, k, vocab);
    if (special.has(t.id)) throw invalid(`added token ${k} repeats id ${t.id}`);
    special.set(t.id, t.special);
    (t.special ? specials : added).push(t.content);
  });
  const words = order.slice(specials.length + added.length);
  return { spec: { specialTokens: specials, addedTokens: added, words }, order, special };
}

function checkPreTokenizer(value: unknown): void {
  const keys = isRecord(value) ? Object.keys(value) : [];
  if (!isRecord(value) || value.type !== 'Whitespace' || keys.length !== 1) {
    throw invalid(
      `pre_tokenizer must be { "type": "Whitespace" }; got ${isRecord(value) ? `type ${describeValue(value.type)}` : describeValue(value)}`,
    );
  }
}

function readModel(model: unknown): Record<string, unknown> {
  if (!isRecord(model) || model.type !== 'WordLevel') throw invalid('model.type must be WordLevel');
  const extra = Object.keys(model).filter((k) => !['type', 'vocab', 'unk_token'].includes(k));
  if (extra.length > 0)
    throw invalid(`model has fields this reader does not know: ${extra.join(', ')}`);
  if (!isRecord(model.vocab)) throw invalid('model.vocab must be an object of token ids');
  if (model.unk_token !== '<unk>' || model.vocab['<unk>'] !== 1)
    throw invalid('model.unk_token must be "<unk>", with id 1');
  return model.vocab;
}

/** The tokens by id; the ids must be exactly 0..n-1. */
function idOrder(vocab: Record<string, unknown>): string[] {
  const order: string[] = [];
  for (const [token, id] of Object.entries(vocab)) {
    if (typeof id !== 'number' || !Number.isInteger(id) || id < 0)
      throw invalid(`the id of ${describeValue(token)} is ${describeValue(id)}`);
    if (id >= Object.keys(vocab).length || order[id] !== undefined)
      throw invalid('vocabulary ids must be 0..n-1, each once');
    order[id] = token;
  }
  return order;
}

function readAddedToken(
  entry: unknown,
  k: number,
  vocab: Record<string, unknown>,
): { id: number; content: string; special: boolean } {
  if (!isRecord(entry) || typeof entry.content !== 'string')
    throw invalid(`every added token needs a content string (added token ${k} has none)`);
  const { content, id } = entry;
  if (!Object.hasOwn(vocab, content) || vocab[content] !== id)
    throw invalid(
      `added token ${describeValue(content)} has id ${describeValue(id)}, but the vocabulary gives it ${describeValue(vocab[content])}`,
    );
  for (const flag of ADDED_FLAGS) {
    if (entry[flag] !== false)
      throw invalid(
        `added token ${describeValue(content)} has ${flag} ${describeValue(entry[flag])}; only false can be honoured`,
      );
  }
  if (typeof entry.special !== 'boolean')
    throw invalid(`added token ${describeValue(content)} needs a boolean "special"`);
  return { id: id as number, content, special: entry.special };
}
