import { VIEW_NAMES, type Image, type ViewName } from '@actllm/core';
import { assistantSegments } from './assistant-text.js';
import { DialogueError } from './errors.js';
import { firstKeptStep, keepsImages } from './history.js';
import {
  FORMAT_OPTIONS,
  checkCount,
  formatOf,
  invalidOption,
  type AssistantFormatOptions,
} from './options.js';
import type { Tokenizer } from './tokenizer.js';
import {
  checkOptionNames,
  describeValue,
  invalidArgument,
  optionalBoolean,
  requireObject,
} from './validate.js';
import {
  conversationParts,
  type AssistantTurn,
  type Conversation,
  type InstructionTurn,
  type SystemTurn,
  type UserTurn,
} from './turns.js';
import {
  ASSISTANT_TOKEN,
  END_TOKEN,
  IMAGE_TOKEN,
  INSTRUCTION_TOKEN,
  PLACEHOLDER,
  SPECIAL_TOKENS,
  SYSTEM_TOKEN,
  USER_TOKEN,
  requireFormatTokens,
  requireTokenizer,
} from './vocabulary.js';

/**
 * The template renders a conversation into one token sequence:
 *
 *     <|system|> TEXT <|end|>
 *     <|instruction|> TEXT, each {asset} replaced by the image slots of its views <|end|>
 *     per step: <|user|> IMAGE SLOTS (one per view, top then front) [NOTE] <|end|>
 *               <|assistant|> SCENE NEXT ACT <|end|>
 *
 * with one label per token: `scene`, `next` and `act` on the assistant's three parts (the
 * closing `<|end|>` counts as `act`, so the model learns to stop) and `other` everywhere
 * else, including `<|assistant|>`, which the decoder is given as its prompt. The policy's
 * losses L_obs, L_fwd and L_act are masks over these labels.
 */

export const SEGMENT_LABELS = ['other', 'scene', 'next', 'act'] as const;
export type SegmentLabel = (typeof SEGMENT_LABELS)[number];

/** Where an image slot's picture comes from. */
export type ImageSource =
  | { readonly turn: 'instruction'; readonly asset: string; readonly view: ViewName }
  | { readonly turn: 'user'; readonly step: number; readonly view: ViewName };

/** `length` consecutive image tokens starting at `position`, to be replaced by one image's visual tokens. */
export interface ImageSlot<F = Image> {
  readonly position: number;
  readonly length: number;
  readonly image: F;
  readonly source: ImageSource;
}

/** A run of tokens of one turn with one label. */
export interface Span {
  readonly role: 'system' | 'instruction' | 'user' | 'assistant';
  /** The step of a user or assistant turn, else null. */
  readonly step: number | null;
  readonly label: SegmentLabel;
  readonly start: number;
  readonly end: number;
}

export interface RenderedConversation<F = Image> {
  readonly ids: readonly number[];
  /** One per token. */
  readonly labels: readonly SegmentLabel[];
  readonly images: readonly ImageSlot<F>[];
  readonly spans: readonly Span[];
  /** The rendered text; `tokenizer.encode(text)` gives `ids`. */
  readonly text: string;
  /** Steps dropped from the start to fit `maxTokens`. */
  readonly droppedSteps: number;
  /** Words of the texts that are not in the vocabulary (encoded as `<unk>`), in order of appearance. */
  readonly unknownWords: readonly string[];
}

export interface RenderOptions extends AssistantFormatOptions {
  /**
   * Image tokens per image slot (default 1): one number for every view, or one per view
   * (`{ top: 64, front: 32 }`), since an encoder makes as many visual tokens as its view
   * has patches and views differ in size.
   */
  readonly tokensPerImage?: number | Readonly<Partial<Record<ViewName, number>>>;
  /** How many of the last user turns keep their images (default 1; `Infinity`: all). */
  readonly imageTurns?: number;
  /** Context length in tokens (default `Infinity`); see the history policy. */
  readonly maxTokens?: number;
  /** End with `<|assistant|>` when the last turn is a user turn, to prompt the decoder (default false). */
  readonly generationPrompt?: boolean;
}

