import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Views } from './config.js';

/**
 * `actllm_train.json`, written by `train` into the checkpoint folder next to the policy
 * package's files: how the samples were made (the data, the history policy), which `train
 * --resume` reuses and `eval` follows (the same history policy and view sizes at test
 * time). The policy's checkpoint format has no place for these.
 */
export const TRAIN_SETTINGS_FILE = 'actllm_train.json';
export const TRAIN_LOG_FILE = 'train_log.jsonl';

export interface TrainSettings {
  readonly format: 'actllm-train-settings';
  readonly version: 1;
  readonly data: readonly string[];
  readonly scenes: number;
  readonly imageTurns: number;
  /** False for the history ablation (`--no-history`). */
  readonly history: boolean;
  /** Prompt assets written as descriptors (`--describe-assets`); absent in older files. */
  readonly describeAssets?: boolean;
  readonly valFraction: number;
  readonly seed: number;
  /** The tasks of the data, and the view sizes its frames were rendered at. */
  readonly tasks: readonly string[];
  readonly views: Views | null;
}

/** The settings saved in a checkpoint folder, or undefined when it has none. */
export function readTrainSettings(dir: string): TrainSettings | undefined {
  const path = join(dir, TRAIN_SETTINGS_FILE);
  if (!existsSync(path)) return undefined;
  try {
    const value = JSON.parse(readFileSync(path, 'utf8')) as TrainSettings;
    return value?.format === 'actllm-train-settings' ? value : undefined;
  } catch {
    return undefined;
  }
}
