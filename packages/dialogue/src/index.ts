/**
 * @actllm/dialogue: the manipulation task as a multi-turn visual dialogue (docs/architecture.md
 * section 8): turns, action text, the domain tokenizer, the template with loss-mask labels,
 * the history policy, episode -> training dialogue, the output grammar, LLaVA export.
 * It depends on @actllm/core and @actllm/descriptor only.
 */
export { DialogueError } from './errors.js';
export type { DialogueErrorCode } from './errors.js';

export { DEFAULT_ROTATION_BINS, resolveFormat } from './options.js';
export type { AssistantFormat, AssistantFormatOptions } from './options.js';

export {
  DEFAULT_SCENE_CHANGED_NOTE,
  DEFAULT_SYSTEM_PROMPT,
  appendTurn,
  assistantTurn,
  conversation,
  conversationParts,
  fromInstruction,
  instructionTurn,
  systemTurn,
  userTurn,
} from './turns.js';
export type {
  AssistantTurn,
  Conversation,
  ConversationParts,
  ConversationStep,
  InstructionTurn,
  SystemTurn,
  Turn,
  UserTurn,
} from './turns.js';

export {
  ACT_CLOSE,
  ACT_OPEN,
  actionToText,
  actionVocabulary,
  parseActionText,
  quantizeAction,
  rotationToken,
} from './action-text.js';
export type { ActionParse, ActionTextOptions } from './action-text.js';

export { assistantSegments, assistantText, parseAssistantText } from './assistant-text.js';
export type { AssistantParse, AssistantPart, AssistantSegments } from './assistant-text.js';

export { PAD_TOKEN, Tokenizer, UNK_TOKEN, wordsOf } from './tokenizer.js';
export type { HuggingFaceTokenizerJson, TokenizerSpec } from './tokenizer.js';
export {
  ASSISTANT_TOKEN,
  END_TOKEN,
  IMAGE_TOKEN,
  INSTRUCTION_TOKEN,
  PLACEHOLDER,
  SPECIAL_TOKENS,
  SYSTEM_TOKEN,
  USER_TOKEN,
  buildTokenizer,
} from './vocabulary.js';
export type { DomainVocabularyOptions } from './vocabulary.js';

export { firstKeptStep, keepsImages } from './history.js';
export {
  MAX_TOKENS_PER_IMAGE,
  SEGMENT_LABELS,
  renderConversation,
  segmentMask,
} from './template.js';
export type {
  ImageSlot,
  ImageSource,
  RenderOptions,
  RenderedConversation,
  SegmentLabel,
  Span,
} from './template.js';

export { episodeToConversation, toTrainingDialogue } from './episode.js';
export type { EpisodeDialogueOptions } from './episode.js';

export { AssistantGrammar, DEAD, buildAssistantGrammar } from './grammar.js';
export type { GrammarOptions } from './grammar.js';

export { llavaImagePath, llavaSample, toLlava } from './llava.js';
export type { LlavaEpisode, LlavaExport, LlavaMessage, LlavaSample } from './llava.js';