type Piece<F> =
  | { readonly text: string; readonly label: SegmentLabel }
  | { readonly image: F; readonly source: ImageSource };

interface TurnPieces<F> {
  readonly role: Span['role'];
  readonly step: number | null;
  readonly pieces: readonly Piece<F>[];
}

/** A rendered run of turns, with positions relative to its own start. */
interface Block<F> {
  readonly ids: number[];
  readonly labels: SegmentLabel[];
  readonly images: ImageSlot<F>[];
  readonly spans: Span[];
  readonly texts: string[];
  readonly unknown: string[];
}

const text = (value: string, label: SegmentLabel = 'other') => ({ text: value, label });

function viewImages<F>(
  views: Readonly<Partial<Record<ViewName, F>>>,
  source: (view: ViewName) => ImageSource,
): Piece<F>[] {
  const pieces: Piece<F>[] = [];
  for (const view of VIEW_NAMES) {
    const image = views[view];
    if (image !== undefined) pieces.push({ image, source: source(view) });
  }
  return pieces;
}

function systemPieces<F>(turn: SystemTurn): TurnPieces<F> {
  return {
    role: 'system',
    step: null,
    pieces: [text(SYSTEM_TOKEN), text(turn.text), text(END_TOKEN)],
  };
}

function instructionPieces<F>(turn: InstructionTurn<F>): TurnPieces<F> {
  const pieces: Piece<F>[] = [text(INSTRUCTION_TOKEN)];
  let last = 0;
  for (const m of turn.text.matchAll(PLACEHOLDER)) {
    const name = m[1] ?? '';
    const asset = Object.hasOwn(turn.assets, name) ? turn.assets[name] : undefined;
    const images = asset
      ? viewImages(asset.views, (view) => ({ turn: 'instruction', asset: name, view }))
      : [];
    if (images.length === 0) {
      throw new DialogueError(
        'DIALOGUE_INVALID_CONVERSATION',
        `The instruction names {${name}}, but it carries no asset "${name}" with an image; add it to instruction.assets.`,
      );
    }
    pieces.push(text(turn.text.slice(last, m.index)));
    for (const image of images) pieces.push(image);
    last = m.index + m[0].length;
  }
  pieces.push(text(turn.text.slice(last)), text(END_TOKEN));
  return { role: 'instruction', step: null, pieces };
}

function userPieces<F>(turn: UserTurn<F>, withImages: boolean): TurnPieces<F> {
  const images = withImages
    ? viewImages(turn.views, (view) => ({ turn: 'user', step: turn.step, view }))
    : [];
  const note = turn.note === undefined ? [] : [text(turn.note)];
  return {
    role: 'user',
    step: turn.step,
    pieces: [text(USER_TOKEN), ...images, ...note, text(END_TOKEN)],
  };
}

function assistantPieces<F>(turn: AssistantTurn, options: AssistantFormatOptions): TurnPieces<F> {
  const s = assistantSegments(turn, options);
  const pieces = [
    text(ASSISTANT_TOKEN),
    text(s.scene, 'scene'),
    text(s.next, 'next'),
    text(s.act, 'act'),
    text(END_TOKEN, 'act'),
  ];
  return { role: 'assistant', step: turn.step, pieces };
}

function emptyBlock<F>(): Block<F> {
  return { ids: [], labels: [], images: [], spans: [], texts: [], unknown: [] };
}

/** Appends one turn to a block: encodes its texts, places its image slots, records its spans. */
function addTurn<F>(
  block: Block<F>,
  turn: TurnPieces<F>,
  tokenizer: Tokenizer,
  tokensPerImage: TokensPerView,
): void {
  for (const piece of turn.pieces) {
    const start = block.ids.length;
    let label: SegmentLabel = 'other';
    if ('image' in piece) {
      const length = tokensPerImage[piece.source.view];
      block.images.push({
        position: start,
        length,
        image: piece.image,
        source: piece.source,
      });
      for (let i = 0; i < length; i++) block.ids.push(tokenizer.id(IMAGE_TOKEN) ?? tokenizer.unkId);
      block.texts.push(Array<string>(length).fill(IMAGE_TOKEN).join(' '));
    } else {
      label = piece.label;
      for (const token of tokenizer.tokenize(piece.text)) {
        const id = tokenizer.id(token);
        if (id === undefined) block.unknown.push(token);
        block.ids.push(id ?? tokenizer.unkId);
      }
      if (piece.text.trim() !== '') block.texts.push(piece.text.trim());
    }
    while (block.labels.length < block.ids.length) block.labels.push(label);
    extendSpans(block.spans, {
      role: turn.role,
      step: turn.step,
      label,
      start,
      end: block.ids.length,
    });
  }
}

