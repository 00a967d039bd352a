import { createTensor, type DType, type Tensor } from '@actllm/core';
import { GraphError } from './errors.js';

/**
 * safetensors (https://github.com/huggingface/safetensors): an 8-byte little-endian header
 * length N, N bytes of JSON `{name: {dtype, shape, data_offsets: [begin, end]}, __metadata__?}`,
 * then the data buffer. Every field is validated before anything is allocated; no size read
 * from the file is trusted.
 */

const DTYPE_CODES: Readonly<Record<DType, string>> = {
  float32: 'F32',
  int32: 'I32',
  int64: 'I64',
  bool: 'BOOL',
};
const ITEM_SIZE: Readonly<Record<DType, number>> = { float32: 4, int32: 4, int64: 8, bool: 1 };
/** The reference implementation refuses headers above 100 MB. */
export const MAX_HEADER_BYTES = 100_000_000;

export interface Safetensors {
  readonly tensors: Record<string, Tensor>;
  readonly metadata: Record<string, string>;
}

function invalid(why: string): GraphError {
  return new GraphError('SAFETENSORS_INVALID', `Invalid safetensors data: ${why}.`);
}

/** Serializes tensors (keys sorted, header padded with spaces to 8 bytes, as the reference writer). */
export function encodeSafetensors(
  tensors: Readonly<Record<string, Tensor>>,
  metadata?: Readonly<Record<string, string>>,
): Uint8Array {
  const names = Object.keys(tensors).sort();
  const header: Record<string, unknown> = {};
  if (metadata && Object.keys(metadata).length > 0) header['__metadata__'] = { ...metadata };
  let offset = 0;
  for (const name of names) {
    if (name === '__metadata__') throw invalid('a tensor cannot be named __metadata__');
    const t = tensors[name] as Tensor;
    const bytes = t.data.length * ITEM_SIZE[t.dtype];
    header[name] = {
      dtype: DTYPE_CODES[t.dtype],
      shape: [...t.shape],
      data_offsets: [offset, offset + bytes],
    };
    offset += bytes;
  }
  let json = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil(json.length / 8) * 8;
  if (padded !== json.length) {
    const p = new Uint8Array(padded).fill(0x20);
    p.set(json);
    json = p;
  }
  const out = new Uint8Array(8 + json.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  let at = 8 + json.length;
  for (const name of names) {
    const t = tensors[name] as Tensor;
    out.set(tensorBytes(t), at);
    at += t.data.length * ITEM_SIZE[t.dtype];
  }
  return out;
}

/** Little-endian bytes of a tensor's data. */
function tensorBytes(t: Tensor): Uint8Array {
  const view = new DataView(new ArrayBuffer(t.data.length * ITEM_SIZE[t.dtype]));
  for (let i = 0; i < t.data.length; i++) {
    switch (t.dtype) {
      case 'float32':
        view.setFloat32(i * 4, (t.data as Float32Array)[i] ?? 0, true);
        break;
      case 'int32':
        view.setInt32(i * 4, (t.data as Int32Array)[i] ?? 0, true);
        break;
      case 'int64':
        view.setBigInt64(i * 8, (t.data as BigInt64Array)[i] ?? 0n, true);
        break;
      case 'bool':
        view.setUint8(i, (t.data as Uint8Array)[i] ? 1 : 0);
    }
  }
  return new Uint8Array(view.buffer);
}

interface Entry {
  readonly name: string;
  readonly dtype: DType;
  readonly shape: number[];
  readonly begin: number;
  readonly end: number;
}

/** Parses safetensors bytes, validating the header completely before allocating tensors. */
export function decodeSafetensors(bytes: Uint8Array): Safetensors {
  if (bytes.length < 8)
    throw invalid(`${bytes.length} bytes is shorter than the 8-byte header length`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = view.getBigUint64(0, true);
  if (n > BigInt(Math.min(MAX_HEADER_BYTES, bytes.length - 8))) {
    throw invalid(
      `the header length ${n} exceeds the ${bytes.length - 8} bytes that follow it (or the 100 MB limit)`,
    );
  }
  const headerLength = Number(n);
  const header = parseHeader(bytes.subarray(8, 8 + headerLength));
  const dataLength = bytes.length - 8 - headerLength;
  const { entries, metadata } = validateHeader(header, dataLength);
  const data = bytes.subarray(8 + headerLength);
  const tensors: Record<string, Tensor> = {};
  for (const e of entries) tensors[e.name] = readTensor(e, data);
  return { tensors, metadata };
}

function parseHeader(raw: Uint8Array): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(raw));
  } catch (error) {
    throw new GraphError(
      'SAFETENSORS_INVALID',
      `Invalid safetensors data: the header is not UTF-8 JSON (${String(error)}).`,
      { cause: error },
    );
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw invalid('the header is not a JSON object');
  return parsed as Record<string, unknown>;
}

