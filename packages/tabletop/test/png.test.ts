import { deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { isActllmError } from '@actllm/core';
import { PNG_MAX_PIXELS, crc32, decodePng, encodePng } from '../src/index.js';

function pngFrom(width: number, height: number, colourType: number, raw: Buffer): Buffer {
  const chunk = (type: string, data: Buffer): Buffer => {
    const out = Buffer.alloc(12 + data.length);
    out.writeUInt32BE(data.length, 0);
    out.write(type, 4, 'latin1');
    data.copy(out, 8);
    out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
    return out;
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, colourType, 0, 0, 0], 8);
  return Buffer.concat([
    Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

describe('png', () => {
  it('computes the standard CRC-32 check value', () => {
    expect(crc32(Buffer.from('123456789'))).toBe(0xcbf43926);
  });

  it('round-trips an RGB image byte for byte, deterministically', () => {
    const data = new Uint8Array(7 * 5 * 3).map((_, i) => (i * 37) % 256);
    const image = { width: 7, height: 5, data };
    const png = encodePng(image);
    expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
    expect(decodePng(png)).toEqual(image);
    expect(encodePng(image).equals(png)).toBe(true);
  });

  it('decodes every filter type and grey/RGBA inputs', () => {
    // RGBA rows with filters 0, 4 (paeth), 2 (up); a grey image with 1 (sub) and 3 (average).
    const rgba = Buffer.from([
      0,
      10,
      20,
      30,
      255,
      40,
      50,
      60,
      255, // none
      4,
      1,
      1,
      1,
      0,
      2,
      2,
      2,
      0, // paeth
      2,
      0,
      0,
      0,
      0,
      1,
      1,
      1,
      0, // up
    ]);
    const a = decodePng(pngFrom(2, 3, 6, rgba));
    expect([...a.data]).toEqual([
      10, 20, 30, 40, 50, 60, 11, 21, 31, 42, 52, 62, 11, 21, 31, 43, 53, 63,
    ]);
    const grey = Buffer.from([1, 10, 5, 3, 4, 4]);
    const g = decodePng(pngFrom(2, 2, 0, grey));
    expect([...g.data]).toEqual([10, 10, 10, 15, 15, 15, 9, 9, 9, 16, 16, 16]);
  });

  it('refuses corrupt input with a typed error', () => {
    const png = encodePng({ width: 2, height: 2, data: new Uint8Array(12) });
    const broken = Buffer.from(png);
    broken[20] = (broken[20] ?? 0) ^ 0xff; // inside IHDR: the CRC no longer matches
    for (const bad of [Buffer.from('not a png'), broken]) {
      let caught: unknown;
      try {
        decodePng(bad);
      } catch (e) {
        caught = e;
      }
      expect(isActllmError(caught, 'TABLETOP_PNG_INVALID')).toBe(true);
    }
  });

  it('refuses images over the documented size cap from the header, before allocating', () => {
    // 65536 x 65536 RGB would need 12 GiB; the header alone must be enough to refuse it.
    const huge = pngFrom(65536, 65536, 2, Buffer.alloc(16));
    const zero = pngFrom(0, 4, 2, Buffer.alloc(4));
    for (const bad of [huge, zero]) {
      let caught: unknown;
      try {
        decodePng(bad);
      } catch (e) {
        caught = e;
      }
      expect(isActllmError(caught, 'TABLETOP_PNG_INVALID')).toBe(true);
    }
    expect(PNG_MAX_PIXELS).toBe(4096 * 4096);
    // At the cap's edge, a valid image still decodes.
    const wide = decodePng(pngFrom(PNG_MAX_PIXELS / 1024, 1, 0, Buffer.alloc(1 + 16384)));
    expect(wide.width).toBe(16384);
  });

  it('refuses a compressed stream that inflates to more than the image needs', () => {
    const bomb = pngFrom(4, 4, 2, Buffer.alloc(10_000_000));
    let caught: unknown;
    try {
      decodePng(bomb);
    } catch (e) {
      caught = e;
    }
    expect(isActllmError(caught, 'TABLETOP_PNG_INVALID')).toBe(true);
  });
});
