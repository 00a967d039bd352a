import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type {
  EpisodeFrame,
  EpisodeStep,
  Image,
  Instruction,
  PromptAsset,
  ViewName,
} from '@actllm/core';
import { TabletopError } from '../errors.js';
import { decodePng } from '../image/png.js';
import {
  DATASET_FORMAT,
  DATASET_FORMAT_VERSION,
  type DatasetManifest,
  type EpisodeSummary,
  type TabletopEpisodeRecord,
} from './format.js';
import { EpisodeDamagedError, verifiedFiles } from './verify.js';

export interface ReadDatasetOptions {
  /** Skip damaged episodes instead of throwing EpisodeDamagedError (default false). */
  readonly skipDamaged?: boolean;
  /** Called with each damaged episode that is skipped. */
  readonly onSkip?: (error: EpisodeDamagedError) => void;
  /** Only the episodes of these task families (default: all of the manifest). */
  readonly tasks?: readonly string[];
}

/** One episode read back: its manifest line and its record, frames as decoded images. */
export interface DatasetEpisode {
  readonly summary: EpisodeSummary;
  /** Frames and prompt pictures decode on first access (and are kept once decoded). */
  readonly record: TabletopEpisodeRecord<Image>;
}

/** A dataset directory opened for reading: its manifest, and its episodes in manifest order. */
export interface TabletopDataset extends Iterable<DatasetEpisode> {
  readonly dir: string;
  readonly manifest: DatasetManifest;
  /**
   * Iterates the episodes lazily, one directory read at a time, each checked against the
   * manifest's SHA-256 before it is yielded.
   */
  episodes(options?: ReadDatasetOptions): Generator<DatasetEpisode>;
}

function invalid(dir: string, why: string): TabletopError {
  return new TabletopError(
    'TABLETOP_DATASET_INVALID',
    `${dir} is not a readable tabletop dataset: ${why}.`,
  );
}

/** Reads and checks `manifest.json` (written last, so its absence means an unfinished run). */
export function readManifest(dir: string): DatasetManifest {
  const path = join(dir, 'manifest.json');
  if (!existsSync(path)) {
    throw invalid(
      dir,
      'no manifest.json (generation did not finish; run generateDataset again with the same options to complete it)',
    );
  }
  // Parsed loosely first: the fields are checked before the value is trusted as a manifest.
  let manifest: Partial<Record<keyof DatasetManifest, unknown>>;
  try {
    manifest = JSON.parse(readFileSync(path, 'utf8')) as typeof manifest;
  } catch (cause) {
    throw invalid(dir, `manifest.json is not JSON (${String(cause)})`);
  }
  if (manifest?.format !== DATASET_FORMAT)
    throw invalid(dir, `its format is not ${DATASET_FORMAT}`);
  if (manifest.version !== DATASET_FORMAT_VERSION) {
    throw invalid(
      dir,
      `format version ${String(manifest.version)}; this reader reads version ${DATASET_FORMAT_VERSION}`,
    );
  }
  const ok = (e: EpisodeSummary): boolean =>
    typeof e === 'object' &&
    e !== null &&
    [e.id, e.task, e.path, e.sha256].every((v) => typeof v === 'string');
  if (!Array.isArray(manifest.episodes) || !(manifest.episodes as EpisodeSummary[]).every(ok)) {
    throw invalid(dir, 'manifest.json has no valid episode list');
  }
  return manifest as unknown as DatasetManifest;
}

/**
 * Opens a dataset written by `generateDataset`. Iterating it yields every episode (records
 * plus lazily decoded frames); a damaged episode throws EpisodeDamagedError naming it,
 * unless `skipDamaged` is set.
 */
export function openDataset(dir: string): TabletopDataset {
  if (typeof dir !== 'string' || dir === '') {
    throw new TabletopError('TABLETOP_INVALID_OPTION', 'openDataset needs a directory path.');
  }
  const manifest = readManifest(dir);
  const episodes = (options: ReadDatasetOptions = {}): Generator<DatasetEpisode> =>
    readEpisodes(dir, manifest, options);
  return { dir, manifest, episodes, [Symbol.iterator]: () => episodes() };
}

function* readEpisodes(
  dir: string,
  manifest: DatasetManifest,
  options: ReadDatasetOptions,
): Generator<DatasetEpisode> {
  const tasks = options.tasks ? new Set(options.tasks) : null;
  for (const summary of manifest.episodes) {
    if (tasks && !tasks.has(summary.task)) continue;
    let episode: DatasetEpisode;
    try {
      episode = loadEpisode(dir, summary);
    } catch (error) {
      if (!(error instanceof EpisodeDamagedError) || !options.skipDamaged) throw error;
      options.onSkip?.(error);
      continue;
    }
    yield episode;
  }
}

function loadEpisode(dir: string, summary: EpisodeSummary): DatasetEpisode {
  const files = verifiedFiles(dir, summary);
  let record: TabletopEpisodeRecord;
  try {
    record = JSON.parse(
      Buffer.from(files.get('record.json') ?? new Uint8Array()).toString('utf8'),
    ) as TabletopEpisodeRecord;
  } catch (cause) {
    throw new EpisodeDamagedError(summary, 'record.json is not JSON', cause);
  }
  if (record?.id !== summary.id || !Array.isArray(record.steps) || !record.final) {
    throw new EpisodeDamagedError(summary, 'record.json does not describe this episode');
  }
  const image = (path: string): Image => {
    const bytes = files.get(path);
    if (!bytes) throw new EpisodeDamagedError(summary, `its record names a missing file ${path}`);
    try {
      return decodePng(bytes);
    } catch (cause) {
      throw new EpisodeDamagedError(summary, `${path} is not a valid PNG`, cause);
    }
  };
  return { summary, record: withImages(record, image) };
}

/** The record with every frame path replaced by an image decoded on first access. */
function withImages(
  record: TabletopEpisodeRecord,
  image: (path: string) => Image,
): TabletopEpisodeRecord<Image> {
  const frame = (f: EpisodeFrame<string>): EpisodeFrame<Image> => ({
    ...f,
    views: lazyViews(f.views, image),
  });
  const steps = record.steps.map((s): EpisodeStep<Image> => ({
    ...s,
    observation: frame(s.observation),
  }));
  return {
    ...record,
    instruction: instruction(record.instruction, image),
    steps,
    final: frame(record.final),
  };
}

function instruction(i: Instruction<string>, image: (path: string) => Image): Instruction<Image> {
  if (!i.assets) return { text: i.text };
  const assets: Record<string, PromptAsset<Image>> = {};
  for (const [name, a] of Object.entries(i.assets)) {
    assets[name] = { ...a, views: lazyViews(a.views, image) };
  }
  return { ...i, assets };
}

function lazyViews<V extends Partial<Record<ViewName, string>>>(
  paths: V,
  image: (path: string) => Image,
): { [K in keyof V]: Image } {
  const out = {} as { [K in keyof V]: Image };
  for (const [view, path] of Object.entries(paths) as [keyof V & string, string][]) {
    let decoded: Image | undefined;
    Object.defineProperty(out, view, {
      enumerable: true,
      get: () => (decoded ??= image(path)),
    });
  }
  return out;
}
