import { createTensor, isActllmError, tensorFromNumbers } from '@actllm/core';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  GraphBuilder,
  decodeSafetensors,
  encodeSafetensors,
  fromOnnx,
  getOp,
  grad,
  graphFromJSON,
  graphToJSON,
  inferTypes,
  initParameter,
  initParameters,
  optimize,
  readSafetensors,
  registerOp,
  run,
  toOnnx,
  writeSafetensors,
  type Graph,
} from '../src/index.js';

/**
 * Graph's public functions (other than the session front door, tested with the backends)
 * fed wrong types, unknown option names and values, and hostile sizes: each gives a typed
 * error with a stable code, never a TypeError, an out-of-memory kill or a silent result.
 */
const any = (v: unknown): never => v as never;

function relu(): Graph {
  const g = new GraphBuilder('relu');
  g.output(g.relu(g.input('x', 'float32', [2])), 'y');
  return g.build();
}
const graph = relu();
const x = tensorFromNumbers('float32', [2], [1, -1]);
const builder = (): GraphBuilder => {
  const g = new GraphBuilder();
  g.input('x', 'float32', [2]);
  return g;
};
const dir = mkdtempSync(join(tmpdir(), 'graph-hardening-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const CASES: [string, () => unknown, string][] = [
  ['run of null', () => run(any(null), {}), 'GRAPH_INVALID_ARGUMENT'],
  ['run without feeds', () => run(graph, any(undefined)), 'GRAPH_INVALID_ARGUMENT'],
  ['run of a plain-array feed', () => run(graph, { x: any([1, 2]) }), 'GRAPH_INVALID_FEED'],
  [
    'run of data shorter than its shape',
    () => run(graph, { x: { dtype: 'float32', shape: [2], data: new Float32Array(1) } }),
    'GRAPH_INVALID_FEED',
  ],
  [
    'run of data of another type',
    () => run(graph, { x: any({ dtype: 'float32', shape: [2], data: new Int32Array(2) }) }),
    'GRAPH_INVALID_FEED',
  ],
  [
    'run of a float16 feed',
    () => run(graph, { x: any({ ...x, dtype: 'float16' }) }),
    'GRAPH_INVALID_FEED',
  ],
  ['run of a missing feed', () => run(graph, {}), 'GRAPH_MISSING_FEED'],
  [
    'run with an unknown option',
    () => run(graph, { x }, any({ precison: 'float64' })),
    'GRAPH_INVALID_OPTION',
  ],
  [
    'run with an unknown precision',
    () => run(graph, { x }, any({ precision: 'half' })),
    'GRAPH_INVALID_OPTION',
  ],
  [
    'run with outputs as a string',
    () => run(graph, { x }, any({ outputs: 'y' })),
    'GRAPH_INVALID_OPTION',
  ],
  ['run of an unknown output', () => run(graph, { x }, { outputs: ['z'] }), 'GRAPH_UNKNOWN_OUTPUT'],
  [
    'run with a zero limit',
    () => run(graph, { x }, { limits: { maxBytes: 0 } }),
    'GRAPH_INVALID_OPTION',
  ],
  [
    'run over the byte limit',
    () => run(graph, { x }, { limits: { maxBytes: 8 } }),
    'GRAPH_LIMIT_EXCEEDED',
  ],
  [
    'input of dtype float16',
    () => new GraphBuilder().input('x', any('float16'), [2]),
    'GRAPH_DTYPE_MISMATCH',
  ],
  [
    'input of a negative dimension',
    () => new GraphBuilder().input('x', 'float32', [-3]),
    'GRAPH_INVALID',
  ],
  [
    'input of a fractional dimension',
    () => new GraphBuilder().input('x', 'float32', [1.5]),
    'GRAPH_INVALID',
  ],
  [
    'input of an empty symbol',
    () => new GraphBuilder().input('x', 'float32', ['']),
    'GRAPH_INVALID',
  ],
  [
    'input named by a number',
    () => new GraphBuilder().input(any(3), 'float32', [2]),
    'GRAPH_INVALID_ARGUMENT',
  ],
  ['input named twice', () => builder().input('x', 'float32', [2]), 'GRAPH_INVALID'],
  [
    'parameter of an unknown initializer kind',
    () => new GraphBuilder().parameter('w', [2], any({ kind: 'zeroes' })),
    'GRAPH_INVALID',
  ],
  [
    'parameter of a NaN std',
    () => new GraphBuilder().parameter('w', [2], { kind: 'normal', std: NaN }),
    'GRAPH_INVALID',
  ],
  [
    'parameter of uniform low > high',
    () => new GraphBuilder().parameter('w', [2], { kind: 'uniform', low: 1, high: 0 }),
    'GRAPH_INVALID',
  ],
  [
    'parameter of a symbolic shape',
    () => new GraphBuilder().parameter('w', any(['n'])),
    'GRAPH_INVALID',
  ],
  [
    'parameter of dtype float16',
    () => new GraphBuilder().parameter('w', [2], { kind: 'zeros' }, any('float16')),
    'GRAPH_DTYPE_MISMATCH',
  ],
  [
    'a node with more outputs than its op',
    () => builder().addNode('Relu', ['x'], {}, ['a', 'b']),
    'GRAPH_INVALID',
  ],
  [
    'a node of an unknown op',
    () => builder().addNode('Conv', ['x'], {}, ['a']),
    'GRAPH_UNSUPPORTED_OP',
  ],
  [
    'a node reading an unknown tensor',
    () => builder().addNode('Relu', ['nope'], {}, ['a']),
    'GRAPH_INVALID',
  ],
  ['building without outputs', () => builder().build(), 'GRAPH_INVALID'],
  ['a graph named by a number', () => new GraphBuilder(any(5)), 'GRAPH_INVALID_ARGUMENT'],
  [
    'an op given a string for a tensor',
    () => {
      const g = builder();
      g.add(g.ref('x'), any('1'));
    },
    'GRAPH_INVALID_ARGUMENT',
  ],
  [
    'an op given a tensor of another graph',
    () => builder().relu(new GraphBuilder().input('z', 'float32', [2])),
    'GRAPH_INVALID',
  ],
  ['output of undefined', () => builder().output(any(undefined)), 'GRAPH_INVALID_ARGUMENT'],
  ['a constant of a string', () => builder().constant(any('abc')), 'GRAPH_INVALID_ARGUMENT'],
  [
    'a constant of dtype float16',
    () => builder().constant([1], any('float16')),
    'GRAPH_DTYPE_MISMATCH',
  ],
  [
    'an int64 constant of a fraction',
    () => builder().constant([0.5], 'int64'),
    'GRAPH_INVALID_ARGUMENT',
  ],
  [
    'an unknown attribute (a typo)',
    () => {
      const g = builder();
      g.op('Softmax', [g.ref('x')], { axiss: 0 });
    },
    'GRAPH_INVALID',
  ],
  [
    'an attribute of the wrong type',
    () => {
      const g = builder();
      g.op('Softmax', [g.ref('x')], { axis: 'last' });
    },
    'GRAPH_INVALID',
  ],
  ['initParameters of null', () => initParameters(any(null), 0), 'GRAPH_INVALID_ARGUMENT'],
  ['initParameters of a NaN seed', () => initParameters(graph, NaN), 'GRAPH_INVALID_ARGUMENT'],
  [
    'initParameter of an unknown kind',
    () =>
      initParameter(
        any({ name: 'w', dtype: 'float32', shape: [2], initializer: { kind: 'zero' } }),
        0,
      ),
    'GRAPH_INVALID',
  ],
  [
    'initParameter of a huge shape',
    () =>
      initParameter(
        { name: 'w', dtype: 'float32', shape: [1e6, 1e6], initializer: { kind: 'zeros' } },
        0,
      ),
    'GRAPH_LIMIT_EXCEEDED',
  ],
  [
    'initParameter of given weights that are not a tensor',
    () =>
      initParameter(
        {
          name: 'w',
          dtype: 'float32',
          shape: [2],
          initializer: { kind: 'given', tensor: any([1, 2]) },
        },
        0,
      ),
    'GRAPH_INVALID',
  ],
  ['fromOnnx of a string', () => fromOnnx(any('model.onnx')), 'GRAPH_INVALID_ARGUMENT'],
  ['fromOnnx of garbage bytes', () => fromOnnx(new Uint8Array([0xff, 0xff, 0xff])), 'ONNX_INVALID'],
  [
    'fromOnnx with an unknown option',
    () => fromOnnx(toOnnx(graph, {}), any({ strict: true })),
    'GRAPH_INVALID_OPTION',
  ],
  [
    'fromOnnx with an unknown limit',
    () => fromOnnx(toOnnx(graph, {}), any({ limits: { maxRam: 1 } })),
    'GRAPH_INVALID_OPTION',
  ],
  [
    'encodeSafetensors of a plain array',
    () => encodeSafetensors({ a: any([1, 2]) }),
    'SAFETENSORS_INVALID',
  ],
  ['encodeSafetensors of null', () => encodeSafetensors(any(null)), 'GRAPH_INVALID_ARGUMENT'],
  [
    'encodeSafetensors of numeric metadata',
    () => encodeSafetensors({}, any({ step: 3 })),
    'SAFETENSORS_INVALID',
  ],
  [
    'encodeSafetensors of data shorter than its shape',
    () => encodeSafetensors({ a: { dtype: 'int64', shape: [3], data: new BigInt64Array(1) } }),
    'SAFETENSORS_INVALID',
  ],
  ['decodeSafetensors of a string', () => decodeSafetensors(any('abc')), 'GRAPH_INVALID_ARGUMENT'],
  ['grad of null', () => grad(any(null), 'y', []), 'GRAPH_INVALID_ARGUMENT'],
  ['toOnnx of null', () => toOnnx(any(null), {}), 'GRAPH_INVALID_ARGUMENT'],
  ['toOnnx without weights', () => toOnnx(graph, any(null)), 'GRAPH_INVALID_ARGUMENT'],
  ['graphToJSON of null', () => graphToJSON(any(null)), 'GRAPH_INVALID_ARGUMENT'],
  ['graphFromJSON of junk', () => graphFromJSON('{"version":1}'), 'GRAPH_INVALID'],
  ['inferTypes of a string', () => inferTypes(any('graph')), 'GRAPH_INVALID_ARGUMENT'],
  ['optimize of undefined', () => optimize(any(undefined)), 'GRAPH_INVALID_ARGUMENT'],
  ['registerOp of null', () => registerOp(any(null)), 'GRAPH_INVALID_ARGUMENT'],
  ['getOp of an unknown op', () => getOp('Convolution'), 'GRAPH_UNSUPPORTED_OP'],
];

const ASYNC_CASES: [string, () => Promise<unknown>, string][] = [
  [
    'readSafetensors of a missing file',
    () => readSafetensors(join(dir, 'none.safetensors')),
    'SAFETENSORS_IO',
  ],
  ['readSafetensors of a folder', () => readSafetensors(dir), 'SAFETENSORS_IO'],
  ['readSafetensors of a number', () => readSafetensors(any(7)), 'GRAPH_INVALID_ARGUMENT'],
  [
    'writeSafetensors into a missing folder',
    () => writeSafetensors(join(dir, 'no', 'w.safetensors'), { w: createTensor('float32', [1]) }),
    'SAFETENSORS_IO',
  ],
  [
    'writeSafetensors of a plain array',
    () => writeSafetensors(join(dir, 'w.safetensors'), { w: any([1]) }),
    'SAFETENSORS_INVALID',
  ],
];

function thrown(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  return 'nothing thrown';
}

describe('every public function of graph refuses bad input with a typed error', () => {
  it.each(CASES)('%s', (_name, call, code) => {
    const e = thrown(call);
    expect(isActllmError(e, code), String(e)).toBe(true);
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
});
