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

  it('writes the reference layout: metadata, then data by element size and name, aligned', () => {
    const bytes = encodeSafetensors(
      { b: t([1], [1]), a: t([2], [1, 2]), m: t([3], [1, 0, 1], 'bool'), z: t([1], [7], 'int64') },
      { format: 'pt' },
    );
    const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect(n % 8).toBe(0);
    const header = new TextDecoder().decode(bytes.subarray(8, 8 + n));
    expect(header.trimEnd()).toBe(
      '{"__metadata__":{"format":"pt"},' +
        '"z":{"dtype":"I64","shape":[1],"data_offsets":[0,8]},' +
        '"a":{"dtype":"F32","shape":[2],"data_offsets":[8,16]},' +
        '"b":{"dtype":"F32","shape":[1],"data_offsets":[16,20]},' +
        '"m":{"dtype":"BOOL","shape":[3],"data_offsets":[20,23]}}',
    );
    expect(header.slice(header.trimEnd().length)).toMatch(/^ *$/);
    // The int64 starts the 8-aligned data buffer; the first float32 follows it.
    expect(Array.from(bytes.subarray(8 + n, 8 + n + 8))).toEqual([7, 0, 0, 0, 0, 0, 0, 0]);
    expect(Array.from(bytes.subarray(8 + n + 8, 8 + n + 12))).toEqual([0, 0, 0x80, 0x3f]);
  });

  it('keeps every tensor at an offset that is a multiple of its element size', () => {
    const rng = new Rng(3);
    const dtypes = ['float32', 'int32', 'int64', 'bool'] as const;
    const tensors = Object.fromEntries(
      Array.from({ length: 12 }, (_, i) => {
        const size = rng.int(1, 6);
        const dtype = dtypes[rng.int(0, 4)]!;
        return [
          `t${i}`,
          t(
            [size],
            Array.from({ length: size }, (_, k) => k % 2),
            dtype,
          ),
        ];
      }),
    );
    const bytes = encodeSafetensors(tensors);
    const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n))) as Record<
      string,
      { dtype: string; data_offsets: [number, number] }
    >;
    const size: Record<string, number> = { F32: 4, I32: 4, I64: 8, BOOL: 1 };
    for (const info of Object.values(header))
      expect((8 + n + info.data_offsets[0]) % size[info.dtype]!).toBe(0);
  });

  it('returns null-prototype results: a tensor named __proto__ is just a tensor', () => {
    const named = Object.fromEntries([
      ['__proto__', t([1], [5])],
      ['constructor', t([1], [6])],
    ]);
    const bytes = encodeSafetensors(named);
    const back = decodeSafetensors(bytes);
    expect(Object.getPrototypeOf(back.tensors)).toBeNull();
    expect(Object.getPrototypeOf(back.metadata)).toBeNull();
    expect(Object.keys(back.tensors).sort()).toEqual(['__proto__', 'constructor']);
    expect(values(back.tensors['__proto__']!)).toEqual([5]);
    expect(({} as Record<string, unknown>)['dtype']).toBeUndefined();
  });

  it.each([
    ['a plain array', { a: [1, 2] }, /not a tensor/],
    [
      'data shorter than its shape',
      { a: { dtype: 'float32', shape: [4], data: new Float32Array(1) } },
      /holds 1 elements/,
    ],
    [
      'data of another dtype',
      { a: { dtype: 'int64', shape: [1], data: new Float32Array(1) } },
      /BigInt64Array/,
    ],
    [
      'an unknown dtype',
      { a: { dtype: 'float16', shape: [1], data: new Uint16Array(1) } },
      /float16/,
    ],
    ['a tensor named __metadata__', { __metadata__: t([1], [1]) }, /__metadata__/],
    ['an empty name', { '': t([1], [1]) }, /non-empty/],
  ] as const)('the writer refuses %s', (_name, tensors, message) => {
    const e = caught(() => encodeSafetensors(tensors as never));
    expect(e.code).toBe('SAFETENSORS_INVALID');
    expect(e.message).toMatch(message);
  });

  it('the writer refuses metadata that is not strings, and non-objects', () => {
    expect(caught(() => encodeSafetensors({}, { n: 1 } as never)).code).toBe('SAFETENSORS_INVALID');
    expect(caught(() => encodeSafetensors([] as never)).code).toBe('GRAPH_INVALID_ARGUMENT');
    expect(caught(() => decodeSafetensors('abc' as never)).code).toBe('GRAPH_INVALID_ARGUMENT');
  });

  it('refuses a header that names a tensor twice', () => {
    const entry = '{"dtype":"F32","shape":[1],"data_offsets":[0,4]}';
    const e = caught(() =>
      decodeSafetensors(file(`{"a":${entry},"a":${entry}}`, new Uint8Array(4))),
    );
    expect(e.code).toBe('SAFETENSORS_INVALID');
    expect(e.message).toMatch(/names "a" twice/);
    // Keys repeated inside an entry or as string values do not count.
    const ok = file(`{"__metadata__":{"a":"a,\\"a\\":"},"a":${entry}}`, new Uint8Array(4));
    expect(Object.keys(decodeSafetensors(ok).tensors)).toEqual(['a']);
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
      // A refused tensor leaves the good checkpoint in place.
      const bad = { w: { dtype: 'float32', shape: [4], data: new Float32Array(1) } } as never;
      await expect(writeSafetensors(path, bad)).rejects.toMatchObject({
        code: 'SAFETENSORS_INVALID',
      });
      expect(Object.keys((await readSafetensors(path)).tensors)).toHaveLength(4);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('wraps file-system errors in typed errors that name the file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'graph-st-'));
    try {
      const missing = join(dir, 'nope.safetensors');
      const read = await readSafetensors(missing).catch(
        (e: unknown) => e as Error & { code: string },
      );
      expect(read).toMatchObject({ code: 'SAFETENSORS_IO' });
      expect((read as Error).message).toBe(`Could not read ${missing}: no such file.`);
      const into = join(dir, 'no-folder', 'm.safetensors');
      const write = await writeSafetensors(into, TENSORS).catch((e: unknown) => e as Error);
      expect(write).toMatchObject({ code: 'SAFETENSORS_IO' });
      expect((write as Error).message).toContain(into);
      expect((write as Error).message).not.toMatch(/actllm-tmp|\.tmp\b/);
      await expect(readSafetensors(42 as never)).rejects.toMatchObject({
        code: 'GRAPH_INVALID_ARGUMENT',
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
