import { createTensor, tensorProblem, type DType, type Tensor } from '@actllm/core';
import { GraphError } from './errors.js';
import { describeValue } from './validate.js';

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
  /** Tensors by name, in a null-prototype object (a tensor may be named `__proto__`). */
  readonly tensors: Record<string, Tensor>;
  /** String metadata, also in a null-prototype object. */
  readonly metadata: Record<string, string>;
}

function invalid(why: string): GraphError {
  return new GraphError('SAFETENSORS_INVALID', `Invalid safetensors data: ${why}.`);
}

function refused(why: string): GraphError {
  return new GraphError('SAFETENSORS_INVALID', `Cannot encode safetensors: ${why}.`);
}

/** Checks what the writer is given, so it never writes a file that no reader accepts. */
function checkWriterInput(tensors: unknown, metadata: unknown): [string, Tensor][] {
  if (typeof tensors !== 'object' || tensors === null || Array.isArray(tensors)) {
    throw new GraphError(
      'GRAPH_INVALID_ARGUMENT',
      `encodeSafetensors needs an object of tensors by name; got ${describeValue(tensors)}.`,
    );
  }
  const entries = Object.entries(tensors as Record<string, unknown>);
  for (const [name, t] of entries) {
    if (name === '__metadata__') throw refused('a tensor cannot be named __metadata__');
    if (name === '') throw refused('tensor names must be non-empty');
    const problem = tensorProblem(t);
    if (problem !== undefined) throw refused(`tensor ${name}: ${problem}`);
  }
  if (metadata !== undefined) {
    const ok =
      typeof metadata === 'object' &&
      metadata !== null &&
      !Array.isArray(metadata) &&
      Object.values(metadata).every((v) => typeof v === 'string');
    if (!ok) throw refused('metadata must map strings to strings (readers accept nothing else)');
  }
  return entries as [string, Tensor][];
}

/**
 * The data order of the reference writer: larger elements first (so each tensor starts at a
 * multiple of its element size, int64 at 8 bytes), then by name.
 */
function byAlignment([a, ta]: [string, Tensor], [b, tb]: [string, Tensor]): number {
  return ITEM_SIZE[tb.dtype] - ITEM_SIZE[ta.dtype] || (a < b ? -1 : a > b ? 1 : 0);
}

/**
 * Serializes tensors as the reference writer does: data ordered by element size, then name;
 * the header padded with spaces to a multiple of 8 bytes, so every tensor is aligned.
 * Refuses (SAFETENSORS_INVALID) data that does not match its shape and non-string metadata.
 */
export function encodeSafetensors(
  tensors: Readonly<Record<string, Tensor>>,
  metadata?: Readonly<Record<string, string>>,
): Uint8Array {
  const entries = checkWriterInput(tensors, metadata).sort(byAlignment);
  const header: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  if (metadata && Object.keys(metadata).length > 0) header['__metadata__'] = { ...metadata };
  let offset = 0;
  for (const [name, t] of entries) {
    const bytes = t.data.length * ITEM_SIZE[t.dtype];
    // defineProperty: a tensor named __proto__ is a key like any other.
    Object.defineProperty(header, name, {
      value: {
        dtype: DTYPE_CODES[t.dtype],
        shape: [...t.shape],
        data_offsets: [offset, offset + bytes],
      },
      enumerable: true,
    });
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
  for (const [, t] of entries) {
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
  if (!(bytes instanceof Uint8Array)) {
    throw new GraphError(
      'GRAPH_INVALID_ARGUMENT',
      `decodeSafetensors reads a Uint8Array; got ${describeValue(bytes)}.`,
    );
  }
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
  const tensors = Object.create(null) as Record<string, Tensor>;
  for (const e of entries) tensors[e.name] = readTensor(e, data);
  return { tensors, metadata };
}

function parseHeader(raw: Uint8Array): Record<string, unknown> {
  let parsed: unknown;
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(raw);
    parsed = JSON.parse(text, nullPrototypes);
    const duplicate = firstDuplicateKey(text);
    if (duplicate !== undefined) throw invalid(`the header names ${duplicate} twice`);
  } catch (error) {
    if (error instanceof GraphError) throw error;
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

/** JSON.parse reviver: objects without a prototype, so `__proto__` is an ordinary key. */
function nullPrototypes(_key: string, value: unknown): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  return Object.assign(Object.create(null) as object, value);
}

/**
 * The first key that the header's top-level object repeats (JSON.parse would keep only the
 * last one silently), scanning the text once.
 */
function firstDuplicateKey(text: string): string | undefined {
  const seen = new Set<string>();
  let depth = 0;
  let expectKey = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      if (depth === 1 && expectKey) {
        const key = JSON.parse(text.slice(i, j + 1)) as string;
        if (seen.has(key)) return JSON.stringify(key);
        seen.add(key);
        expectKey = false;
      }
      i = j;
    } else if (c === '{' || c === '[') {
      depth++;
      expectKey = depth === 1 && c === '{';
    } else if (c === '}' || c === ']') {
      depth--;
    } else if (c === ',' && depth === 1) {
      expectKey = true;
    }
  }
  return undefined;
}

function validateMetadata(value: unknown): Record<string, string> {
  if (value === undefined) return Object.create(null) as Record<string, string>;
  const ok =
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    Object.values(value).every((v) => typeof v === 'string');
  if (!ok) throw invalid('__metadata__ must map strings to strings');
  return value as Record<string, string>;
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
