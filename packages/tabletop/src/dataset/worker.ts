/**
 * Worker-thread entry of dataset generation (built by tsup to dist/worker.js): one
 * environment per thread, episodes on request, one at a time.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { TabletopEnv } from '../env/environment.js';
import { runEpisode } from './episode.js';
import type { FromWorker, ToWorker, WorkerSetup } from './protocol.js';

async function main(): Promise<void> {
  const port = parentPort;
  if (!port) return;
  const setup = workerData as WorkerSetup;
  const env = await TabletopEnv.create({ views: setup.views, physics: setup.physics });
  const send = (m: FromWorker): void => port.postMessage(m);
  port.on('message', (message: ToWorker) => {
    if (message.type === 'stop') {
      env.close();
      port.close();
      return;
    }
    try {
      send({ type: 'done', summary: runEpisode(env, setup.out, setup, message.job) });
    } catch (error) {
      send({
        type: 'error',
        id: message.job.id,
        message: error instanceof Error ? error.message : String(error),
      });
    }
  });
  send({ type: 'ready' });
}

void main();
