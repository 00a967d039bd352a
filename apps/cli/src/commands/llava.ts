import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EpisodeRecord } from '@actllm/core';
import { toLlava, type LlavaEpisode } from '@actllm/dialogue';
import { readManifest } from '@actllm/tabletop';
import { COMMON, required, type CommandDef } from '../command.js';
import { list, text } from '../config.js';
import { CliError } from '../errors.js';
import { fields, printResult } from '../output.js';
import { checkWritable, isEmptyOrMissing, requireDir } from '../paths.js';

/**
 * `actllm llava`: a dataset of `actllm generate` as LLaVA conversations (dialogue's
 * `toLlava`: `llava.json` and the images it names), for training a larger model with an
 * existing multimodal trainer.
 */
export const llava: CommandDef = {
  name: 'llava',
  summary:
    'write a dataset as LLaVA conversations (llava.json and its images) for existing multimodal trainers',
  specs: [
    { flags: '--data <dir>', description: 'dataset folder of actllm generate', kind: text },
    { flags: '--out <dir>', description: 'output folder (missing or empty)', kind: text },
    {
      flags: '--tasks <list>',
      description: 'only these task families (default: every one in the dataset)',
      kind: list,
    },
    ...COMMON,
  ],
  examples: `
Examples:
  $ actllm llava --data data/train --out llava/train
  $ actllm llava --data data/train --tasks visual_manipulation,rotate --out llava/vm-rotate --json
  The folder gets llava.json (one sample per episode, multi-image LLaVA layout, written
  last) and images/<episode id>/... .`,
  async run(o, io) {
    const data = required<string>(o, 'data', '--data');
    const out = required<string>(o, 'out', '--out');
    requireDir(data, '--data', 'pass a folder written by actllm generate');
    checkWritable(out);
    if (!isEmptyOrMissing(out))
      throw new CliError(
        'CLI_OUTPUT_NOT_WRITABLE',
        `--out ${out} is not empty; pass a new or empty folder.`,
      );
    const tasks = o['tasks'] as string[] | undefined;
    const chosen = readManifest(data).episodes.filter((e) => !tasks || tasks.includes(e.task));
    if (chosen.length === 0)
      throw new CliError(
        'CLI_INPUT_INVALID',
        `${data} has no episode of ${tasks?.join(', ') ?? 'any task'}; check --tasks.`,
      );
    // The records as written (frame paths, not pixels): toLlava copies the PNGs themselves.
    const episodes = function* (): Generator<LlavaEpisode> {
      for (const e of chosen) {
        const dir = join(data, e.path);
        const record = JSON.parse(
          readFileSync(join(dir, 'record.json'), 'utf8'),
        ) as EpisodeRecord<string>;
        yield { record, dir };
      }
    };
    const exported = await toLlava(episodes(), out);
    const result = { command: 'llava', out, ...exported };
    printResult(io, result, () =>
      fields([
        ['written', exported.file],
        ['samples', exported.samples],
        ['images', exported.images],
      ]),
    );
  },
};
