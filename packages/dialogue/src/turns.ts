import type { Action, Image, Instruction, PromptAsset, ViewName } from '@actllm/core';
import { validateScene, type SceneDescriptor } from '@actllm/descriptor';
import { checkAction } from './action-text.js';
import { DialogueError } from './errors.js';
import { describeValue, requireInteger, requireObject, requireString } from './validate.js';

/**
 * A conversation is the manipulation task as a dialogue (docs/architecture.md):
 * the system turn, the instruction with its assets, then per step a user turn (the
 * current views, optionally a note) and an assistant turn (`scene`, `next`, `act`).
 * `F` is how images are held: `Image` in memory, a file path on disk.
 */

export interface SystemTurn {
  readonly role: 'system';
  readonly text: string;
}

export interface InstructionTurn<F = Image> {
  readonly role: 'instruction';
  /** Names its assets in braces: `Rearrange to this {scene}.` */
  readonly text: string;
  readonly assets: Readonly<Record<string, PromptAsset<F>>>;
}

export interface UserTurn<F = Image> {
  readonly role: 'user';
  readonly step: number;
  /** The current camera views, in the order they are shown. */
  readonly views: Readonly<Partial<Record<ViewName, F>>>;
  /** A remark such as "The scene changed." */
  readonly note?: string;
}

export interface AssistantTurn {
  readonly role: 'assistant';
  readonly step: number;
  /** x_t: the scene as the model reads it (observation model). */
  readonly scene: SceneDescriptor;
  /** x~_{t+1}: the scene as it should look after the action (forward model). */
  readonly next: SceneDescriptor;
  /** a_t. */
  readonly act: Action;
}

export type Turn<F = Image> = SystemTurn | InstructionTurn<F> | UserTurn<F> | AssistantTurn;

export interface Conversation<F = Image> {
  readonly turns: readonly Turn<F>[];
}

export const DEFAULT_SYSTEM_PROMPT =
  'You control a robot arm over a table. For each observation, describe the scene, predict the scene after your action, then give the action.';

/** The note of a user turn whose scene was disturbed since the last action (dynamic mode). */
export const DEFAULT_SCENE_CHANGED_NOTE = 'The scene changed.';

/** The turn builders and `conversation` check their arguments; all throw DIALOGUE_INVALID_ARGUMENT. */
export function systemTurn(text: string = DEFAULT_SYSTEM_PROMPT): SystemTurn {
  return { role: 'system', text: requireString(text, 'systemTurn: text') };
}

export function instructionTurn<F>(
  text: string,
  assets: Readonly<Record<string, PromptAsset<F>>> = {},
): InstructionTurn<F> {
  requireString(text, 'instructionTurn: text');
  for (const [name, asset] of Object.entries(requireObject(assets, 'instructionTurn: assets'))) {
    requireObject(requireObject(asset, `asset ${name}`).views, `asset ${name}: views`);
  }
  return { role: 'instruction', text, assets };
}

/** The instruction turn of a core `Instruction`. */
export function fromInstruction<F>(instruction: Instruction<F>): InstructionTurn<F> {
  const checked = requireObject(
    instruction,
    'fromInstruction: instruction',
  ) as unknown as Instruction<F>;
  return instructionTurn(checked.text, checked.assets ?? {});
}

export function userTurn<F>(
  step: number,
  views: Readonly<Partial<Record<ViewName, F>>>,
  note?: string,
): UserTurn<F> {
  requireInteger(step, 'userTurn: step');
  requireObject(views, 'userTurn: views');
  if (note !== undefined) requireString(note, 'userTurn: note');
  return note === undefined ? { role: 'user', step, views } : { role: 'user', step, views, note };
}

/**
 * An assistant turn; its scenes must be valid scene descriptors
 * (DIALOGUE_INVALID_CONVERSATION otherwise) and its action valid (DIALOGUE_INVALID_ACTION).
 */
export function assistantTurn(
  step: number,
  scene: SceneDescriptor,
  next: SceneDescriptor,
  act: Action,
): AssistantTurn {
  return checkAssistantTurn({ role: 'assistant', step, scene, next, act }, 'assistantTurn');
}

/** Checks every field of an assistant turn; see {@link assistantTurn}. */
export function checkAssistantTurn(turn: AssistantTurn, where: string): AssistantTurn {
  requireObject(turn, `${where}: turn`);
  requireInteger(turn.step, `${where}: step`);
  for (const part of ['scene', 'next'] as const) {
    const valid = validateScene(turn[part]);
    if (!valid.ok) {
      throw new DialogueError(
        'DIALOGUE_INVALID_CONVERSATION',
        `${where}: the ${part} of step ${turn.step} is not a scene descriptor: ${valid.error.message}`,
        { cause: valid.error },
      );
    }
  }
  checkAction(turn.act, `${where}: the action of step ${turn.step}`);
  return turn;
}

