import { cpSync, existsSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { writeFileAtomicSync } from '@actllm/core/node';
import {
  countEpisodes,
  episodeId,
  openDataset,
  type DatasetConfig,
  type DatasetManifest,
  type EpisodeSummary,
} from '@actllm/tabletop';
import { COMMON, required, type CommandDef } from '../command.js';
import { text } from '../config.js';
import { CliError, usage } from '../errors.js';
import {
  EVAL_INFO_FILE,
  EVAL_INFO_FORMAT,
  buildEvalInfo,
  canonicalHeader,
  episodeList,
  jobKey,
  type EpisodeEntry,
  type EvalInfo,
} from '../eval-info.js';
import { fields, printResult, type Io } from '../output.js';
import { checkWritable, isEmptyOrMissing, makeDir, writeJsonAtomic } from '../paths.js';
import { inShard, shardProblem, shardText } from '../shard.js';
import {
  GENERATE_SHARD_FILE,
  GENERATE_SHARD_FORMAT,
  generateShardSlice,
  type GenerateShardInfo,
} from './generate.js';
import { evalSummaryText } from './eval.js';

function readJson(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new CliError(
      'CLI_INPUT_INVALID',
      `${path} cannot be read as JSON (${(error as Error).message}); run the shard again.`,
    );
  }
}

type Kind = 'generate' | 'eval';

function kindOf(dir: string): Kind {
  if (!existsSync(dir))
    throw new CliError(
      'CLI_INPUT_NOT_FOUND',
      `${dir} does not exist; pass the --out folders of the shards.`,
    );
  if (existsSync(join(dir, GENERATE_SHARD_FILE))) return 'generate';
  if (existsSync(join(dir, EVAL_INFO_FILE))) return 'eval';
  throw new CliError(
    'CLI_INPUT_INVALID',
    `${dir} holds neither ${GENERATE_SHARD_FILE} (actllm generate --shard) nor ${EVAL_INFO_FILE} (actllm eval --shard --out); pass shard output folders.`,
  );
}

/** The same value in every shard, or a clear refusal naming the field. */
function agree<T>(values: readonly T[], what: string): T {
  const first = JSON.stringify(values[0]);
  if (values.some((v) => JSON.stringify(v) !== first))
    throw usage(
      `the shards differ in ${what}; merge only shards of one run (same options but --shard).`,
    );
  return values[0] as T;
}

/** A sibling temporary folder, renamed onto `out` once complete. */
function assemble(out: string, build: (dir: string) => void): void {
  if (!isEmptyOrMissing(out))
    throw new CliError(
      'CLI_OUTPUT_NOT_WRITABLE',
      `--out ${out} already exists and is not empty; pass a new folder or remove it.`,
    );
  checkWritable(out);
  makeDir(dirname(resolve(out)));
  const temp = join(dirname(resolve(out)), `.${basename(out)}.merging-${process.pid}`);
  rmSync(temp, { recursive: true, force: true });
  try {
    makeDir(temp);
    build(temp);
    rmSync(out, { recursive: true, force: true });
    renameSync(temp, out);
  } catch (error) {
    rmSync(temp, { recursive: true, force: true });
    throw error;
  }
}

/** A shard record of an earlier actllm, which split a dataset by task (still merged). */
type GenerateShardInfoV1 = Omit<GenerateShardInfo, 'version' | 'slice' | 'episodes'> & {
  readonly version: 1;
  /** The tasks `i` of `tasks` with `i mod N = K - 1`: every episode of each. */
  readonly shardTasks: readonly string[];
};

type ShardRecord = GenerateShardInfo | GenerateShardInfoV1;

function readShardRecord(dir: string): ShardRecord {
  const info = readJson(join(dir, GENERATE_SHARD_FILE)) as ShardRecord;
  if (
    info?.format !== GENERATE_SHARD_FORMAT ||
    (info.version !== 1 && info.version !== 2) ||
    typeof info.shard !== 'object' ||
    !Array.isArray(info.tasks) ||
    !Number.isInteger(info.episodesPerTask) ||
    info.episodesPerTask < 1
  )
    throw new CliError(
      'CLI_INPUT_INVALID',
      `${dir}/${GENERATE_SHARD_FILE} is not a generate shard record of version 1 or 2.`,
    );
  return info;
}

