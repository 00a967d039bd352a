import { deflateSync, inflateSync } from 'node:zlib';
import type { Image } from '@actllm/core';
import { TabletopError } from '../errors.js';

/**
 * A small PNG codec on node:zlib: writes 8-bit RGB; reads 8-bit greyscale, RGB and RGBA
 * (non-interlaced), returning RGB. Encoding is deterministic: same pixels, same bytes.
 */

const SIGNATURE = Uint8Array.from([137, 80, 78, 71, 13, 10, 26, 10]);

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC-32 as PNG (and zlib) define it. */
export function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = (CRC_TABLE[(c ^ b) & 0xff] ?? 0) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'latin1');
  out.set(data, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

/** Encodes an RGB image as PNG (filter "sub" on every row, which suits flat colours). */
export function encodePng(image: Image): Buffer {
  const { width, height, data } = image;
  const stride = width * 3;
  const raw = Buffer.alloc((stride + 1) * height);
  for (let y = 0; y < height; y++) {
    const row = y * (stride + 1);
    raw[row] = 1;
    for (let i = 0; i < stride; i++) {
      const cur = data[y * stride + i] ?? 0;
      const left = i >= 3 ? (data[y * stride + i - 3] ?? 0) : 0;
      raw[row + 1 + i] = (cur - left) & 0xff;
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8); // bit depth 8, colour type RGB, deflate, adaptive filter, no interlace
  return Buffer.concat([
    SIGNATURE,
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw, { level: 6 })),
    chunk('IEND', new Uint8Array(0)),
  ]);
}

function fail(why: string): never {
  throw new TabletopError(
    'TABLETOP_PNG_INVALID',
    `Cannot decode PNG: ${why}. Only 8-bit, non-interlaced grey/RGB/RGBA PNGs are supported.`,
  );
}

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

interface Header {
  width: number;
  height: number;
  channels: number;
}

function readChunks(bytes: Uint8Array): { header: Header; idat: Buffer } {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buf.length < 8 || !SIGNATURE.every((b, i) => buf[i] === b)) fail('missing PNG signature');
  let off = 8;
  let header: Header | undefined;
  const idat: Buffer[] = [];
  while (off + 12 <= buf.length) {
    const len = buf.readUInt32BE(off);
    const type = buf.toString('latin1', off + 4, off + 8);
    if (off + 12 + len > buf.length) fail(`truncated ${type} chunk`);
    const data = buf.subarray(off + 8, off + 8 + len);
    if (crc32(buf.subarray(off + 4, off + 8 + len)) !== buf.readUInt32BE(off + 8 + len))
      fail(`bad CRC in ${type}`);
    if (type === 'IHDR') header = parseHeader(data);
    else if (type === 'IDAT') idat.push(data);
    else if (type === 'IEND') break;
    off += 12 + len;
  }
  if (!header) fail('no IHDR chunk');
  if (idat.length === 0) fail('no IDAT chunk');
  return { header, idat: Buffer.concat(idat) };
}

/**
 * Largest image `decodePng` accepts: 4096 x 4096 pixels (48 MiB as RGB). Anything larger
 * is refused from its header, before any pixel memory is allocated.
 */
export const PNG_MAX_PIXELS = 4096 * 4096;

function parseHeader(d: Buffer): Header {
  if (d.length < 13) fail('IHDR chunk too short');
  const width = d.readUInt32BE(0);
  const height = d.readUInt32BE(4);
  if (width === 0 || height === 0) fail(`empty image (${width}x${height})`);
  if (width * height > PNG_MAX_PIXELS) {
    fail(`${width}x${height} is larger than the ${PNG_MAX_PIXELS}-pixel cap (PNG_MAX_PIXELS)`);
  }
  const depth = d[8];
  const type = d[9];
  const channels = type === 0 ? 1 : type === 2 ? 3 : type === 6 ? 4 : 0;
  if (depth !== 8 || channels === 0) fail(`bit depth ${depth} colour type ${type}`);
  if (d[12] !== 0) fail('interlaced');
  return { width, height, channels };
}

/** Decodes a PNG into an RGB image (alpha dropped, grey expanded); see PNG_MAX_PIXELS. */
export function decodePng(bytes: Uint8Array): Image {
  const { header, idat } = readChunks(bytes);
  const { width, height, channels } = header;
  let raw: Buffer;
  try {
    // Capped: a small compressed stream must not inflate into more than the image needs.
    raw = inflateSync(idat, { maxOutputLength: (width * channels + 1) * height });
  } catch (cause) {
    fail(`corrupt image data (${String(cause)})`);
  }
  const stride = width * channels;
  if (raw.length < (stride + 1) * height) fail('image data too short');
  const px = new Uint8Array(stride * height);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    for (let i = 0; i < stride; i++) {
      const x = raw[y * (stride + 1) + 1 + i] ?? 0;
      const a = i >= channels ? (px[y * stride + i - channels] ?? 0) : 0;
      const b = y > 0 ? (px[(y - 1) * stride + i] ?? 0) : 0;
      const c = y > 0 && i >= channels ? (px[(y - 1) * stride + i - channels] ?? 0) : 0;
      let v: number;
      if (filter === 0) v = x;
      else if (filter === 1) v = x + a;
      else if (filter === 2) v = x + b;
      else if (filter === 3) v = x + ((a + b) >> 1);
      else if (filter === 4) v = x + paeth(a, b, c);
      else fail(`unknown filter ${filter}`);
      px[y * stride + i] = v & 0xff;
    }
  }
  const data = new Uint8Array(width * height * 3);
  for (let p = 0; p < width * height; p++) {
    for (let k = 0; k < 3; k++) data[p * 3 + k] = px[p * channels + (channels === 1 ? 0 : k)] ?? 0;
  }
  return { width, height, data };
}
