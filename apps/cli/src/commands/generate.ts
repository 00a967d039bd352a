import { join } from 'node:path';
import {
  INTENSITIES,
  assertTaskInPartition,
  generateDataset,
  getTask,
  getPartition,
  partitionTasks,
  type DatasetManifest,
  type Intensity,
} from '@actllm/tabletop';
import { COMMON, required, type CommandDef } from '../command.js';
import { choice, integer, list, shard, text, views, type Shard } from '../config.js';
import { fields, printResult, table, duration } from '../output.js';
import { checkWritable, makeDir, writeJsonAtomic } from '../paths.js';
import { createBar } from '../progress.js';
import { shardSize, shardSlice, shardText } from '../shard.js';

/**
 * `shard.json`, written next to a generate shard's dataset: which part of which dataset it
 * is. `actllm merge` reads it to put the shards back together.
 */
export const GENERATE_SHARD_FILE = 'shard.json';
export const GENERATE_SHARD_FORMAT = 'actllm-generate-shard';

export interface GenerateShardInfo {
  readonly format: typeof GENERATE_SHARD_FORMAT;
  /** 2: split by episode (`slice`); 1 (earlier versions, still merged): split by task. */
  readonly version: 2;
  readonly shard: Shard;
  /** Every task of the whole dataset, in its order. */
  readonly tasks: readonly string[];
  readonly partition: string;
  readonly episodesPerTask: number;
  readonly seed: number;
  readonly dynamic: Intensity;
  /**
   * This shard's episodes: the positions `from`, `from + step`, ... below `to` of the whole
   * dataset's order (task by task, index by index), as given to `generateDataset`; absent
   * when the shard got none.
   */
  readonly slice?: { readonly from: number; readonly to: number; readonly step: number };
  /** How many episodes the shard holds. */
  readonly episodes: number;
  /** The shard's dataset.json and manifest.json (absent when the shard got no episode). */
  readonly hasDataset: boolean;
}

/**
 * The split: the unit of a shard is an episode. Episode `(task t, index i)` is position
 * `p = t * episodes + i` of the whole dataset and goes to shard `(p mod N) + 1` (round-robin,
 * as eval's episodes: every shard gets a mix of every task), which is tabletop's slice
 * `{ from: K - 1, step: N }`. Episode seeds are `deriveSeed(seed, task, partition, index)`,
 * independent of the shard count, and so are the episode files; `merge` puts them back in
 * the dataset's order and rebuilds the manifest of the whole dataset.
 */
export function generateShardSlice(
  tasks: readonly string[],
  episodes: number,
  s: Shard | undefined,
): GenerateShardInfo['slice'] {
  return shardSlice(tasks.length * episodes, s);
}

export const generate: CommandDef = {
  name: 'generate',
  summary: 'generate a dataset of oracle episodes (tabletop generateDataset)',
  specs: [
    {
      flags: '--out <dir>',
      description: 'dataset folder (created; an interrupted run resumes)',
      kind: text,
    },
    {
      flags: '--partition <name>',
      description: 'train, L1, L2, L3 or L4',
      kind: text,
      default: 'train',
    },
    {
      flags: '--tasks <list>',
      description: 'comma-separated task families, or all (every task of the partition)',
      kind: list,
      default: ['all'],
    },
    { flags: '--episodes <n>', description: 'episodes per task', kind: integer(1, 1_000_000) },
    { flags: '--seed <n>', description: 'dataset seed', kind: integer(0), default: 1 },
    {
      flags: '--dynamic <mode>',
      description: 'perturbations between steps: none, mild or strong',
      kind: choice(INTENSITIES),
      default: 'none',
    },
    {
      flags: '--workers <n>',
      description: 'worker threads (0: in this thread)',
      kind: integer(0, 64),
      default: 1,
    },
    {
      flags: '--views <sizes>',
      description: 'image sizes, e.g. top=64x64,front=128x64',
      kind: views,
    },
    {
      flags: '--shard <K/N>',
      description:
        'make only shard K of N (split by episode, round-robin); merge them with actllm merge',
      kind: shard,
    },
    ...COMMON,
  ],
  examples: `
Examples:
  $ actllm generate --out data/train --tasks visual_manipulation,rotate --episodes 100 --seed 1
  $ actllm generate --out data/shard-3 --tasks all --episodes 200 --shard 3/8   # one of 8 jobs
  $ actllm merge data/shard-* --out data/train                                  # then join them`,
  async run(o, io) {
    const out = required<string>(o, 'out', '--out');
    const episodes = required<number>(o, 'episodes', '--episodes');
    const partition = o['partition'] as string;
    getPartition(partition);
    const given = o['tasks'] as string[];
    const tasks = given.length === 1 && given[0] === 'all' ? partitionTasks(partition) : given;
    for (const t of tasks) {
      getTask(t);
      assertTaskInPartition(t, partition);
    }
    const s = o['shard'] as Shard | undefined;
    const slice = generateShardSlice(tasks, episodes, s);
    const mine = shardSize(tasks.length * episodes, s);
    const seed = o['seed'] as number;
    const dynamic = o['dynamic'] as Intensity;
    checkWritable(out);
    const started = performance.now();
    let manifest: DatasetManifest | undefined;
    if (mine > 0) {
      const bar = createBar(
        io,
        mine,
        'generate |{bar}| {value}/{total} episodes | {skipped} found on disk | ETA {eta_formatted}',
        { skipped: 0 },
      );
      try {
        manifest = await generateDataset({
          partition,
          tasks,
          episodes,
          seed,
          workers: o['workers'] as number,
          out,
          dynamic,
          ...(o['views'] ? { views: o['views'] } : {}),
          ...(slice ? { slice } : {}),
          onProgress: (p) => bar.update(p.done, { skipped: p.skipped }),
        });
      } finally {
        bar.stop();
      }
    }
    if (s) {
      makeDir(out);
      const info: GenerateShardInfo = {
        format: GENERATE_SHARD_FORMAT,
        version: 2,
        shard: s,
        tasks,
        partition,
        episodesPerTask: episodes,
        seed,
        dynamic,
        ...(slice ? { slice } : {}),
        episodes: mine,
        hasDataset: manifest !== undefined,
      };
      writeJsonAtomic(join(out, GENERATE_SHARD_FILE), info);
    }
    const seconds = (performance.now() - started) / 1000;
    const counts = manifest?.counts ?? {};
    const result = {
      command: 'generate',
      out,
      partition,
      seed,
      dynamic,
      shard: s ?? null,
      tasks,
      episodesPerTask: episodes,
      total: manifest?.total ?? 0,
      counts,
      seconds: Math.round(seconds * 10) / 10,
    };
    printResult(io, result, () => {
      const rows = Object.entries(counts).map(([task, c]) => [task, c.episodes, c.success]);
      return [
        fields([
          ['dataset', out],
          ['partition', partition],
          ['seed', seed],
          ['dynamic', dynamic],
          ['shard', shardText(s)],
          ['episodes', `${result.total} in ${duration(seconds)}`],
        ]),
        '',
        rows.length
          ? table(['task', 'episodes', 'success'], rows)
          : `shard ${shardText(s)} has no episode (${tasks.length * episodes} episodes for ${s?.count ?? 1} shards); it only records its place for merge.`,
      ].join('\n');
    });
  },
};
