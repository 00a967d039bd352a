import { Rng, createTensor, tensorProblem, type Tensor } from '@actllm/core';
import type { Graph, Parameter } from './ir.js';
import { GraphError } from './errors.js';
import { checkGraphArgument } from './validate.js';
import { checkSize } from './values.js';

/**
 * Materializes every parameter's initializer. Each parameter draws from its own stream,
 * seeded from (seed, parameter name), so adding a parameter never changes the others.
 */
export function initParameters(graph: Graph, seed: number): Record<string, Tensor> {
  checkGraphArgument(graph, 'initParameters');
  checkSeed(seed);
  const out: Record<string, Tensor> = {};
  for (const p of graph.parameters) out[p.name] = initParameter(p, seed);
  return out;
}

/** FNV-1a over the UTF-16 code units: a stable 32-bit hash of a name. */
function hashName(name: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) {
    h ^= name.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

function streamFor(seed: number, name: string): Rng {
  const base = new Rng(seed);
  const mixed = (hashName(name) ^ base.nextUint32()) >>> 0;
  // 32 + 20 bits: a safe integer that depends on both.
  return new Rng(mixed * 0x100000 + (base.nextUint32() >>> 12));
}

function checkSeed(seed: unknown): void {
  if (!Number.isSafeInteger(seed)) {
    throw new GraphError(
      'GRAPH_INVALID_ARGUMENT',
      `initParameters needs an integer seed; got ${String(seed)}.`,
    );
  }
}

const KINDS: ReadonlySet<string> = new Set(['zeros', 'ones', 'normal', 'uniform', 'given']);

export function initParameter(p: Parameter, seed: number): Tensor {
  checkSeed(seed);
  const init = p.initializer;
  if (!KINDS.has(init.kind)) {
    throw new GraphError(
      'GRAPH_INVALID',
      `Parameter ${p.name} has initializer kind ${JSON.stringify(init.kind)}; use one of ${[...KINDS].join(', ')}.`,
    );
  }
  if (init.kind === 'given') return checkGiven(p, init.tensor);
  const size = p.shape.reduce((a, d) => a * d, 1);
  checkSize(size, `Parameter ${p.name}`);
  const values = new Float64Array(size);
  if (init.kind === 'ones') values.fill(1);
  if (init.kind === 'normal' || init.kind === 'uniform') {
    if (p.dtype !== 'float32') {
      throw new GraphError(
        'GRAPH_INVALID',
        `Parameter ${p.name} is ${p.dtype}; random initializers need float32.`,
      );
    }
    const rng = streamFor(seed, p.name);
    for (let i = 0; i < size; i++) {
      values[i] =
        init.kind === 'normal'
          ? rng.normal(init.mean ?? 0, init.std)
          : rng.float(init.low, init.high);
    }
  }
  switch (p.dtype) {
    case 'float32':
      return createTensor('float32', p.shape, Float32Array.from(values));
    case 'int32':
      return createTensor('int32', p.shape, Int32Array.from(values));
    case 'int64':
      return createTensor(
        'int64',
        p.shape,
        BigInt64Array.from(values, (v) => BigInt(v)),
      );
    case 'bool':
      return createTensor('bool', p.shape, Uint8Array.from(values));
  }
}

function checkGiven(p: Parameter, t: Tensor): Tensor {
  const problem = tensorProblem(t);
  if (problem !== undefined) {
    throw new GraphError('GRAPH_INVALID', `Parameter ${p.name}: its given weights ${problem}.`);
  }
  const same =
    t.dtype === p.dtype &&
    t.shape.length === p.shape.length &&
    t.shape.every((d, i) => d === p.shape[i]);
  if (!same) {
    throw new GraphError(
      'GRAPH_SHAPE_MISMATCH',
      `Parameter ${p.name} is ${p.dtype}[${p.shape.join(', ')}] but its given weights are ${t.dtype}[${t.shape.join(', ')}].`,
    );
  }
  return t;
}