/** Adds a span, merging it into the previous one when it continues the same turn and label. */
function extendSpans(spans: Span[], span: Span): void {
  if (span.end === span.start) return;
  const prev = spans[spans.length - 1];
  if (
    prev &&
    prev.role === span.role &&
    prev.step === span.step &&
    prev.label === span.label &&
    prev.end === span.start
  ) {
    spans[spans.length - 1] = { ...prev, end: span.end };
  } else {
    spans.push(span);
  }
}

/** Appends every item: a loop, since `push(...items)` overflows the stack on long blocks. */
function append<T>(to: T[], items: readonly T[]): void {
  for (const item of items) to.push(item);
}

function concat<F>(blocks: readonly Block<F>[]): Block<F> {
  const out = emptyBlock<F>();
  for (const b of blocks) {
    const offset = out.ids.length;
    append(out.ids, b.ids);
    append(out.labels, b.labels);
    append(
      out.images,
      b.images.map((s) => ({ ...s, position: s.position + offset })),
    );
    append(
      out.spans,
      b.spans.map((s) => ({ ...s, start: s.start + offset, end: s.end + offset })),
    );
    append(out.texts, b.texts);
    append(out.unknown, b.unknown);
  }
  return out;
}

function render<F>(
  turns: readonly TurnPieces<F>[],
  tokenizer: Tokenizer,
  tokensPerImage: TokensPerView,
): Block<F> {
  const block = emptyBlock<F>();
  for (const turn of turns) addTurn(block, turn, tokenizer, tokensPerImage);
  return block;
}

/** A tokenizer without the turn and image tokens would silently turn them into `<unk>`. */
function requireSpecialTokens(tokenizer: Tokenizer): void {
  const missing = SPECIAL_TOKENS.filter((t) => tokenizer.id(t) === undefined);
  if (missing.length > 0) {
    throw new DialogueError(
      'DIALOGUE_INVALID_TOKENIZER',
      `The tokenizer lacks ${missing.join(' ')}; build it with buildTokenizer, which adds the special tokens.`,
    );
  }
}

/** The option names of {@link RenderOptions}. */
export const RENDER_OPTIONS = [
  ...FORMAT_OPTIONS,
  'tokensPerImage',
  'imageTurns',
  'maxTokens',
  'generationPrompt',
] as const;

/** The most image tokens one image slot may take (a bound on what a typo can allocate). */
export const MAX_TOKENS_PER_IMAGE = 4096;

type TokensPerView = Readonly<Record<ViewName, number>>;

/** The image tokens of each view's slots, from a number or a per-view record. */
function tokensPerViewOf(value: RenderOptions['tokensPerImage']): TokensPerView {
  const count = (v: unknown, what: string): number =>
    checkCount((v ?? 1) as number, what, 1, false, MAX_TOKENS_PER_IMAGE);
  if (typeof value === 'object' && value !== null) {
    const unknown = Object.keys(value).filter(
      (k) => !(VIEW_NAMES as readonly string[]).includes(k),
    );
    if (unknown.length > 0) {
      throw invalidOption(
        `tokensPerImage names no view ${unknown.join(', ')}; the views are ${VIEW_NAMES.join(', ')}.`,
      );
    }
    const perView = value as Partial<Record<ViewName, number>>;
    return Object.fromEntries(
      VIEW_NAMES.map((v) => [v, count(perView[v], `tokensPerImage.${v}`)]),
    ) as TokensPerView;
  }
  const n = count(value, 'tokensPerImage');
  return Object.fromEntries(VIEW_NAMES.map((v) => [v, n])) as TokensPerView;
}