/** One step: the user turn and, except for the step being decided, its assistant turn. */
export interface ConversationStep<F = Image> {
  readonly user: UserTurn<F>;
  readonly assistant?: AssistantTurn;
}

/** A conversation taken apart into its fixed header and its steps. */
export interface ConversationParts<F = Image> {
  readonly system: SystemTurn;
  readonly instruction: InstructionTurn<F>;
  readonly steps: readonly ConversationStep<F>[];
}

function invalid(index: number, message: string): DialogueError {
  return new DialogueError('DIALOGUE_INVALID_CONVERSATION', `Turn ${index}: ${message}`);
}

/**
 * Checks the order the template defines (system, instruction, then user and assistant
 * turns alternating, each assistant turn answering the user turn of the same step, the last
 * turn possibly a user turn still to be answered) and returns the parts; throws
 * DIALOGUE_INVALID_CONVERSATION.
 */
export function conversationParts<F>(conversation: Conversation<F>): ConversationParts<F> {
  const turns = requireObject(conversation, 'conversation').turns;
  if (!Array.isArray(turns)) {
    throw invalid(0, `a conversation holds an array of turns; got ${describeValue(turns)}.`);
  }
  (turns as readonly unknown[]).forEach(checkShape);
  const [system, instruction, ...rest] = turns as readonly Turn<F>[];
  if (system?.role !== 'system') throw invalid(0, 'a conversation starts with a system turn.');
  if (instruction?.role !== 'instruction')
    throw invalid(1, 'the instruction turn follows the system turn.');
  const steps: ConversationStep<F>[] = [];
  rest.forEach((turn, i) => {
    const index = i + 2;
    const last = steps[steps.length - 1];
    if (turn.role === 'user') {
      if (last !== undefined && last.assistant === undefined)
        throw invalid(index, 'two user turns in a row.');
      steps.push({ user: turn });
    } else if (turn.role === 'assistant') {
      if (last === undefined || last.assistant !== undefined)
        throw invalid(index, 'an assistant turn answers a user turn.');
      if (turn.step !== last.user.step) {
        throw invalid(
          index,
          `the assistant turn of step ${turn.step} answers the user turn of step ${last.user.step}.`,
        );
      }
      steps[steps.length - 1] = { user: last.user, assistant: turn };
    } else {
      throw invalid(index, `a ${turn.role} turn can only open the conversation.`);
    }
  });
  return { system, instruction, steps };
}

/**
 * The cheap structural checks of one turn (its role and the types of its fields); scenes and
 * actions are checked in full when an assistant turn is built or rendered.
 */
function checkShape(turn: unknown, index: number): void {
  if (typeof turn !== 'object' || turn === null) {
    throw invalid(index, `a turn is an object with a role; got ${describeValue(turn)}.`);
  }
  const t = turn as Record<string, unknown>;
  const ok =
    t.role === 'system' || t.role === 'instruction'
      ? typeof t.text === 'string' &&
        (t.role === 'system' || (typeof t.assets === 'object' && t.assets !== null))
      : t.role === 'user'
        ? Number.isInteger(t.step) &&
          typeof t.views === 'object' &&
          t.views !== null &&
          (t.note === undefined || typeof t.note === 'string')
        : t.role === 'assistant'
          ? Number.isInteger(t.step) && typeof t.scene === 'object' && typeof t.next === 'object'
          : false;
  if (!ok) {
    throw invalid(
      index,
      `not a well-formed ${describeValue(t.role)} turn; build turns with systemTurn, instructionTurn, userTurn and assistantTurn.`,
    );
  }
}

/** A checked conversation from its turns (see {@link conversationParts}). */
export function conversation<F>(turns: readonly Turn<F>[]): Conversation<F> {
  if (!Array.isArray(turns)) {
    throw new DialogueError(
      'DIALOGUE_INVALID_ARGUMENT',
      `conversation reads an array of turns; got ${describeValue(turns)}.`,
    );
  }
  const result = { turns: turns.slice() };
  conversationParts(result);
  return result;
}

/** The conversation with one more turn, checked. */
export function appendTurn<F>(base: Conversation<F>, turn: Turn<F>): Conversation<F> {
  const turns = requireObject(base, 'appendTurn: base').turns;
  if (!Array.isArray(turns)) {
    throw new DialogueError(
      'DIALOGUE_INVALID_ARGUMENT',
      `appendTurn: base must be a conversation; got ${describeValue(base)}.`,
    );
  }
  return conversation([...(turns as Turn<F>[]), turn]);
}
