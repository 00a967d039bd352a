import { copyFile, mkdir } from 'node:fs/promises';
import { dirname, isAbsolute, join, posix } from 'node:path';
import { VIEW_NAMES, isActllmError, type EpisodeRecord, type ViewName } from '@actllm/core';
import { writeFileAtomic } from '@actllm/core/node';
import { assistantText } from './assistant-text.js';
import { EPISODE_OPTIONS, episodeToConversation, type EpisodeDialogueOptions } from './episode.js';
import { DialogueError } from './errors.js';
import { formatOf } from './options.js';
import { checkOptionNames, describeValue, invalidArgument, requireString } from './validate.js';
import type { InstructionTurn, UserTurn } from './turns.js';
import { IMAGE_TOKEN, PLACEHOLDER } from './vocabulary.js';

/**
 * Export to the LLaVA conversation format, so existing multimodal trainers (LLaVA,
 * LLaVA-NeXT/OneVision interleave data, and the many trainers that read the same layout) can
 * fine-tune a large model on our episodes. One sample per episode, multi-image:
 *
 *     { "id", "image": [paths relative to out/, in order of the <image> placeholders],
 *       "conversations": [{ "from": "human", "value" }, { "from": "gpt", "value" }, ...] }
 *
 * The first human message is the system prompt, the instruction (each `{asset}` replaced by
 * one `<image>` per view) and the first observation; every later human message is one
 * observation: one `<image>` per view (top, then front), then the note if any. Each gpt
 * message is the assistant text (scene, next, act) without `<|end|>`, since trainers add
 * their model's own end of turn. Every observation keeps its images: the trainer, not this
 * export, decides how much history to show.
 */

export interface LlavaMessage {
  readonly from: 'human' | 'gpt';
  readonly value: string;
}

export interface LlavaSample {
  readonly id: string;
  readonly image: readonly string[];
  readonly conversations: readonly LlavaMessage[];
}

/** An episode on disk: its record and the directory its frame paths are relative to. */
export interface LlavaEpisode {
  readonly record: EpisodeRecord<string>;
  readonly dir: string;
}

export interface LlavaExport {
  /** `out/llava.json`. */
  readonly file: string;
  readonly samples: number;
  readonly images: number;
}

const ID = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

function invalidEpisode(id: string, message: string): DialogueError {
  return new DialogueError('DIALOGUE_INVALID_EPISODE', `Episode ${JSON.stringify(id)}: ${message}`);
}

/** The path of an episode image under `out/`: `images/<episode id>/<its relative path>`. */
export function llavaImagePath(id: string, relative: string): string {
  requireString(id, 'llavaImagePath: id');
  requireString(relative, 'llavaImagePath: relative');
  const normal = posix.normalize(relative.replaceAll('\\', '/'));
  if (!ID.test(id))
    throw invalidEpisode(id, 'the id must be a file name (letters, digits, _ . -).');
  if (
    isAbsolute(relative) ||
    normal.startsWith('../') ||
    normal === '..' ||
    normal.startsWith('/')
  ) {
    throw invalidEpisode(
      id,
      `image path ${JSON.stringify(relative)} must be relative to the episode directory.`,
    );
  }
  return `images/${id}/${normal}`;
}

function viewsImages(
  views: Readonly<Partial<Record<ViewName, string>>>,
  images: string[],
  id: string,
): string[] {
  const placeholders: string[] = [];
  for (const view of VIEW_NAMES) {
    const path = views[view];
    if (path === undefined) continue;
    images.push(llavaImagePath(id, path));
    placeholders.push(IMAGE_TOKEN);
  }
  return placeholders;
}

function instructionValue(turn: InstructionTurn<string>, images: string[], id: string): string {
  return turn.text.replace(PLACEHOLDER, (whole, name: string) => {
    const asset = Object.hasOwn(turn.assets, name) ? turn.assets[name] : undefined;
    const slots = asset ? viewsImages(asset.views, images, id) : [];
    if (slots.length === 0)
      throw invalidEpisode(id, `the instruction names ${whole} but carries no image for it.`);
    return slots.join(' ');
  });
}

function userValue(turn: UserTurn<string>, images: string[], id: string): string {
  const lines = viewsImages(turn.views, images, id);
  if (turn.note !== undefined) lines.push(turn.note);
  return lines.join('\n');
}

