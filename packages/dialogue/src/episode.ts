import {
  VIEW_NAMES,
  validateAction,
  type EpisodeRecord,
  type Image,
  type ObjectState,
  type ViewName,
} from '@actllm/core';
import { buildScene, type SceneDescriptor } from '@actllm/descriptor';
import { DialogueError } from './errors.js';
import {
  invalidOption,
  resolveFormat,
  type AssistantFormat,
  type AssistantFormatOptions,
} from './options.js';
import { renderConversation, type RenderOptions, type RenderedConversation } from './template.js';
import type { Tokenizer } from './tokenizer.js';
import {
  assistantTurn,
  conversation,
  fromInstruction,
  systemTurn,
  userTurn,
  type Conversation,
  type Turn,
} from './turns.js';

export interface EpisodeDialogueOptions<F = Image> extends AssistantFormatOptions {
  /** The system prompt (default DEFAULT_SYSTEM_PROMPT). */
  readonly system?: string;
  /** The views shown in user turns, always in VIEW_NAMES order (default all). */
  readonly views?: readonly ViewName[];
  /**
   * The note of the user turn of step `index`, such as DEFAULT_SCENE_CHANGED_NOTE after a
   * disturbance. Episode records do not say in a standard way when a scene was disturbed,
   * so the caller decides (default: no notes).
   */
  readonly note?: (index: number, record: EpisodeRecord<F>) => string | undefined;
}

function invalidEpisode(
  record: EpisodeRecord<unknown>,
  message: string,
  cause?: unknown,
): DialogueError {
  return new DialogueError(
    'DIALOGUE_INVALID_EPISODE',
    `Episode ${JSON.stringify(record.id)}: ${message}`,
    { cause },
  );
}

function checkViews(views: readonly ViewName[]): readonly ViewName[] {
  for (const v of views) {
    if (!(VIEW_NAMES as readonly string[]).includes(v)) {
      throw invalidOption(
        `views must be among ${VIEW_NAMES.join(', ')}; got ${JSON.stringify(v)}.`,
      );
    }
  }
  return VIEW_NAMES.filter((v) => views.includes(v));
}

function sceneOf(
  record: EpisodeRecord<unknown>,
  objects: readonly ObjectState[],
  at: string,
  f: AssistantFormat,
): SceneDescriptor {
  try {
    return buildScene(objects, { frame: f.frame, bins: f.bins, size: f.size, theta: f.theta });
  } catch (e) {
    throw invalidEpisode(
      record,
      `the objects of ${at} cannot be described: ${(e as Error).message}`,
      e,
    );
  }
}

function pickViews<F>(
  views: Readonly<Record<ViewName, F>>,
  wanted: readonly ViewName[],
): Partial<Record<ViewName, F>> {
  const out: Partial<Record<ViewName, F>> = {};
  for (const v of wanted) if (views[v] !== undefined) out[v] = views[v];
  return out;
}

/**
 * The ground-truth conversation of a recorded episode: per step t the user turn shows the
 * observation o_t, and the assistant turn holds scene = x_t (the objects of o_t), next =
 * x_{t+1} (what the action did: the step's `afterAction` when the environment disturbed the
 * scene after it, else the objects of the following observation, or of the final frame after
 * the last step) and act = a_t. Throws DIALOGUE_INVALID_EPISODE for objects the descriptor
 * cannot write or an invalid action.
 */
export function episodeToConversation<F>(
  record: EpisodeRecord<F>,
  options: EpisodeDialogueOptions<F> = {},
): Conversation<F> {
  const format = resolveFormat(options);
  const views = checkViews(options.views ?? VIEW_NAMES);
  const turns: Turn<F>[] = [systemTurn(options.system), fromInstruction(record.instruction)];
  const frames = [...record.steps.map((s) => s.observation.objects), record.final.objects];
  const scenes = frames.map((objects, t) =>
    sceneOf(record, objects, t < record.steps.length ? `step ${t}` : 'the final frame', format),
  );
  // A disturbance after step t shows in o_{t+1}, but the forward model learns what a_t did.
  const nexts = record.steps.map((step, t) =>
    step.afterAction
      ? sceneOf(record, step.afterAction, `the result of step ${t}`, format)
      : scenes[t + 1]!,
  );
  record.steps.forEach((step, t) => {
    const valid = validateAction(step.action);
    if (!valid.ok)
      throw invalidEpisode(
        record,
        `the action of step ${t} is invalid: ${valid.error.message}`,
        valid.error,
      );
    turns.push(userTurn(t, pickViews(step.observation.views, views), options.note?.(t, record)));
    turns.push(assistantTurn(t, scenes[t]!, nexts[t]!, valid.value));
  });
  return conversation(turns);
}

/**
 * Episode -> training dialogue: the ground-truth conversation rendered into token ids, image
 * slots and the `scene` / `next` / `act` labels the policy's losses mask on.
 */
export function toTrainingDialogue<F>(
  record: EpisodeRecord<F>,
  tokenizer: Tokenizer,
  options: EpisodeDialogueOptions<F> & RenderOptions = {},
): RenderedConversation<F> {
  return renderConversation(episodeToConversation(record, options), tokenizer, options);
}
