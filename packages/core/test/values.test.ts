import { describe, expect, it } from 'vitest';
import {
  ActllmError,
  EPISODE_RECORD_VERSION,
  InvalidArgumentError,
  VIEW_NAMES,
  assertImage,
  createImage,
  createTensor,
  isActllmError,
  shapeSize,
  tensorFromNumbers,
} from '../src/index.js';

function codeOf(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    return isActllmError(e) ? e.code : 'not an ActllmError';
  }
  return undefined;
}

describe('errors', () => {
  it('carry a stable code, a name and an optional cause', () => {
    const cause = new Error('root');
    const e = new ActllmError('SOMETHING', 'do this', { cause });
    expect(e.code).toBe('SOMETHING');
    expect(e.name).toBe('ActllmError');
    expect(e.cause).toBe(cause);
    expect(new InvalidArgumentError('x').name).toBe('InvalidArgumentError');
    expect(isActllmError(e)).toBe(true);
    expect(isActllmError(e, 'OTHER')).toBe(false);
    expect(isActllmError(new Error('plain'))).toBe(false);
    expect(isActllmError('text')).toBe(false);
    expect(isActllmError(null)).toBe(false);
  });
});

describe('images', () => {
  it('creates RGB HWC images, filled or black', () => {
    const img = createImage(2, 3, [10, 20, 30]);
    expect(img.data.length).toBe(18);
    expect([...img.data.slice(15)]).toEqual([10, 20, 30]);
    expect(createImage(1, 1).data).toEqual(new Uint8Array(3));
    expect(VIEW_NAMES).toEqual(['top', 'front']);
  });

  it('refuses malformed images with INVALID_ARGUMENT', () => {
    expect(codeOf(() => createImage(0, 2))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => createImage(1.5, 2))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => assertImage({ width: 2, height: 2, data: new Uint8Array(11) }))).toBe(
      'INVALID_ARGUMENT',
    );
    expect(codeOf(() => assertImage({ width: -2, height: 2, data: new Uint8Array(12) }))).toBe(
      'INVALID_ARGUMENT',
    );
    expect(codeOf(() => assertImage(createImage(2, 2)))).toBeUndefined();
  });
});

describe('tensors', () => {
  it('computes sizes and creates zero-filled or wrapped tensors', () => {
    expect(shapeSize([])).toBe(1);
    expect(shapeSize([2, 3, 4])).toBe(24);
    expect(createTensor('int64', [2]).data).toEqual(new BigInt64Array(2));
    const data = new Float32Array([1, 2, 3, 4, 5, 6]);
    expect(createTensor('float32', [2, 3], data).data).toBe(data);
    expect(createTensor('bool', [3]).data).toBeInstanceOf(Uint8Array);
    expect(createTensor('int32', [0, 5]).data.length).toBe(0);
  });

  it('converts plain numbers to every dtype', () => {
    expect(tensorFromNumbers('float32', [2], [0.5, 2]).data).toEqual(new Float32Array([0.5, 2]));
    expect(tensorFromNumbers('int32', [2], [3, -4]).data).toEqual(new Int32Array([3, -4]));
    expect(tensorFromNumbers('int64', [2], [3, -4]).data).toEqual(new BigInt64Array([3n, -4n]));
    expect(tensorFromNumbers('bool', [3], [0, 2, -1]).data).toEqual(new Uint8Array([0, 1, 1]));
    expect(codeOf(() => tensorFromNumbers('int64', [1], [0.5]))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => tensorFromNumbers('int32', [3], [1, 2]))).toBe('INVALID_ARGUMENT');
  });

  it('refuses wrong types, lengths, dimensions and dtypes', () => {
    expect(codeOf(() => createTensor('float32', [2], new Float32Array(3)))).toBe(
      'INVALID_ARGUMENT',
    );
    expect(
      codeOf(() => createTensor('float32', [2], new Int32Array(2) as unknown as Float32Array)),
    ).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => shapeSize([2, -1]))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => createTensor('float16' as 'float32', [1]))).toBe('INVALID_ARGUMENT');
  });
});

describe('episode records', () => {
  it('have a version', () => {
    expect(EPISODE_RECORD_VERSION).toBe(1);
  });
});