/**
 * Renders a conversation into token ids, per-token segment labels and image slots, under
 * the history policy (see `history.ts`). Throws DIALOGUE_INVALID_CONVERSATION for turns out
 * of order, DIALOGUE_CONTEXT_TOO_LONG when the fixed part does not fit `maxTokens`,
 * DIALOGUE_INVALID_OPTIONS for an unknown option, a value out of its domain or bins that
 * are not the tokenizer's, DIALOGUE_INVALID_ARGUMENT when `tokenizer` is not a Tokenizer.
 */
export function renderConversation<F>(
  conversation: Conversation<F>,
  tokenizer: Tokenizer,
  options: RenderOptions = {},
): RenderedConversation<F> {
  return renderChecked(
    conversation,
    tokenizer,
    checkOptionNames(options, RENDER_OPTIONS, 'renderConversation'),
  );
}

/** {@link renderConversation} for options whose names the caller has checked. */
export function renderChecked<F>(
  conversation: Conversation<F>,
  tokenizer: Tokenizer,
  options: RenderOptions,
): RenderedConversation<F> {
  requireTokenizer(tokenizer, 'renderConversation');
  const format = formatOf(options);
  const tokensPerImage = tokensPerViewOf(options.tokensPerImage);
  const imageTurns = checkCount(options.imageTurns ?? 1, 'imageTurns', 0, true);
  const maxTokens = checkCount(options.maxTokens ?? Infinity, 'maxTokens', 1, true);
  optionalBoolean(options.generationPrompt, 'generationPrompt');
  requireSpecialTokens(tokenizer);
  requireFormatTokens(tokenizer, format, 'renderConversation');
  const parts = conversationParts(conversation);
  const header = render(
    [systemPieces<F>(parts.system), instructionPieces(parts.instruction)],
    tokenizer,
    tokensPerImage,
  );
  const steps = parts.steps.map((step, i) => {
    const turns = [userPieces(step.user, keepsImages(i, parts.steps.length, imageTurns))];
    if (step.assistant) turns.push(assistantPieces<F>(step.assistant, format));
    else if (options.generationPrompt)
      turns.push({ role: 'assistant', step: step.user.step, pieces: [text(ASSISTANT_TOKEN)] });
    return render(turns, tokenizer, tokensPerImage);
  });
  const first = firstKeptStep(
    header.ids.length,
    steps.map((s) => s.ids.length),
    maxTokens,
  );
  const all = concat([header, ...steps.slice(first)]);
  return {
    ids: all.ids,
    labels: all.labels,
    images: all.images,
    spans: all.spans,
    text: all.texts.join(' '),
    droppedSteps: first,
    unknownWords: all.unknown,
  };
}

/**
 * 1 where the token's label is one of `labels`, else 0: a loss mask. Throws
 * DIALOGUE_INVALID_ARGUMENT for no label or a label that is not one of {@link SEGMENT_LABELS}
 * (a typo would give an all-zero mask and a loss that silently trains nothing).
 */
export function segmentMask(
  rendered: RenderedConversation<unknown>,
  ...labels: SegmentLabel[]
): Uint8Array {
  const given = requireObject(rendered, 'segmentMask: rendered').labels;
  if (!Array.isArray(given)) {
    throw invalidArgument('segmentMask reads a rendered conversation (renderConversation output).');
  }
  if (labels.length === 0) {
    throw invalidArgument(`segmentMask needs at least one label of ${SEGMENT_LABELS.join(', ')}.`);
  }
  const unknown = labels.find((l) => !(SEGMENT_LABELS as readonly unknown[]).includes(l));
  if (unknown !== undefined) {
    throw invalidArgument(
      `Unknown segment label ${describeValue(unknown)}; the labels are ${SEGMENT_LABELS.join(', ')}.`,
    );
  }
  const wanted = new Set(labels);
  return Uint8Array.from(rendered.labels, (l) => (wanted.has(l) ? 1 : 0));
}
