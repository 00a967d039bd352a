import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isActllmError } from '@actllm/core';
import { ATOMIC_TEMP_PREFIX } from '@actllm/core/node';
import {
  decodePng,
  generateDataset,
  type DatasetManifest,
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
    expect([...ta.keys()].some((p) => p.includes('.tmp-') || p.includes(ATOMIC_TEMP_PREFIX))).toBe(
      false,
    );
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
    const assets = Object.keys(record.instruction.assets ?? {}).length;
    expect(assets).toBeGreaterThan(0);
    expect(paths.length).toBe(2 * (record.steps.length + 1 + assets));
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

  it('makes a slice of the episodes byte-identical to the same episodes of the whole run', async () => {
    const full = JSON.parse(
      readFileSync(join(root, 'a', 'manifest.json'), 'utf8'),
    ) as DatasetManifest;
    const whole = tree(join(root, 'a'));
    // Round-robin (every other position) and a block across a task boundary, in this thread
    // and on 2 workers.
    for (const [name, slice, workers, positions, resolved] of [
      ['odd', { from: 1, step: 2 }, 0, [1, 3, 5], { from: 1, to: 6, step: 2 }],
      ['block', { from: 1, to: 4 }, 2, [1, 2, 3], { from: 1, to: 4, step: 1 }],
    ] as const) {
      const out = join(root, `slice-${name}`);
      const progress: GenerateProgress[] = [];
      const m = await generateDataset({
        ...base,
        out,
        workers,
        slice,
        onProgress: (p) => progress.push(p),
      });
      const want = positions.map((p) => full.episodes[p]);
      expect(m.episodes).toEqual(want);
      expect(m.slice).toEqual(resolved);
      expect(m.total).toBe(3);
      expect(m.tasks).toEqual(base.tasks);
      expect(m.episodesPerTask).toBe(2);
      expect(Object.keys(m.counts)).toEqual(base.tasks);
      expect(progress.map((p) => [p.done, p.total])).toEqual([
        [1, 3],
        [2, 3],
        [3, 3],
      ]);
      const part = tree(out);
      expect(part.get('/dataset.json')?.equals(whole.get('/dataset.json') ?? Buffer.alloc(0))).toBe(
        true,
      );
      const episodeFiles = [...part.keys()].filter((k) => k.startsWith('/episodes/'));
      expect(episodeFiles.length).toBeGreaterThan(0);
      expect(new Set(episodeFiles.map((k) => k.split('/').slice(0, 4).join('/')))).toEqual(
        new Set(want.map((e) => `/${e?.path}`)),
      );
      for (const k of episodeFiles)
        expect(part.get(k)?.equals(whole.get(k) ?? Buffer.alloc(0)), k).toBe(true);
    }
    // A slice resumes like a whole run: the missing episode is made again, the rest skipped.
    const out = join(root, 'slice-odd');
    const before = readFileSync(join(out, 'manifest.json'));
    rmSync(join(out, 'episodes', 'rearrange', 'rearrange-000001'), { recursive: true });
    const progress: GenerateProgress[] = [];
    await generateDataset({
      ...base,
      out,
      workers: 0,
      slice: { from: 1, step: 2 },
      onProgress: (p) => progress.push(p),
    });
    expect(progress.at(-1)).toMatchObject({ done: 3, total: 3, skipped: 2 });
    expect(readFileSync(join(out, 'manifest.json')).equals(before)).toBe(true);
    expect(tree(out).get('/episodes/rearrange/rearrange-000001/record.json')).toEqual(
      whole.get('/episodes/rearrange/rearrange-000001/record.json'),
    );
  });

  it('rejects a bad slice before writing anything', async () => {
    const out = join(root, 'bad-slice');
    const codes: string[] = [];
    for (const slice of [
      null,
      [1],
      { start: 0 },
      { from: 1.5 },
      { from: -1 },
      { from: 6 },
      { from: 2, to: 2 },
      { to: 0 },
      { to: 7 },
      { step: 0 },
      { step: Infinity },
    ]) {
      try {
        await generateDataset({ ...base, out, slice: slice as never });
        codes.push('none');
      } catch (e) {
        codes.push(isActllmError(e) ? e.code : 'untyped');
      }
    }
    expect(codes).toEqual(Array.from({ length: 11 }, () => 'TABLETOP_INVALID_OPTION'));
    expect(existsSync(out)).toBe(false);
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
      { ...base, out: join(root, 'c'), episodes: 0 },
      { ...base, out: join(root, 'c'), tasks: ['rearrange', 'rotate', 'rearrange'] },
      { ...base, out: join(root, 'c'), tasks: [] },
      { ...base, out: join(root, 'c'), views: { top: { width: 0, height: 64 } } },
      { ...base, out: join(root, 'c'), physics: { pushSpeed: 0 } },
      { ...base, out: join(root, 'c'), shards: 2 } as never,
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
      'TABLETOP_INVALID_OPTION',
      'TABLETOP_INVALID_OPTION',
      'TABLETOP_INVALID_OPTION',
      'TABLETOP_INVALID_OPTION',
      'TABLETOP_INVALID_OPTION',
      'TABLETOP_INVALID_OPTION',
    ]);
    // Nothing was written for the refused runs: a corrected run is not blocked.
    expect(existsSync(join(root, 'c', 'dataset.json'))).toBe(false);
  });

  it('lets a run refused for bad views be corrected in the same directory', async () => {
    const out = join(root, 'views');
    const options = { episodes: 1, seed: 3, tasks: ['rotate'], out, workers: 0 };
    await expect(
      generateDataset({ ...options, views: { top: { width: 64, height: 2 } } }),
    ).rejects.toMatchObject({ code: 'TABLETOP_INVALID_OPTION' });
    const m = await generateDataset({ ...options, views: { top: { width: 64, height: 64 } } });
    expect(m.views.top).toEqual({ width: 64, height: 64 });
  });

  it('rejects the promise when onProgress throws, in this thread and with workers', async () => {
    for (const workers of [0, 2]) {
      const out = join(root, `progress-${workers}`);
      let calls = 0;
      const run = generateDataset({
        episodes: 2,
        seed: 4,
        tasks: ['rotate'],
        out,
        workers,
        onProgress: () => {
          calls++;
          throw new Error('callback bug');
        },
      });
      await expect(run).rejects.toMatchObject({ code: 'TABLETOP_CALLBACK_FAILED' });
      expect(calls).toBe(1);
      expect(existsSync(join(out, 'manifest.json'))).toBe(false);
    }
    // The process is still here, and the interrupted runs resume.
    const m = await generateDataset({
      episodes: 2,
      seed: 4,
      tasks: ['rotate'],
      out: join(root, 'progress-2'),
      workers: 0,
    });
    expect(m.total).toBe(2);
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

  it('resumes against stored checksums: damaged, incomplete and unfinished episodes are made again', async () => {
    const out = join(root, 'resume');
    const options = { episodes: 2, seed: 21, tasks: ['rotate', 'rearrange'], out, workers: 0 };
    await generateDataset(options);
    const original = tree(out);
    const ep = (task: string, i: number): string =>
      join(out, 'episodes', task, `${task}-00000${i}`);
    // A flipped byte in a frame, a missing frame, a leftover temporary directory.
    const frame = join(ep('rotate', 0), 'frames', '000_top.png');
    const bytes = readFileSync(frame);
    bytes[bytes.length - 20] = (bytes[bytes.length - 20] ?? 0) ^ 0xff;
    writeFileSync(frame, bytes);
    rmSync(join(ep('rearrange', 1), 'frames', '000_front.png'));
    // A temporary of a crashed writer (pid 1 on another host, so core's own cleanup keeps it).
    const leftover = join(
      out,
      'episodes',
      'rotate',
      `${ATOMIC_TEMP_PREFIX}1-0-elsewhere-ab12-rotate-000001`,
    );
    mkdirSync(leftover);
    writeFileSync(join(leftover, 'x'), 'half');
    const progress: GenerateProgress[] = [];
    await generateDataset({ ...options, onProgress: (p) => progress.push(p) });
    expect(progress.at(-1)?.skipped).toBe(2);
    const after = tree(out);
    expect([...after.keys()].sort()).toEqual([...original.keys()].sort());
    for (const [path, b] of original)
      expect(b.equals(after.get(path) ?? Buffer.alloc(0)), path).toBe(true);
    // An interrupted run: no manifest, and the journal lost its last line. The episode whose
    // checksum is stored is kept; those without one are made again (to the same bytes).
    const manifest = JSON.parse(
      readFileSync(join(out, 'manifest.json'), 'utf8'),
    ) as DatasetManifest;
    rmSync(join(out, 'manifest.json'));
    writeFileSync(
      join(out, 'journal.jsonl'),
      `${JSON.stringify(manifest.episodes[0])}\n{"id": "to`,
    );
    progress.length = 0;
    await generateDataset({ ...options, onProgress: (p) => progress.push(p) });
    expect(progress.at(-1)?.skipped).toBe(1);
    expect(existsSync(join(out, 'journal.jsonl'))).toBe(false);
    const final = tree(out);
    for (const [path, b] of original)
      expect(b.equals(final.get(path) ?? Buffer.alloc(0)), path).toBe(true);
  });
});