/** The LLaVA sample of one episode (pure: reads and writes nothing). */
export function llavaSample(
  record: EpisodeRecord<string>,
  options: EpisodeDialogueOptions<string> = {},
): LlavaSample {
  const format = formatOf(checkOptionNames(options, EPISODE_OPTIONS, 'llavaSample'));
  const images: string[] = [];
  const conversations: LlavaMessage[] = [];
  let header: string[] = [];
  for (const turn of episodeToConversation(record, options).turns) {
    if (turn.role === 'system') header.push(turn.text);
    else if (turn.role === 'instruction') header.push(instructionValue(turn, images, record.id));
    else if (turn.role === 'user') {
      conversations.push({
        from: 'human',
        value: [...header, userValue(turn, images, record.id)].join('\n'),
      });
      header = [];
    } else conversations.push({ from: 'gpt', value: assistantText(turn, format) });
  }
  return { id: record.id, image: images, conversations };
}

async function copyImages(
  episode: LlavaEpisode,
  sample: LlavaSample,
  out: string,
): Promise<number> {
  const { record, dir } = episode;
  const sources = new Map<string, string>();
  const collect = (views: Readonly<Partial<Record<ViewName, string>>>) => {
    for (const path of Object.values(views))
      if (path !== undefined) sources.set(llavaImagePath(record.id, path), path);
  };
  for (const asset of Object.values(record.instruction.assets ?? {})) collect(asset.views);
  for (const step of record.steps) collect(step.observation.views);
  let copied = 0;
  for (const target of new Set(sample.image)) {
    const from = join(dir, sources.get(target) ?? '');
    const to = join(out, target);
    try {
      await mkdir(dirname(to), { recursive: true });
      await copyFile(from, to);
    } catch (e) {
      throw new DialogueError(
        'DIALOGUE_EXPORT_FAILED',
        `Could not copy ${from} to ${to}: ${(e as Error).message}`,
        { cause: e },
      );
    }
    copied++;
  }
  return copied;
}

function checkEpisode(episode: unknown): asserts episode is LlavaEpisode {
  const e = episode as { record?: unknown; dir?: unknown } | null;
  if (typeof e !== 'object' || e === null || typeof e.record !== 'object' || e.record === null) {
    throw invalidArgument(
      `toLlava: each episode is { record, dir }; got ${describeValue(episode)}.`,
    );
  }
  requireString(e.dir, 'toLlava: the dir of an episode');
}

/** Writes a file atomically and durably (core's writeFileAtomic), so readers never see half of it. */
async function writeAtomically(file: string, text: string): Promise<void> {
  try {
    await mkdir(dirname(file), { recursive: true });
    await writeFileAtomic(file, text);
  } catch (e) {
    throw new DialogueError(
      'DIALOGUE_EXPORT_FAILED',
      // Core's error already names the file and says what to do.
      isActllmError(e) ? e.message : `Could not write ${file}: ${(e as Error).message}`,
      { cause: e },
    );
  }
}

/**
 * Writes `out/llava.json` (an array of {@link LlavaSample}) and copies each episode's PNGs,
 * byte for byte, to `out/images/<episode id>/`. The JSON is written last and atomically, so
 * it only ever names images that are in place. Throws DIALOGUE_INVALID_EPISODE (bad or
 * repeated id, image path outside its episode) and DIALOGUE_EXPORT_FAILED (I/O).
 */
export async function toLlava(
  episodes: Iterable<LlavaEpisode> | AsyncIterable<LlavaEpisode>,
  out: string,
  options: EpisodeDialogueOptions<string> = {},
): Promise<LlavaExport> {
  checkOptionNames(options, EPISODE_OPTIONS, 'toLlava');
  if (requireString(out, 'toLlava: out') === '') {
    throw invalidArgument('toLlava: out must name a folder; got the empty string.');
  }
  if (
    typeof episodes !== 'object' ||
    episodes === null ||
    !(Symbol.iterator in episodes || Symbol.asyncIterator in episodes)
  ) {
    throw invalidArgument(
      `toLlava: episodes must be an iterable or async iterable of { record, dir }; got ${describeValue(episodes)}.`,
    );
  }
  const samples: LlavaSample[] = [];
  const seen = new Set<string>();
  let images = 0;
  for await (const episode of episodes) {
    checkEpisode(episode);
    const id = episode.record.id;
    if (seen.has(id))
      throw invalidEpisode(id, 'two episodes have this id; their images would collide.');
    seen.add(id);
    const sample = llavaSample(episode.record, options);
    images += await copyImages(episode, sample, out);
    samples.push(sample);
  }
  const file = join(out, 'llava.json');
  await writeAtomically(file, `${JSON.stringify(samples, null, 2)}\n`);
  return { file, samples: samples.length, images };
}
