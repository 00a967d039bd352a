import { describe, expect, it } from 'vitest';
import {
  Rng,
  angleDifference,
  assertImage,
  clampToWorkspace,
  createImage,
  createTensor,
  distance,
  interpolatePose,
  isActllmError,
  isInWorkspace,
  normalizeAngle,
  processSingleton,
  registerBackend,
  resolveBackend,
  shapeSize,
  symmetricAngleDistance,
  tensorFromNumbers,
  tensorProblem,
} from '../src/index.js';
import { writeFileAtomicSync } from '../src/node/index.js';

/**
 * Every public function of core, fed wrong types, unknown option names and values, and
 * hostile sizes: each gives a typed error with a stable code, never a TypeError or a NaN.
 */
const any = (v: unknown): never => v as never;
const rng = new Rng(1);

const CASES: [string, () => unknown, string][] = [
  ['createTensor of an unknown dtype', () => createTensor(any('float16'), [2]), 'INVALID_ARGUMENT'],
  [
    'createTensor with a shape that is not an array',
    () => createTensor('float32', any(3)),
    'INVALID_ARGUMENT',
  ],
  [
    'createTensor with a negative dimension',
    () => createTensor('float32', [-1]),
    'INVALID_ARGUMENT',
  ],
  [
    'createTensor with a plain array as data',
    () => createTensor('float32', [2], any([1, 2])),
    'INVALID_ARGUMENT',
  ],
  [
    'createTensor with data shorter than the shape',
    () => createTensor('int32', [4], new Int32Array(2)),
    'INVALID_ARGUMENT',
  ],
  [
    'createTensor with a huge shape',
    () => createTensor('float32', [2 ** 40, 2 ** 40]),
    'INVALID_ARGUMENT',
  ],
  [
    'createTensor beyond what an array holds',
    () => createTensor('float32', [2 ** 27, 2 ** 8]),
    'INVALID_ARGUMENT',
  ],
  ['shapeSize of a string', () => shapeSize(any('2,3')), 'INVALID_ARGUMENT'],
  ['shapeSize of a fractional dimension', () => shapeSize([1.5]), 'INVALID_ARGUMENT'],
  [
    'tensorFromNumbers of an unknown dtype',
    () => tensorFromNumbers(any('half'), [1], [1]),
    'INVALID_ARGUMENT',
  ],
  [
    'tensorFromNumbers of undefined values',
    () => tensorFromNumbers('float32', [1], any(undefined)),
    'INVALID_ARGUMENT',
  ],
  [
    'tensorFromNumbers of int64 fractions',
    () => tensorFromNumbers('int64', [1], [0.5]),
    'INVALID_ARGUMENT',
  ],
  [
    'tensorFromNumbers of strings',
    () => tensorFromNumbers('float32', [2], any(['1', '2'])),
    'INVALID_ARGUMENT',
  ],
  [
    'tensorFromNumbers of an int32 fraction',
    () => tensorFromNumbers('int32', [1], [1.5]),
    'INVALID_ARGUMENT',
  ],
  [
    'tensorFromNumbers beyond int32',
    () => tensorFromNumbers('int32', [1], [2 ** 31]),
    'INVALID_ARGUMENT',
  ],
  ['createImage of a huge size', () => createImage(100_000, 100_000), 'INVALID_ARGUMENT'],
  ['createImage of a fractional size', () => createImage(2.5, 2), 'INVALID_ARGUMENT'],
  ['createImage with a bad colour', () => createImage(2, 2, any([300, 0, 0])), 'INVALID_ARGUMENT'],
  ['createImage with a colour string', () => createImage(2, 2, any('red')), 'INVALID_ARGUMENT'],
  ['assertImage of undefined', () => assertImage(any(undefined)), 'INVALID_ARGUMENT'],
  [
    'assertImage of short data',
    () => assertImage({ width: 2, height: 2, data: new Uint8Array(3) }),
    'INVALID_ARGUMENT',
  ],
  ['isInWorkspace of undefined', () => isInWorkspace(any(undefined)), 'INVALID_ARGUMENT'],
  [
    'clampToWorkspace of a string x',
    () => clampToWorkspace(any({ x: '0', y: 0 })),
    'INVALID_ARGUMENT',
  ],
  ['distance of a string', () => distance(any('a'), { x: 0, y: 0 }), 'INVALID_ARGUMENT'],
  ['normalizeAngle of undefined', () => normalizeAngle(any(undefined)), 'INVALID_ARGUMENT'],
  ['angleDifference of a string', () => angleDifference(any('0'), 0), 'INVALID_ARGUMENT'],
  ['symmetricAngleDistance of order 0', () => symmetricAngleDistance(0, 1, 0), 'INVALID_ARGUMENT'],
  [
    'interpolatePose without theta',
    () => interpolatePose(any({ x: 0, y: 0 }), { x: 1, y: 1, theta: 0 }, 0.5),
    'INVALID_ARGUMENT',
  ],
  [
    'interpolatePose of an undefined t',
    () => interpolatePose({ x: 0, y: 0, theta: 0 }, { x: 1, y: 1, theta: 0 }, any(undefined)),
    'INVALID_ARGUMENT',
  ],
  ['new Rng of a fractional seed', () => new Rng(0.5), 'INVALID_ARGUMENT'],
  ['new Rng of a string seed', () => new Rng(any('7')), 'INVALID_ARGUMENT'],
  ['Rng.fromState of zeros', () => Rng.fromState([0, 0, 0, 0]), 'INVALID_ARGUMENT'],
  ['rng.float of NaN', () => rng.float(NaN, 1), 'INVALID_ARGUMENT'],
  ['rng.int of an empty range', () => rng.int(3, 3), 'INVALID_ARGUMENT'],
  ['rng.bool of 2', () => rng.bool(2), 'INVALID_ARGUMENT'],
  ['rng.normal of a negative std', () => rng.normal(0, -1), 'INVALID_ARGUMENT'],
  ['rng.pick of undefined', () => rng.pick(any(undefined)), 'INVALID_ARGUMENT'],
  ['rng.shuffle of a string', () => rng.shuffle(any('abc')), 'INVALID_ARGUMENT'],
  [
    'processSingleton without a factory',
    () => processSingleton('k', any(undefined)),
    'INVALID_ARGUMENT',
  ],
  ['registerBackend of null', () => registerBackend('x', any(null), 1), 'BACKEND_INVALID'],
  [
    'registerBackend with a NaN priority',
    () => registerBackend('x', any({}), NaN),
    'BACKEND_INVALID',
  ],
  [
    'writeFileAtomicSync of a number',
    () => writeFileAtomicSync('/tmp/x', any(42)),
    'INVALID_ARGUMENT',
  ],
];

