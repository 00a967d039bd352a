import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Rng, isActllmError } from '@actllm/core';
import { describe, expect, it } from 'vitest';
import {
  decodeSafetensors,
  encodeSafetensors,
  readSafetensors,
  writeSafetensors,
} from '../src/index.js';
import { caught } from './fixtures/errors.js';
import { t, values } from './fixtures/eval.js';

const TENSORS = {
  weight: t([2, 2], [1.5, -2, 3.25, 0]),
  ids: t([3], [-1, 2 ** 40, 7], 'int64'),
  count: t([], [42], 'int32'),
  mask: t([2], [1, 0], 'bool'),
};

/** A file from a header object and a data buffer, as another writer might produce it. */
function file(header: unknown, data = new Uint8Array(0), headerLength?: bigint): Uint8Array {
  const json = new TextEncoder().encode(
    typeof header === 'string' ? header : JSON.stringify(header),
  );
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, headerLength ?? BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

describe('safetensors', () => {
  it('round-trips every dtype and the metadata', () => {
    const bytes = encodeSafetensors(TENSORS, { format: 'pt' });
    const back = decodeSafetensors(bytes);
    expect(back.metadata).toEqual({ format: 'pt' });
    for (const [name, tensor] of Object.entries(TENSORS)) {
      expect(back.tensors[name]?.dtype).toBe(tensor.dtype);
      expect(back.tensors[name]?.shape).toEqual(tensor.shape);
      expect(values(back.tensors[name]!)).toEqual(values(tensor));
    }
  });

  it('writes the reference layout: sorted keys, header padded with spaces to 8 bytes', () => {
    const bytes = encodeSafetensors({ b: t([1], [1]), a: t([2], [1, 2]) });
    const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect(n % 8).toBe(0);
    const header = new TextDecoder().decode(bytes.subarray(8, 8 + n));
    expect(header.trimEnd()).toBe(
      '{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}}',
    );
    expect(header.slice(header.trimEnd().length)).toMatch(/^ *$/);
    expect(Array.from(bytes.subarray(8 + n, 8 + n + 4))).toEqual([0, 0, 0x80, 0x3f]);
  });

  const data8 = new Uint8Array(8);
  it.each([
    ['a short file', new Uint8Array(4), /shorter than the 8-byte header length/],
    ['a header length beyond the file', file({}, new Uint8Array(0), 1n << 62n), /exceeds/],
    ['a header that is not JSON', file('{"a": '), /not UTF-8 JSON/],
    ['a header that is an array', file('[]'), /not a JSON object/],
    [
      'an unknown dtype',
      file({ a: { dtype: 'F16', shape: [2], data_offsets: [0, 4] } }, new Uint8Array(4)),
      /dtype "F16"/,
    ],
    [
      'a fractional dimension',
      file({ a: { dtype: 'F32', shape: [1.5], data_offsets: [0, 8] } }, data8),
      /invalid shape/,
    ],
    [
      'offsets that disagree with the shape',
      file({ a: { dtype: 'F32', shape: [3], data_offsets: [0, 8] } }, data8),
      /do not hold 3 F32/,
    ],
    [
      'offsets past the buffer',
      file({ a: { dtype: 'F32', shape: [4], data_offsets: [0, 16] } }, data8),
      /cover 16 bytes but the buffer has 8/,
    ],
    [
      'overlapping tensors',
      file(
        {
          a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] },
          b: { dtype: 'F32', shape: [1], data_offsets: [4, 8] },
        },
        data8,
      ),
      /overlaps/,
    ],
    [
      'a gap',
      file({ a: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } }, data8),
      /belong to no tensor/,
    ],
    [
      'metadata that is not strings',
      file({ __metadata__: { n: 1 } }),
      /__metadata__ must map strings to strings/,
    ],
  ] as const)('rejects %s with SAFETENSORS_INVALID', (_name, bytes, message) => {
    const e = caught(() => decodeSafetensors(bytes));
    expect(e.code).toBe('SAFETENSORS_INVALID');
    expect(e.message).toMatch(message);
  });

  it('never fails with anything but a typed error on corrupted bytes (seeded fuzz)', () => {
    const good = encodeSafetensors(TENSORS, { k: 'v' });
    const rng = new Rng(5);
    for (let i = 0; i < 1500; i++) {
      const bytes = good.slice(0, rng.bool(0.2) ? rng.int(0, good.length) : good.length);
      const flips = rng.int(1, 4);
      for (let k = 0; k < flips && bytes.length > 0; k++)
        bytes[rng.int(0, bytes.length)] = rng.int(0, 256);
      try {
        decodeSafetensors(bytes);
      } catch (error) {
        expect(isActllmError(error, 'SAFETENSORS_INVALID')).toBe(true);
      }
    }
  });

  it('writes files atomically (no temporary file left) and reads them back', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'graph-st-'));
    try {
      const path = join(dir, 'model.safetensors');
      await writeSafetensors(path, TENSORS);
      expect(readdirSync(dir)).toEqual(['model.safetensors']);
      const back = await readSafetensors(path);
      expect(values(back.tensors['weight']!)).toEqual([1.5, -2, 3.25, 0]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
