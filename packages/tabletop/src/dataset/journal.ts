import { appendFileSync, existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ATOMIC_TEMP_PREFIX } from '@actllm/core/node';
import type { DatasetManifest, EpisodeSummary } from './format.js';

/**
 * `journal.jsonl`: the manifest line of every episode finished by a run that has not written
 * its manifest yet, one JSON object a line, appended as each episode is done. A resumed run
 * checks episodes on disk against these stored checksums (and the previous manifest's),
 * never against checksums recomputed from what happens to be on disk. A torn last line
 * (the run died mid-append) is ignored: that episode is simply made again.
 */
export const JOURNAL = 'journal.jsonl';

export function appendJournal(out: string, summary: EpisodeSummary): void {
  appendFileSync(join(out, JOURNAL), `${JSON.stringify(summary)}\n`);
}

/** Removed once manifest.json holds every line. */
export function removeJournal(out: string): void {
  rmSync(join(out, JOURNAL), { force: true });
}

/** The stored summaries of earlier runs: the previous manifest's, then the journal's. */
export function storedSummaries(out: string): Map<string, EpisodeSummary> {
  const stored = new Map<string, EpisodeSummary>();
  const manifestPath = join(out, 'manifest.json');
  if (existsSync(manifestPath)) {
    try {
      const m = JSON.parse(readFileSync(manifestPath, 'utf8')) as Partial<DatasetManifest>;
      const episodes: readonly EpisodeSummary[] = Array.isArray(m.episodes) ? m.episodes : [];
      for (const e of episodes) stored.set(e.id, e);
    } catch {
      // A damaged manifest stores nothing: every episode is checked as unknown and remade.
    }
  }
  const journalPath = join(out, JOURNAL);
  if (existsSync(journalPath)) {
    for (const line of readFileSync(journalPath, 'utf8').split('\n')) {
      if (!line) continue;
      try {
        const e = JSON.parse(line) as EpisodeSummary;
        stored.set(e.id, e);
      } catch {
        // the torn last line of an interrupted append
      }
    }
  }
  return stored;
}

/**
 * Removes what an interrupted run left half-written: the temporary sibling directories that
 * episode directories are assembled in before their rename (core's `.actllm-tmp-*`, and the
 * `.tmp-*` of earlier versions). Core also clears crashed writers' temporaries, but only in a
 * folder it writes into again; a task whose episodes are all done would keep them. Called
 * before this run starts writing, so none of these belong to it.
 */
export function removeLeftovers(out: string): void {
  const episodes = join(out, 'episodes');
  if (!existsSync(episodes)) return;
  for (const task of readdirSync(episodes, { withFileTypes: true })) {
    if (!task.isDirectory()) continue;
    for (const entry of readdirSync(join(episodes, task.name))) {
      if (entry.startsWith(ATOMIC_TEMP_PREFIX) || entry.startsWith('.tmp-')) {
        rmSync(join(episodes, task.name, entry), { recursive: true, force: true });
      }
    }
  }
}
