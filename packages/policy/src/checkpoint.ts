import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isActllmError, type Tensor, type TensorMap } from '@actllm/core';
import { writeDirAtomicSync } from '@actllm/core/node';
import { decodeSafetensors, encodeSafetensors } from '@actllm/graph';
import { Tokenizer } from '@actllm/dialogue';
import { validatePolicyConfig, type PolicyConfig } from './config.js';
import { PolicyError } from './errors.js';

/**
 * A checkpoint folder, laid out as Hugging Face and LeRobot tooling expect: `config.json`
 * (the policy configuration), `model.safetensors` (the weights), `tokenizer.json`, and to
 * resume training `training_state.json` with `optimizer.safetensors` (AdamW moments and
 * step). The folder is written whole or not at all (`writeDirAtomicSync`).
 */
export const CHECKPOINT_FILES = {
  config: 'config.json',
  model: 'model.safetensors',
  tokenizer: 'tokenizer.json',
  state: 'training_state.json',
  optimizer: 'optimizer.safetensors',
} as const;

/** The format version of `config.json` and `training_state.json`. */
export const CHECKPOINT_VERSION = 1;

export interface Checkpoint<S = unknown> {
  readonly config: PolicyConfig;
  readonly tokenizer: Tokenizer;
  /** Model weights by parameter name. */
  readonly weights: TensorMap;
  /** Present when the checkpoint can resume training. */
  readonly training?: { readonly state: S; readonly optimizer: TensorMap };
}

/** Writes a checkpoint folder at `dir` (its parent must exist), replacing one already there. */
export function saveCheckpoint(dir: string, checkpoint: Checkpoint): void {
  const files = new Map<string, string | Uint8Array>([
    [
      CHECKPOINT_FILES.config,
      json({
        model_type: 'actllm',
        version: CHECKPOINT_VERSION,
        ...validatePolicyConfig(checkpoint.config),
      }),
    ],
    [CHECKPOINT_FILES.model, encodeSafetensors(checkpoint.weights, { format: 'pt' })],
    [CHECKPOINT_FILES.tokenizer, json(checkpoint.tokenizer.toHuggingFace())],
  ]);
  if (checkpoint.training) {
    files.set(
      CHECKPOINT_FILES.state,
      json({ version: CHECKPOINT_VERSION, ...(checkpoint.training.state as object) }),
    );
    files.set(CHECKPOINT_FILES.optimizer, encodeSafetensors(checkpoint.training.optimizer));
  }
  writeDirAtomicSync(dir, files);
}

function json(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

function broken(dir: string, what: string, cause?: unknown): PolicyError {
  return new PolicyError(
    'POLICY_INVALID_CHECKPOINT',
    `${dir} is not a usable checkpoint: ${what}. Point at a folder written by saveCheckpoint (actllm train).`,
    cause === undefined ? undefined : { cause },
  );
}

async function read(dir: string, file: string): Promise<Buffer | undefined> {
  try {
    return await readFile(join(dir, file));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw broken(dir, `${file} cannot be read (${(error as Error).message})`, error);
  }
}

async function readJson(dir: string, file: string): Promise<Record<string, unknown> | undefined> {
  const bytes = await read(dir, file);
  if (bytes === undefined) return undefined;
  try {
    const value: unknown = JSON.parse(bytes.toString('utf8'));
    if (typeof value !== 'object' || value === null || Array.isArray(value))
      throw new Error('not an object');
    return value as Record<string, unknown>;
  } catch (error) {
    throw broken(dir, `${file} is not a JSON object`, error);
  }
}

async function readTensors(dir: string, file: string): Promise<Record<string, Tensor> | undefined> {
  const bytes = await read(dir, file);
  if (bytes === undefined) return undefined;
  try {
    return decodeSafetensors(new Uint8Array(bytes)).tensors;
  } catch (error) {
    throw broken(dir, `${file} is damaged (${(error as Error).message})`, error);
  }
}

/** Reads a checkpoint folder; a missing or damaged file is `POLICY_INVALID_CHECKPOINT`. */
export async function loadCheckpoint<S = unknown>(dir: string): Promise<Checkpoint<S>> {
  if (typeof dir !== 'string' || dir === '')
    throw broken(String(dir), 'the path must be a non-empty string');
  const raw = await readJson(dir, CHECKPOINT_FILES.config);
  if (!raw) throw broken(dir, `${CHECKPOINT_FILES.config} is missing`);
  if (raw['model_type'] !== 'actllm' || raw['version'] !== CHECKPOINT_VERSION) {
    throw broken(
      dir,
      `${CHECKPOINT_FILES.config} is not an ACTLLM config of version ${CHECKPOINT_VERSION}`,
    );
  }
  const { model_type: _m, version: _v, ...rest } = raw;
  let config: PolicyConfig;
  try {
    config = validatePolicyConfig(rest as unknown as PolicyConfig);
  } catch (error) {
    throw broken(dir, `its configuration is invalid (${(error as Error).message})`, error);
  }
  const weights = await readTensors(dir, CHECKPOINT_FILES.model);
  if (!weights) throw broken(dir, `${CHECKPOINT_FILES.model} is missing`);
  const tokenizerJson = await readJson(dir, CHECKPOINT_FILES.tokenizer);
  if (!tokenizerJson) throw broken(dir, `${CHECKPOINT_FILES.tokenizer} is missing`);
  let tokenizer: Tokenizer;
  try {
    tokenizer = Tokenizer.fromHuggingFace(tokenizerJson);
  } catch (error) {
    if (!isActllmError(error)) throw error;
    throw broken(dir, `${CHECKPOINT_FILES.tokenizer} is invalid (${error.message})`, error);
  }
  if (tokenizer.size !== config.vocab) {
    throw broken(dir, `the tokenizer has ${tokenizer.size} tokens but the model ${config.vocab}`);
  }
  const state = await readJson(dir, CHECKPOINT_FILES.state);
  const optimizer = await readTensors(dir, CHECKPOINT_FILES.optimizer);
  if ((state === undefined) !== (optimizer === undefined)) {
    throw broken(
      dir,
      `it has one of ${CHECKPOINT_FILES.state} and ${CHECKPOINT_FILES.optimizer} without the other`,
    );
  }
  const training = state && optimizer ? { state: state as S, optimizer } : undefined;
  return { config, tokenizer, weights, ...(training ? { training } : {}) };
}
