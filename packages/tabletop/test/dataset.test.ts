import { mkdtempSync, readdirSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isActllmError } from '@actllm/core';
import {
  decodePng,
  generateDataset,
  type GenerateProgress,
  type TabletopEpisodeRecord,
} from '../src/index.js';

const root = mkdtempSync(join(tmpdir(), 'tabletop-dataset-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Every file under a directory, path -> bytes. */
function tree(dir: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) {
      const full = join(entry.parentPath, entry.name);
      out.set(full.slice(dir.length), readFileSync(full));
    }
  }
  return out;
}

const base = {
  episodes: 2,
  seed: 11,
  tasks: ['visual_manipulation', 'rearrange', 'scene_understanding'],
} as const;

describe('generateDataset', () => {
  it('writes byte-identical datasets for one seed, in this thread or on 2 workers', async () => {
    const a = join(root, 'a');
    const b = join(root, 'b');
    const progress: GenerateProgress[] = [];
    const manifest = await generateDataset({
      ...base,
      out: a,
      workers: 0,
      onProgress: (p) => progress.push(p),
    });
    await generateDataset({ ...base, out: b, workers: 2 });
    const ta = tree(a);
    const tb = tree(b);
    expect([...tb.keys()].sort()).toEqual([...ta.keys()].sort());
    for (const [path, bytes] of ta)
      expect(bytes.equals(tb.get(path) ?? Buffer.alloc(0)), path).toBe(true);
    expect(manifest.total).toBe(6);
    expect(manifest.counts['rearrange']).toEqual({ episodes: 2, success: 2 });
    expect(progress.map((p) => p.done)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(new Set(manifest.episodes.map((e) => e.seed)).size).toBe(6);
    expect([...ta.keys()].some((p) => p.includes('.tmp-'))).toBe(false);
  });

  it('writes records whose frame paths point at decodable PNGs', () => {
    const dir = join(root, 'a', 'episodes', 'scene_understanding', 'scene_understanding-000000');
    const record = JSON.parse(
      readFileSync(join(dir, 'record.json'), 'utf8'),
    ) as TabletopEpisodeRecord;
    expect(record.version).toBe(1);
    expect(record.outcome).toBe('success');
    expect(record.steps.length).toBe(1);
    const paths = [
      ...record.steps.flatMap((s) => Object.values(s.observation.views)),
      ...Object.values(record.final.views),
      ...Object.values(record.instruction.assets ?? {}).flatMap((a) => Object.values(a.views)),
    ];
    expect(paths.length).toBe(8);
    for (const p of paths) expect(decodePng(readFileSync(join(dir, p))).width).toBeGreaterThan(0);
    expect(record.steps[0]?.action.kind).toBe('pick_place');
  });

  it('resumes: finished episodes are skipped, missing ones are made again', async () => {
    const out = join(root, 'a');
    const before = readFileSync(join(out, 'manifest.json'));
    rmSync(join(out, 'episodes', 'rearrange', 'rearrange-000001'), { recursive: true });
    const progress: GenerateProgress[] = [];
    await generateDataset({ ...base, out, workers: 1, onProgress: (p) => progress.push(p) });
    expect(progress.at(-1)?.skipped).toBe(5);
    expect(existsSync(join(out, 'episodes', 'rearrange', 'rearrange-000001', 'record.json'))).toBe(
      true,
    );
    expect(readFileSync(join(out, 'manifest.json')).equals(before)).toBe(true);
  });

  it('refuses to mix settings in one directory and rejects bad options', async () => {
    const codes: string[] = [];
    for (const options of [
      { ...base, out: join(root, 'a'), seed: 12 },
      { ...base, out: join(root, 'a'), dynamic: 'strong' as const },
      { ...base, out: join(root, 'c'), dynamic: 'wild' as never },
      { ...base, out: join(root, 'c'), episodes: -1 },
      { ...base, out: join(root, 'c'), workers: 1.5 },
      { ...base, out: join(root, 'c'), tasks: ['juggle'] },
    ]) {
      try {
        await generateDataset(options);
      } catch (e) {
        codes.push(isActllmError(e) ? e.code : 'untyped');
      }
    }
    expect(codes).toEqual([
      'TABLETOP_DATASET_MISMATCH',
      'TABLETOP_DATASET_MISMATCH',
      'TABLETOP_INVALID_OPTION',
      'TABLETOP_INVALID_OPTION',
      'TABLETOP_INVALID_OPTION',
      'TABLETOP_UNKNOWN_TASK',
    ]);
  });

  it('records dynamic episodes: perturbations in info, what each action did in afterAction', async () => {
    const out = join(root, 'dynamic');
    const manifest = await generateDataset({
      episodes: 3,
      seed: 5,
      tasks: ['rearrange'],
      dynamic: 'strong',
      out,
      workers: 0,
    });
    expect(manifest.dynamic).toBe('strong');
    let disturbed = 0;
    for (const e of manifest.episodes) {
      const record = JSON.parse(
        readFileSync(join(out, e.path, 'record.json'), 'utf8'),
      ) as TabletopEpisodeRecord;
      record.steps.forEach((step, t) => {
        const perturbation = step.info?.['perturbation'];
        expect(step.info?.['afterAction']).toBeUndefined();
        expect(step.afterAction === undefined).toBe(perturbation === null);
        if (!step.afterAction) return;
        disturbed++;
        const next = record.steps[t + 1]?.observation.objects ?? record.final.objects;
        expect(step.afterAction).not.toEqual(next);
      });
    }
    expect(disturbed).toBeGreaterThan(0);
  });
});
