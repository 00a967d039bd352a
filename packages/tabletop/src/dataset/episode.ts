import {
  EPISODE_RECORD_VERSION,
  VIEW_NAMES,
  type EpisodeFrame,
  type EpisodeStep,
  type Image,
  type Instruction,
  type ObjectState,
  type PromptAsset,
  type ViewName,
} from '@actllm/core';
import { encodePng } from '../image/png.js';
import type { TabletopEnv } from '../env/environment.js';
import {
  episodeDir,
  type EpisodeJob,
  type EpisodeSummary,
  type TabletopEpisodeRecord,
} from './format.js';
import { checksumFiles, writeDirAtomic } from './files.js';
import type { EpisodeSettings } from './protocol.js';
import { join } from 'node:path';

/** Collects PNG files of one episode while its record is built. */
class FrameSink {
  readonly files = new Map<string, Uint8Array>();

  frame(
    prefix: string,
    views: Readonly<Partial<Record<ViewName, Image>>>,
  ): Record<ViewName, string> {
    const paths = {} as Record<ViewName, string>;
    for (const view of VIEW_NAMES) {
      const image = views[view];
      if (!image) continue;
      const path = `${prefix}_${view}.png`;
      this.files.set(path, encodePng(image));
      paths[view] = path;
    }
    return paths;
  }
}

function instructionOnDisk(instruction: Instruction, sink: FrameSink): Instruction<string> {
  if (!instruction.assets) return { text: instruction.text };
  const assets: Record<string, PromptAsset<string>> = {};
  for (const [name, asset] of Object.entries(instruction.assets)) {
    assets[name] = {
      kind: asset.kind,
      views: sink.frame(`assets/${name}`, asset.views),
      objects: asset.objects,
    };
  }
  return { text: instruction.text, assets };
}

/**
 * Runs one oracle episode (closed loop: the oracle re-plans from ground truth every step)
 * and writes it atomically under `out`. Returns its manifest line. A step the environment
 * disturbed keeps the objects right after its action as `afterAction` (taken out of `info`).
 */
export function runEpisode(
  env: TabletopEnv,
  out: string,
  settings: EpisodeSettings,
  job: EpisodeJob,
): EpisodeSummary {
  const { partition, dynamic } = settings;
  const sink = new FrameSink();
  let obs = env.reset({ seed: job.seed, task: job.task, partition, dynamic });
  const instruction = instructionOnDisk(obs.instruction, sink);
  const steps: EpisodeStep<string>[] = [];
  let done = false;
  let outcome: TabletopEpisodeRecord['outcome'] = 'step_limit';
  while (!done) {
    const action = env.oracleAction();
    const frame: EpisodeFrame<string> = {
      views: sink.frame(`frames/${String(obs.step).padStart(3, '0')}`, obs.views),
      objects: obs.objects ?? ([] as ObjectState[]),
    };
    const result = env.step(action);
    const { afterAction, ...info } = result.info;
    steps.push({ observation: frame, action, ...(afterAction ? { afterAction } : {}), info });
    done = result.done;
    if (result.info.outcome !== 'running') outcome = result.info.outcome;
    obs = result.observation;
  }
  const final: EpisodeFrame<string> = {
    views: sink.frame(`frames/${String(obs.step).padStart(3, '0')}`, obs.views),
    objects: obs.objects ?? [],
  };
  const ep = env.episode;
  const record: TabletopEpisodeRecord = {
    version: EPISODE_RECORD_VERSION,
    id: job.id,
    task: job.task,
    partition,
    seed: job.seed,
    instruction,
    steps,
    final,
    outcome,
    goal: ep.goal,
    oracleSteps: ep.oracleSteps,
  };
  sink.files.set('record.json', Buffer.from(`${JSON.stringify(record, null, 1)}\n`));
  writeDirAtomic(join(out, episodeDir(job.task, job.id)), sink.files);
  return summarize(job, record, sink.files);
}

/** The manifest line of an episode: its job, its record and the files it was written as. */
export function summarize(
  job: EpisodeJob,
  record: TabletopEpisodeRecord,
  files: ReadonlyMap<string, Uint8Array>,
): EpisodeSummary {
  return {
    id: job.id,
    task: job.task,
    index: job.index,
    seed: job.seed,
    outcome: record.outcome,
    steps: record.steps.length,
    path: episodeDir(job.task, job.id),
    sha256: checksumFiles(files),
  };
}
