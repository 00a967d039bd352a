import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isActllmError } from '@actllm/core';
import {
  EpisodeDamagedError,
  generateDataset,
  openDataset,
  type DatasetManifest,
} from '../src/index.js';

const root = mkdtempSync(join(tmpdir(), 'tabletop-reader-'));
const out = join(root, 'ds');
let manifest: DatasetManifest;

beforeAll(async () => {
  manifest = await generateDataset({
    episodes: 2,
    seed: 8,
    tasks: ['visual_manipulation', 'rotate'],
    views: { top: { width: 64, height: 64 }, front: { width: 96, height: 48 } },
    out,
    workers: 0,
  });
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

function damage(path: string): () => void {
  const full = join(out, path);
  const before = readFileSync(full);
  const bytes = Buffer.from(before);
  bytes[bytes.length - 30] = (bytes[bytes.length - 30] ?? 0) ^ 0x5a;
  writeFileSync(full, bytes);
  return () => writeFileSync(full, before);
}

describe('openDataset', () => {
  it('iterates every episode in manifest order, frames decoded as images', () => {
    const ds = openDataset(out);
    expect(ds.manifest.total).toBe(4);
    const read = [...ds];
    expect(read.map((e) => e.summary.id)).toEqual(manifest.episodes.map((e) => e.id));
    for (const { record, summary } of read) {
      expect(record.id).toBe(summary.id);
      const first = record.steps[0]?.observation.views;
      expect(first?.top.width).toBe(64);
      expect(first?.front.width).toBe(96);
      expect(first?.top.data.length).toBe(64 * 64 * 3);
      expect(record.final.views.top.height).toBe(64);
      for (const asset of Object.values(record.instruction.assets ?? {})) {
        expect(asset.views.top?.width).toBe(64);
      }
      expect(record.steps[0]?.observation.objects.length).toBeGreaterThan(0);
    }
  });

  it('decodes lazily, once per frame', () => {
    const [first] = openDataset(out).episodes({ tasks: ['rotate'] });
    const views = first?.record.final.views;
    expect(first?.summary.task).toBe('rotate');
    const descriptor = views && Object.getOwnPropertyDescriptor(views, 'top');
    expect(typeof descriptor?.get).toBe('function');
    expect(views?.top).toBe(views?.top);
  });

  it('names a damaged episode in a typed error, or skips it when asked', () => {
    const victim = manifest.episodes[1];
    if (!victim) throw new Error('no episode');
    const restore = damage(`${victim.path}/frames/000_top.png`);
    try {
      let caught: unknown;
      try {
        for (const _ of openDataset(out));
      } catch (e) {
        caught = e;
      }
      expect(isActllmError(caught, 'TABLETOP_EPISODE_DAMAGED')).toBe(true);
      expect(caught).toBeInstanceOf(EpisodeDamagedError);
      expect((caught as EpisodeDamagedError).episode).toBe(victim.id);
      expect((caught as Error).message).toContain(victim.id);
      const skipped: string[] = [];
      const ids = [
        ...openDataset(out).episodes({
          skipDamaged: true,
          onSkip: (e) => skipped.push(e.episode),
        }),
      ].map((e) => e.summary.id);
      expect(skipped).toEqual([victim.id]);
      expect(ids).toEqual(manifest.episodes.filter((e) => e !== victim).map((e) => e.id));
    } finally {
      restore();
    }
    expect([...openDataset(out)].length).toBe(4);
  });

  it('reports a damaged record or a missing episode directory the same way', () => {
    const victim = manifest.episodes[0];
    if (!victim) throw new Error('no episode');
    const restore = damage(`${victim.path}/record.json`);
    try {
      expect(() => [...openDataset(out)]).toThrow(EpisodeDamagedError);
    } finally {
      restore();
    }
    // A manifest naming an episode whose directory is not there.
    const m = { ...manifest, episodes: [{ ...victim }] };
    const dir = mkdtempSync(join(root, 'm-'));
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify(m));
    const errors: string[] = [];
    for (const _ of openDataset(dir).episodes({
      skipDamaged: true,
      onSkip: (e) => errors.push(e.code),
    }));
    expect(errors).toEqual(['TABLETOP_EPISODE_DAMAGED']);
  });

  it('refuses a directory without a valid manifest with a typed error', () => {
    const empty = mkdtempSync(join(root, 'empty-'));
    const codes: string[] = [];
    for (const setup of [
      () => undefined,
      () => writeFileSync(join(empty, 'manifest.json'), '{not json'),
      () => writeFileSync(join(empty, 'manifest.json'), JSON.stringify({ format: 'other' })),
      () =>
        writeFileSync(join(empty, 'manifest.json'), JSON.stringify({ ...manifest, version: 99 })),
      () =>
        writeFileSync(
          join(empty, 'manifest.json'),
          JSON.stringify({ ...manifest, episodes: [{ id: 1 }] }),
        ),
    ]) {
      setup();
      try {
        openDataset(empty);
      } catch (e) {
        codes.push(isActllmError(e) ? e.code : 'untyped');
      }
    }
    expect(codes).toEqual(Array(5).fill('TABLETOP_DATASET_INVALID'));
  });
});
