import { mkdtemp, mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EpisodeRecord } from '@actllm/core';
import { parseAssistantText } from '../src/assistant-text.js';
import { llavaImagePath, llavaSample, toLlava, type LlavaSample } from '../src/llava.js';
import { readmeEpisode, syntheticEpisode } from './fixtures.js';
import { asyncErrorCode, errorCode } from './helpers.js';

let root: string;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'dialogue-llava-'));
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

/** Writes distinct bytes for every image path of the record under `dir`. */
async function writeImages(record: EpisodeRecord<string>, dir: string): Promise<void> {
  const paths = [
    ...Object.values(record.instruction.assets ?? {}).flatMap((a) => Object.values(a.views)),
    ...[...record.steps.map((s) => s.observation), record.final].flatMap((f) =>
      Object.values(f.views),
    ),
  ];
  for (const path of paths) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), `PNG of ${record.id}/${path}`);
  }
}

describe('LLaVA export', () => {
  it('builds one multi-image sample per episode with <image> placeholders in order', () => {
    const sample = llavaSample(readmeEpisode());
    expect(sample.conversations.map((m) => m.from)).toEqual([
      'human',
      'gpt',
      'human',
      'gpt',
      'human',
      'gpt',
    ]);
    const placeholders = sample.conversations.map((m) => m.value.split('<image>').length - 1);
    expect(placeholders).toEqual([3, 0, 2, 0, 2, 0]);
    expect(sample.image).toEqual([
      'images/rearrange-000007/assets/scene_top.png',
      ...[0, 1, 2].flatMap((t) =>
        ['top', 'front'].map((v) => `images/rearrange-000007/frames/00${t}_${v}.png`),
      ),
    ]);
    for (const m of sample.conversations.filter((c) => c.from === 'gpt'))
      expect(parseAssistantText(m.value).ok).toBe(true);
  });

  it('copies the PNGs byte for byte and writes llava.json atomically', async () => {
    const records = [readmeEpisode(), syntheticEpisode(1), syntheticEpisode(2)];
    for (const r of records) await writeImages(r, join(root, 'data', r.id));
    const out = join(root, 'out');
    const result = await toLlava(
      records.map((record) => ({ record, dir: join(root, 'data', record.id) })),
      out,
      { views: ['top'] },
    );
    const json = JSON.parse(await readFile(result.file, 'utf8')) as LlavaSample[];
    expect(result.file).toBe(join(out, 'llava.json'));
    expect(json).toEqual(records.map((r) => llavaSample(r, { views: ['top'] })));
    expect(result).toMatchObject({
      samples: 3,
      images: new Set(json.flatMap((s) => s.image)).size,
    });
    for (const sample of json) {
      for (const image of sample.image) {
        const source = join(root, 'data', sample.id, image.slice(`images/${sample.id}/`.length));
        expect(await readFile(join(out, image))).toEqual(await readFile(source));
      }
    }
    expect(json[0]!.image.every((p) => !p.includes('front'))).toBe(true);
    expect((await readdir(out)).sort()).toEqual(['images', 'llava.json']);
  });

  it('fails with typed errors on missing images, repeated ids and paths outside the episode', async () => {
    const record = readmeEpisode();
    const out = join(root, 'out');
    expect(await asyncErrorCode(() => toLlava([{ record, dir: join(root, 'none') }], out))).toBe(
      'DIALOGUE_EXPORT_FAILED',
    );
    await writeImages(record, join(root, 'data'));
    const twice = [record, record].map((r) => ({ record: r, dir: join(root, 'data') }));
    expect(await asyncErrorCode(() => toLlava(twice, out))).toBe('DIALOGUE_INVALID_EPISODE');
    await expect(readFile(join(out, 'llava.json'))).rejects.toThrow();
    expect(errorCode(() => llavaImagePath('ep', '../secret.png'))).toBe('DIALOGUE_INVALID_EPISODE');
    expect(errorCode(() => llavaImagePath('ep', '/etc/x.png'))).toBe('DIALOGUE_INVALID_EPISODE');
    expect(errorCode(() => llavaImagePath('../ep', 'a.png'))).toBe('DIALOGUE_INVALID_EPISODE');
    expect(llavaImagePath('ep', 'frames/./000_top.png')).toBe('images/ep/frames/000_top.png');
    const toFile = join(root, 'file');
    await writeFile(toFile, 'not a directory');
    expect(await asyncErrorCode(() => toLlava([], toFile))).toBe('DIALOGUE_EXPORT_FAILED');
  });
});