const ASYNC_CASES: [string, () => Promise<unknown>, string][] = [
  [
    'resolveBackend of an unknown capability',
    () => resolveBackend(any({ capability: 'fly' })),
    'INVALID_ARGUMENT',
  ],
  [
    'resolveBackend with an unknown option',
    () => resolveBackend(any({ capabilities: 'infer' })),
    'INVALID_ARGUMENT',
  ],
  [
    'resolveBackend with names as a string',
    () => resolveBackend(any({ names: 'onnx' })),
    'INVALID_ARGUMENT',
  ],
  ['resolveBackend of null', () => resolveBackend(any(null)), 'INVALID_ARGUMENT'],
];

function thrown(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  return 'nothing thrown';
}

describe('every public function of core refuses bad input with a typed error', () => {
  it.each(CASES)('%s', (_name, call, code) => {
    const e = thrown(call);
    expect(isActllmError(e, code), String(e)).toBe(true);
    expect((e as Error).message.length).toBeGreaterThan(20);
  });

  it.each(ASYNC_CASES)('%s', async (_name, call, code) => {
    const e = await Promise.resolve()
      .then(call)
      .then(
        () => 'nothing thrown',
        (error: unknown) => error,
      );
    expect(isActllmError(e, code), String(e)).toBe(true);
  });

  it('geometry lets NaN flow through as arithmetic does (tolerant callers rely on it)', () => {
    expect(normalizeAngle(NaN)).toBeNaN();
    expect(distance({ x: NaN, y: 0 }, { x: 0, y: 0 })).toBeNaN();
  });

  it('tensorProblem says what is wrong, and nothing for a good tensor', () => {
    expect(tensorProblem(createTensor('int64', [2]))).toBeUndefined();
    expect(tensorProblem([1, 2])).toMatch(/plain array/);
    expect(tensorProblem({ dtype: 'float32', shape: [2], data: new Float64Array(2) })).toMatch(
      /Float32Array/,
    );
    expect(
      tensorProblem({ dtype: 'float32', shape: [2], data: new Float64Array(2) }, { float64: true }),
    ).toBeUndefined();
  });
});
