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
  FORMAT_OPTIONS,
  formatOf,
  invalidOption,
  type AssistantFormat,
  type AssistantFormatOptions,
} from './options.js';
import {
  RENDER_OPTIONS,
  renderChecked,
  type RenderOptions,
  type RenderedConversation,
} from './template.js';
import type { Tokenizer } from './tokenizer.js';
import { checkOptionNames, describeValue, invalidArgument, requireObject } from './validate.js';
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

/** The option names of {@link EpisodeDialogueOptions}. */
export const EPISODE_OPTIONS = [...FORMAT_OPTIONS, 'system', 'views', 'note'] as const;

function checkViews(views: readonly ViewName[]): readonly ViewName[] {
  if (!Array.isArray(views)) {
    throw invalidOption(`views must be an array of view names; got ${describeValue(views)}.`);
  }
  for (const v of views as readonly unknown[]) {
    if (!(VIEW_NAMES as readonly unknown[]).includes(v)) {
      throw invalidOption(`views must be among ${VIEW_NAMES.join(', ')}; got ${describeValue(v)}.`);
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
 * the last step) and act = a_t. Throws DIALOGUE_INVALID_EPISODE for a malformed record,
 * objects the descriptor cannot write or an invalid action, DIALOGUE_INVALID_OPTIONS for an
 * unknown option or a value out of its domain.
 */
export function episodeToConversation<F>(
  record: EpisodeRecord<F>,
  options: EpisodeDialogueOptions<F> = {},
): Conversation<F> {
  return episodeChecked(
    record,
    checkOptionNames(options, EPISODE_OPTIONS, 'episodeToConversation'),
  );
}

/** The parts of an episode record the conversion reads; throws DIALOGUE_INVALID_EPISODE. */
function checkRecord(record: unknown): void {
  const r = requireObject(record, 'episode record');
  const fail = (what: string) =>
    new DialogueError(
      'DIALOGUE_INVALID_EPISODE',
      `Episode ${describeValue(r.id)}: ${what}; pass a core EpisodeRecord (tabletop's dataset reader gives them).`,
    );
  if (typeof r.id !== 'string') throw fail('its id is not a string');
  const instruction = r.instruction as { text?: unknown } | null | undefined;
  if (typeof instruction?.text !== 'string') throw fail('its instruction has no text');
  if (!Array.isArray(r.steps)) throw fail('its steps are not an array');
  (r.steps as unknown[]).forEach((step, t) => {
    const s = step as { observation?: { views?: unknown; objects?: unknown } } | null;
    if (typeof s?.observation?.views !== 'object' || !Array.isArray(s.observation.objects))
      throw fail(`step ${t} has no observation with views and objects`);
    const after = (step as { afterAction?: unknown }).afterAction;
    if (after !== undefined && !Array.isArray(after))
      throw fail(`the afterAction of step ${t} is not an array of object states`);
  });
  if (!Array.isArray((r.final as { objects?: unknown } | null)?.objects))
    throw fail('its final frame has no objects');
}

/** {@link episodeToConversation} for options whose names the caller has checked. */
function episodeChecked<F>(
  record: EpisodeRecord<F>,
  options: EpisodeDialogueOptions<F>,
): Conversation<F> {
  checkRecord(record);
  const format = formatOf(options);
  const views = checkViews(options.views ?? VIEW_NAMES);
  if (options.note !== undefined && typeof options.note !== 'function') {
    throw invalidOption(
      `note must be a function (index, record) => string | undefined; got ${describeValue(options.note)}.`,
    );
  }
  if (options.system !== undefined && typeof options.system !== 'string') {
    throw invalidOption(`system must be a string; got ${describeValue(options.system)}.`);
  }
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
    const note = options.note?.(t, record);
    if (note !== undefined && typeof note !== 'string') {
      throw invalidArgument(
        `The note of step ${t} must be a string or undefined; got ${describeValue(note)}.`,
      );
    }
    turns.push(userTurn(t, pickViews(step.observation.views, views), note));
    turns.push(assistantTurn(t, scenes[t]!, nexts[t]!, valid.value));
  });
  return conversation(turns);
}

/**
 * Episode -> training dialogue: the ground-truth conversation rendered into token ids, image
 * slots and the `scene` / `next` / `act` labels the policy's losses mask on. Takes the
 * options of both {@link episodeToConversation} and `renderConversation`, and throws what
 * they throw; the tokenizer's bins must be the format's.
 */
export function toTrainingDialogue<F>(
  record: EpisodeRecord<F>,
  tokenizer: Tokenizer,
  options: EpisodeDialogueOptions<F> & RenderOptions = {},
): RenderedConversation<F> {
  const checked = checkOptionNames(options, TRAINING_OPTIONS, 'toTrainingDialogue');
  return renderChecked(episodeChecked(record, checked), tokenizer, checked);
}

const TRAINING_OPTIONS = [...new Set([...EPISODE_OPTIONS, ...RENDER_OPTIONS])];
