import { describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { actllm, errorLine, generateTiny, json, tempDir } from './helpers.js';

describe('actllm llava', () => {
  it('writes a dataset as LLaVA conversations whose images exist', () => {
    const dir = tempDir();
    const data = join(dir, 'data');
    const out = join(dir, 'llava');
    generateTiny(data, 'visual_manipulation,rotate', 1);
    const result = json<{ samples: number; images: number; file: string }>(
      actllm(['llava', '--data', data, '--tasks', 'rotate', '--out', out, '--json']),
    );
    expect(result.samples).toBe(1);
    const samples = JSON.parse(readFileSync(join(out, 'llava.json'), 'utf8')) as {
      id: string;
      image: string[];
      conversations: { from: string; value: string }[];
    }[];
    expect(samples.map((s) => s.id)).toEqual(['rotate-000000']);
    const [sample] = samples;
    expect(sample?.image.length).toBe(result.images);
    for (const image of sample?.image ?? []) expect(existsSync(join(out, image)), image).toBe(true);
    expect(sample?.conversations[0]?.from).toBe('human');
    expect(sample?.conversations[1]?.value).toContain('<act>');
  }, 120_000);

  it('refuses a missing dataset (3) and a non-empty output folder (4), writing nothing', () => {
    const dir = tempDir();
    const missing = actllm(['llava', '--data', join(dir, 'nope'), '--out', join(dir, 'o')]);
    expect(missing.status).toBe(3);
    expect(errorLine(missing).message).toContain('--data');
    expect(existsSync(join(dir, 'o'))).toBe(false);
    const data = join(dir, 'data');
    generateTiny(data, 'rotate', 1);
    const full = join(dir, 'full');
    mkdirSync(full);
    writeFileSync(join(full, 'keep.txt'), 'mine');
    const refused = actllm(['llava', '--data', data, '--out', full]);
    expect(refused.status).toBe(4);
    expect(readFileSync(join(full, 'keep.txt'), 'utf8')).toBe('mine');
    expect(existsSync(join(full, 'llava.json'))).toBe(false);
  }, 120_000);
});
