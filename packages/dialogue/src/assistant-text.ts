import type { Action } from '@actllm/core';
import { SCENE_CLOSE, parseScene, toCompact, type SceneDescriptor } from '@actllm/descriptor';
import { actionToText, parseActionText } from './action-text.js';
import { resolveFormat, type AssistantFormatOptions } from './options.js';
import { checkAssistantTurn, type AssistantTurn } from './turns.js';
import { describeValue } from './validate.js';
import { END_TOKEN } from './vocabulary.js';

/**
 * The text of an assistant turn, in the order of docs/architecture.md: the scene as
 * seen (compact form), the scene as it should look after the action (compact form), the
 * action. No marker separates the two scenes: their order is fixed and the grammar enforces it.
 */
export interface AssistantSegments {
  readonly scene: string;
  readonly next: string;
  readonly act: string;
}

/**
 * The three segments of an assistant turn. Throws DIALOGUE_INVALID_CONVERSATION for a scene
 * that is not a valid descriptor, DIALOGUE_INVALID_ACTION for an invalid action,
 * DIALOGUE_INVALID_OPTIONS for bad options.
 */
export function assistantSegments(
  turn: AssistantTurn,
  options: AssistantFormatOptions = {},
): AssistantSegments {
  const { bins, rotationBins } = resolveFormat(options);
  checkAssistantTurn(turn, 'assistantSegments');
  return {
    scene: toCompact(turn.scene, { bins }),
    next: toCompact(turn.next, { bins }),
    act: actionToText(turn.act, { bins, rotationBins }),
  };
}

export function assistantText(turn: AssistantTurn, options: AssistantFormatOptions = {}): string {
  const s = assistantSegments(turn, options);
  return `${s.scene} ${s.next} ${s.act}`;
}

export type AssistantPart = 'scene' | 'next' | 'act';

export type AssistantParse =
  | {
      readonly ok: true;
      readonly scene: SceneDescriptor;
      readonly next: SceneDescriptor;
      readonly act: Action;
    }
  | { readonly ok: false; readonly part: AssistantPart; readonly message: string };

/**
 * Reads an assistant turn back (strictly: every part must parse without a problem). A
 * closing `<|end|>` is allowed. Never throws on any value (a non-string fails to parse), in
 * time linear in the text; invalid options throw DIALOGUE_INVALID_OPTIONS.
 */
export function parseAssistantText(
  text: string,
  options: AssistantFormatOptions = {},
): AssistantParse {
  const { bins, rotationBins } = resolveFormat(options);
  if (typeof text !== 'string') {
    return {
      ok: false,
      part: 'scene',
      message: `assistant text must be a string; got ${describeValue(text)}`,
    };
  }
  let rest = text.trim();
  if (rest.endsWith(END_TOKEN)) rest = rest.slice(0, -END_TOKEN.length);
  const parts: SceneDescriptor[] = [];
  for (const part of ['scene', 'next'] as const) {
    const end = rest.indexOf(SCENE_CLOSE);
    const sceneText = end < 0 ? rest : rest.slice(0, end + SCENE_CLOSE.length);
    const parsed = parseScene(sceneText, { format: 'compact', mode: 'strict', bins });
    if (!parsed.ok)
      return { ok: false, part, message: parsed.problems.map((p) => p.message).join(' ') };
    parts.push(parsed.scene);
    rest = rest.slice(sceneText.length);
  }
  const act = parseActionText(rest, { bins, rotationBins });
  if (!act.ok) return { ok: false, part: 'act', message: act.message };
  return { ok: true, scene: parts[0]!, next: parts[1]!, act: act.action };
}