function validateHeader(
  header: Record<string, unknown>,
  dataLength: number,
): { entries: Entry[]; metadata: Record<string, string> } {
  const metadata = validateMetadata(header['__metadata__']);
  const entries = Object.entries(header)
    .filter(([name]) => name !== '__metadata__')
    .map(([name, info]) => validateEntry(name, info));
  // Sorted by offset, the tensors must tile the buffer exactly: no gap, no overlap.
  const sorted = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let at = 0;
  for (const e of sorted) {
    if (e.begin !== at) {
      throw invalid(
        e.begin < at
          ? `${e.name} overlaps the tensor before it`
          : `the bytes [${at}, ${e.begin}) belong to no tensor`,
      );
    }
    at = e.end;
  }
  if (at !== dataLength)
    throw invalid(`the tensors cover ${at} bytes but the buffer has ${dataLength}`);
  return { entries, metadata };
}

function validateMetadata(value: unknown): Record<string, string> {
  if (value === undefined) return {};
  const ok =
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    Object.values(value).every((v) => typeof v === 'string');
  if (!ok) throw invalid('__metadata__ must map strings to strings');
  return { ...(value as Record<string, string>) };
}

function validateEntry(name: string, info: unknown): Entry {
  if (typeof info !== 'object' || info === null) throw invalid(`${name} is not an object`);
  const { dtype: code, shape, data_offsets: offsets } = info as Record<string, unknown>;
  const dtype = (Object.keys(DTYPE_CODES) as DType[]).find((d) => DTYPE_CODES[d] === code);
  if (!dtype)
    throw invalid(`${name} has dtype ${JSON.stringify(code)}; supported: F32, I32, I64, BOOL`);
  const isDim = (d: unknown): d is number => Number.isSafeInteger(d) && (d as number) >= 0;
  if (!Array.isArray(shape) || !shape.every(isDim)) throw invalid(`${name} has an invalid shape`);
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isDim))
    throw invalid(`${name} has invalid data_offsets`);
  const [begin, end] = offsets as [number, number];
  // The element count comes from the shape and must match the byte range, never the reverse.
  const count = shape.reduce((a: number, d: number) => a * d, 1);
  if (
    !Number.isSafeInteger(count * ITEM_SIZE[dtype]) ||
    end < begin ||
    end - begin !== count * ITEM_SIZE[dtype]
  ) {
    throw invalid(
      `${name}: data_offsets [${begin}, ${end}] do not hold ${count} ${DTYPE_CODES[dtype]} elements`,
    );
  }
  return { name, dtype, shape, begin, end };
}

function readTensor(e: Entry, data: Uint8Array): Tensor {
  const view = new DataView(data.buffer, data.byteOffset + e.begin, e.end - e.begin);
  const n = (e.end - e.begin) / ITEM_SIZE[e.dtype];
  switch (e.dtype) {
    case 'float32':
      return createTensor(
        'float32',
        e.shape,
        Float32Array.from({ length: n }, (_, i) => view.getFloat32(i * 4, true)),
      );
    case 'int32':
      return createTensor(
        'int32',
        e.shape,
        Int32Array.from({ length: n }, (_, i) => view.getInt32(i * 4, true)),
      );
    case 'int64':
      return createTensor(
        'int64',
        e.shape,
        BigInt64Array.from({ length: n }, (_, i) => view.getBigInt64(i * 8, true)),
      );
    case 'bool':
      return createTensor(
        'bool',
        e.shape,
        Uint8Array.from({ length: n }, (_, i) => (view.getUint8(i) ? 1 : 0)),
      );
  }
}
