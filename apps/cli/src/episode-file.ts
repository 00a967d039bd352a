import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Action } from '@actllm/core';
import type { SceneDescriptor } from '@actllm/descriptor';
import type { StepTrace } from '@actllm/policy';
import type { Views } from './config.js';
import { CliError } from './errors.js';
import type { Mode } from './eval-info.js';

/**
 * `episode.json`, written by `actllm run` next to the episode's frames and replay, and read by
 * `actllm report` for its gallery.
 */
export const EPISODE_FILE = 'episode.json';
export const EPISODE_FORMAT = 'actllm-episode';
export const REPLAY_FILE = 'replay.gif';

/** `frames/step_003_top.png`: the frame of an observation (step 0 is the first). */
export function framePath(step: number, view: string): string {
  return `frames/step_${String(step).padStart(3, '0')}_${view}.png`;
}

export interface EpisodeStep {
  readonly step: number;
  /** The observation's frame files, by view. */
  readonly frames: Readonly<Record<string, string>>;
  /** The ground truth's descriptor (the dialogue's format), what the scene should read. */
  readonly truth: SceneDescriptor;
  /** The action sent; null when the policy's turn did not decode (a refused action). */
  readonly action: Action | null;
  /** Why the environment refused the action, if it did. */
  readonly invalid: string | null;
  /** The object the action moved (`pick_place`), or null. */
  readonly picked: string | null;
  /** The perturbation after the action (dynamic modes), as the environment reports it. */
  readonly perturbation?: unknown;
  /** The policy's trace entry: text, scene, next, consistency, latency, passes, ... */
  readonly trace?: StepTrace;
  readonly decode_failed?: boolean;
}

export interface EpisodeFile {
  readonly format: typeof EPISODE_FORMAT;
  readonly version: 1;
  readonly agent: string;
  readonly checkpoint: string | null;
  readonly task: string;
  readonly level: string;
  readonly mode: Mode;
  readonly seed: number;
  readonly instruction: string;
  readonly views: Views;
  readonly success: boolean;
  readonly steps: number;
  readonly failure: string | null;
  readonly perturbations: number;
  readonly parse_failures: number;
  readonly replay: string;
  readonly per_step: readonly EpisodeStep[];
  /** The observation after the last step. */
  readonly final: { readonly step: number; readonly frames: Readonly<Record<string, string>> };
}

/** A run output folder read back: its episode.json and its folder. */
export interface RunOutput {
  readonly dir: string;
  readonly episode: EpisodeFile;
}

function readEpisode(dir: string): RunOutput {
  const path = join(dir, EPISODE_FILE);
  let value: EpisodeFile;
  try {
    value = JSON.parse(readFileSync(path, 'utf8')) as EpisodeFile;
  } catch (error) {
    throw new CliError(
      'CLI_INPUT_INVALID',
      `${path} cannot be read (${(error as Error).message}); run actllm run --out ${dir} again.`,
    );
  }
  if (value?.format !== EPISODE_FORMAT || !Array.isArray(value.per_step))
    throw new CliError(
      'CLI_INPUT_INVALID',
      `${path} is not an episode.json of actllm run; pass folders written by actllm run.`,
    );
  return { dir, episode: value };
}

/**
 * The run outputs in `dir`: the folder itself when it holds an episode.json, else each of
 * its sub-folders that holds one (by name). None is exit 3.
 */
export function readRunOutputs(dir: string, flag: string): RunOutput[] {
  if (!existsSync(dir) || !statSync(dir).isDirectory())
    throw new CliError(
      'CLI_INPUT_NOT_FOUND',
      `${flag} ${dir} is not a folder; pass an --out folder of actllm run, or a folder of them.`,
    );
  if (existsSync(join(dir, EPISODE_FILE))) return [readEpisode(dir)];
  const found = readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && existsSync(join(dir, e.name, EPISODE_FILE)))
    .map((e) => e.name)
    .sort();
  if (found.length === 0)
    throw new CliError(
      'CLI_INPUT_NOT_FOUND',
      `${flag} ${dir} holds no episode.json (nor do its sub-folders); pass an --out folder of actllm run, or a folder of them.`,
    );
  return found.map((name) => readEpisode(join(dir, name)));
}
