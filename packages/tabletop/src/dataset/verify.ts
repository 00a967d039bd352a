import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { TabletopError } from '../errors.js';
import { checksumFiles, readTree } from './files.js';
import { episodeDir, type EpisodeSummary } from './format.js';

/** One episode of a dataset failed its check: `episode` names it, the message says why. */
export class EpisodeDamagedError extends TabletopError {
  /** Id of the damaged episode (as in the manifest). */
  readonly episode: string;
  /** Its directory, relative to the dataset root. */
  readonly path: string;

  constructor(summary: Pick<EpisodeSummary, 'id' | 'path'>, why: string, cause?: unknown) {
    super(
      'TABLETOP_EPISODE_DAMAGED',
      `Episode ${summary.id} (${summary.path}) is damaged: ${why}. Run generateDataset again with the same options to regenerate it, or read with skipDamaged: true.`,
      cause === undefined ? {} : { cause },
    );
    this.episode = summary.id;
    this.path = summary.path;
  }
}

/**
 * Reads an episode's files and checks them against the checksum stored for it (manifest or
 * journal). Returns the files, or throws EpisodeDamagedError: missing, unreadable, or
 * different from what was written.
 */
export function verifiedFiles(root: string, stored: EpisodeSummary): Map<string, Uint8Array> {
  if (stored.path !== episodeDir(stored.task, stored.id)) {
    throw new EpisodeDamagedError(stored, `its path is not ${episodeDir(stored.task, stored.id)}`);
  }
  const dir = join(root, stored.path);
  if (!existsSync(join(dir, 'record.json'))) {
    throw new EpisodeDamagedError(stored, 'its directory or record.json is missing');
  }
  let files: Map<string, Uint8Array>;
  try {
    files = readTree(dir);
  } catch (cause) {
    throw new EpisodeDamagedError(stored, 'its files cannot be read', cause);
  }
  if (checksumFiles(files) !== stored.sha256) {
    throw new EpisodeDamagedError(stored, 'its files do not match the stored SHA-256');
  }
  return files;
}