/**
 * The ids of the episodes a shard holds, in the dataset's order: version 2, the positions of
 * its slice (round-robin by episode); version 1, every episode of its tasks. The record must
 * say what `generate --shard` would have made for its K/N, so a hand-edited one is refused.
 */
function shardEpisodeIds(dir: string, info: ShardRecord): string[] {
  const perTask = info.episodesPerTask;
  if (info.version === 1) {
    const want = info.tasks.filter((_, i) => inShard(i, info.shard));
    if (JSON.stringify(info.shardTasks) !== JSON.stringify(want))
      throw new CliError(
        'CLI_INPUT_INVALID',
        `${dir}/${GENERATE_SHARD_FILE} names other tasks than shard ${shardText(info.shard)} has; run the shard again.`,
      );
    return want.flatMap((t) => Array.from({ length: perTask }, (_, i) => episodeId(t, i)));
  }
  const slice = generateShardSlice(info.tasks, perTask, info.shard);
  if (JSON.stringify(info.slice) !== JSON.stringify(slice))
    throw new CliError(
      'CLI_INPUT_INVALID',
      `${dir}/${GENERATE_SHARD_FILE} names other episodes than shard ${shardText(info.shard)} has; run the shard again.`,
    );
  const out: string[] = [];
  if (slice)
    for (let p = slice.from; p < slice.to; p += slice.step)
      out.push(episodeId(info.tasks[Math.floor(p / perTask)] as string, p % perTask));
  return out;
}

/**
 * Generate shards: every shard's episodes are checked against its manifest's checksums and
 * against what its shard.json says it holds, then copied, put back in the dataset's order
 * (task by task, index by index) and given the manifest of the whole dataset (tabletop's
 * field order: dataset.json's settings, tasks, episodesPerTask, total, counts, episodes), so
 * the merged folder equals an unsharded `generate` byte for byte.
 */
function mergeDatasets(dirs: readonly string[], out: string): Record<string, unknown> {
  const infos = dirs.map(readShardRecord);
  const problem = shardProblem(infos.map((i) => i.shard));
  if (problem) throw new CliError('CLI_INPUT_NOT_FOUND', `${problem}; pass every shard's folder.`);
  agree(
    infos.map((i) => i.version),
    'shard.json version (made by different actllm versions)',
  );
  const tasks = agree(
    infos.map((i) => i.tasks),
    'tasks',
  );
  agree(
    infos.map((i) => [i.partition, i.seed, i.episodesPerTask, i.dynamic]),
    'partition, seed, episodes or dynamic mode',
  );
  const perTask = (infos[0] as ShardRecord).episodesPerTask;
  const withData = dirs.filter((_, i) => infos[i]?.hasDataset);
  const datasetJson = agree(
    withData.map((d) => readFileSync(join(d, 'dataset.json'), 'utf8')),
    'dataset.json (views or physics)',
  );
  const byId = new Map<string, { dir: string; episode: EpisodeSummary }>();
  dirs.forEach((dir, i) => {
    const info = infos[i] as ShardRecord;
    const want = shardEpisodeIds(dir, info);
    const held: EpisodeSummary[] = [];
    if (info.hasDataset) {
      const dataset = openDataset(dir);
      // Reading every episode checks its files against the manifest's SHA-256.
      for (const _episode of dataset) void _episode;
      held.push(...dataset.manifest.episodes);
    }
    if (JSON.stringify(held.map((e) => e.id)) !== JSON.stringify(want))
      throw new CliError(
        'CLI_INPUT_INVALID',
        `${dir}/manifest.json does not list the ${want.length} episodes of shard ${shardText(info.shard)} (it lists ${held.length}); run the shard again.`,
      );
    for (const episode of held) byId.set(episode.id, { dir, episode });
  });
  const order = tasks.flatMap((t) =>
    Array.from({ length: perTask }, (_, index) => episodeId(t, index)),
  );
  // The shards of one K/N split the dataset by construction; checked all the same.
  if (byId.size !== order.length || !order.every((id) => byId.has(id)))
    throw new CliError(
      'CLI_INPUT_NOT_FOUND',
      `the shards hold ${byId.size} of the dataset's ${order.length} episodes; run the shards again.`,
    );
  const sources = order.map((id) => byId.get(id) as { dir: string; episode: EpisodeSummary });
  const episodes = sources.map((s) => s.episode);
  const counts = countEpisodes(tasks, episodes);
  const manifest: DatasetManifest = {
    ...(JSON.parse(datasetJson) as DatasetConfig),
    tasks,
    episodesPerTask: perTask,
    total: episodes.length,
    counts,
    episodes,
  };
  assemble(out, (temp) => {
    writeFileAtomicSync(join(temp, 'dataset.json'), datasetJson);
    for (const { dir, episode } of sources)
      cpSync(join(dir, episode.path), join(temp, episode.path), { recursive: true });
    writeFileAtomicSync(join(temp, 'manifest.json'), `${JSON.stringify(manifest, null, 1)}\n`);
  });
  return { kind: 'generate', shards: dirs.length, tasks: tasks.length, episodes: episodes.length };
}

