import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { TabletopError } from '../errors.js';
import type { EpisodeJob, EpisodeSummary } from './format.js';
import type { FromWorker, ToWorker, WorkerSetup } from './protocol.js';

/**
 * Where the worker script is. In the published package this module is bundled into
 * dist/index.(c)js and the worker sits next to it (dist/worker.js); when running from the
 * sources (tests), this file is src/dataset/pool.ts and the built worker is ../../dist/worker.js.
 */
export function workerPath(): string {
  const candidates = ['./worker.js', '../../dist/worker.js'].map((rel) =>
    fileURLToPath(new URL(rel, import.meta.url)),
  );
  const found = candidates.find((p) => existsSync(p));
  if (!found) {
    throw new TabletopError(
      'TABLETOP_WORKER_MISSING',
      `The dataset worker script was not found (looked at ${candidates.join(', ')}); build the package with "npx tsup", or pass workers: 0.`,
    );
  }
  return found;
}

/**
 * Runs jobs on `count` worker threads, handing out the next job as each one finishes. An
 * exception thrown by `onDone` (the caller's progress callback) rejects the promise as it
 * is; it never escapes into the event loop, where it would end the process.
 */
export async function runOnWorkers(
  count: number,
  setup: WorkerSetup,
  jobs: readonly EpisodeJob[],
  onDone: (summary: EpisodeSummary) => void,
): Promise<void> {
  const path = workerPath();
  let next = 0;
  const workers: Worker[] = [];
  try {
    await new Promise<void>((resolve, reject) => {
      let running = Math.min(count, jobs.length);
      if (running === 0) return resolve();
      let failed = false;
      const stop = (error: unknown): void => {
        failed = true;
        // The caller's own error (a throwing progress callback) is passed on as it is.
        reject(error instanceof Error ? error : new Error(String(error)));
      };
      const fail = (why: string, cause?: unknown): void =>
        stop(
          new TabletopError('TABLETOP_WORKER_FAILED', `Dataset generation failed: ${why}`, {
            cause,
          }),
        );
      for (let w = 0; w < Math.min(count, jobs.length); w++) {
        const worker = new Worker(path, { workerData: setup });
        workers.push(worker);
        const feed = (): void => {
          const job = jobs[next++];
          if (job) worker.postMessage({ type: 'job', job } satisfies ToWorker);
          else if (--running === 0) resolve();
        };
        worker.on('message', (m: FromWorker) => {
          if (failed) return;
          if (m.type === 'error') return fail(`episode ${m.id}: ${m.message}`);
          if (m.type === 'done') {
            try {
              onDone(m.summary);
            } catch (error) {
              return stop(error);
            }
          }
          feed();
        });
        worker.on('error', (e) => fail(`a worker crashed: ${e.message}`, e));
        worker.on('exit', (code) => {
          if (code !== 0) fail(`a worker exited with code ${code}`);
        });
      }
    });
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}