/** Eval shards: episodes joined, sorted canonically, summaries recomputed. */
function mergeEvals(dirs: readonly string[], out: string): Record<string, unknown> {
  const infos = dirs.map((d) => {
    const info = readJson(join(d, EVAL_INFO_FILE)) as EvalInfo;
    if (info?.format !== EVAL_INFO_FORMAT || info.version !== 1 || !Array.isArray(info.per_episode))
      throw new CliError(
        'CLI_INPUT_INVALID',
        `${d}/${EVAL_INFO_FILE} is not an actllm eval record of version 1.`,
      );
    if (!info.shard)
      throw usage(
        `${d}/${EVAL_INFO_FILE} is a whole run, not a shard; merge the outputs of eval --shard K/N.`,
      );
    return info;
  });
  const problem = shardProblem(infos.map((i) => i.shard as NonNullable<EvalInfo['shard']>));
  if (problem) throw new CliError('CLI_INPUT_NOT_FOUND', `${problem}; pass every shard's folder.`);
  const header = agree(
    infos.map(canonicalHeader),
    'their settings (agent, checkpoint, levels, modes, tasks, episodes, seed, views)',
  );
  const expected = episodeList(header);
  const episodes: EpisodeEntry[] = infos.flatMap((i) => i.per_episode);
  const keys = new Set(episodes.map(jobKey));
  if (
    keys.size !== episodes.length ||
    keys.size !== expected.length ||
    !expected.every((j) => keys.has(jobKey(j)))
  )
    throw new CliError(
      'CLI_INPUT_INVALID',
      `the shards hold ${episodes.length} episodes (${keys.size} distinct) where the run has ${expected.length}; run the incomplete shard again.`,
    );
  const merged = buildEvalInfo(header, episodes);
  assemble(out, (temp) => writeJsonAtomic(join(temp, EVAL_INFO_FILE), merged));
  return {
    kind: 'eval',
    shards: dirs.length,
    episodes: episodes.length,
    overall: merged.overall,
    summary: evalSummaryText(merged),
  };
}

export const merge: CommandDef = {
  name: 'merge',
  args: '<dir...>',
  summary: 'join the shard outputs of generate --shard or eval --shard into one',
  specs: [
    {
      flags: '--out <dir>',
      description: 'the merged dataset or evaluation folder (must not exist)',
      kind: text,
    },
    ...COMMON,
  ],
  examples: `
Examples:
  $ actllm merge data/shard-1 data/shard-2 data/shard-3 --out data/train     # a dataset
  $ actllm merge eval/shard-* --out eval/all                                 # eval_info.json`,
  run(o, io, dirs) {
    return Promise.resolve().then(() => mergeCommand(o, io, dirs));
  },
};

function mergeCommand(o: Record<string, unknown>, io: Io, dirs: string[]): void {
  const out = required<string>(o, 'out', '--out');
  if (dirs.length === 0)
    throw usage('merge needs the shard folders: actllm merge <dir...> --out <dir>.');
  const kinds = new Set(dirs.map(kindOf));
  if (kinds.size > 1)
    throw usage('the folders mix dataset shards and eval shards; merge one kind at a time.');
  const kind = [...kinds][0] as Kind;
  const result = kind === 'generate' ? mergeDatasets(dirs, out) : mergeEvals(dirs, out);
  const { summary, ...rest } = result;
  printResult(io, { command: 'merge', out, ...rest }, () =>
    [
      fields([
        ['merged', `${String(result['shards'])} ${kind} shards into ${out}`],
        ['episodes', result['episodes']],
      ]),
      ...(typeof summary === 'string' ? ['', summary] : []),
    ].join('\n'),
  );
}
