import { DTYPES, createTensor, type DType, type Tensor } from '@actllm/core';
import type { Graph, Initializer, Node, TensorRef } from './ir.js';
import { GraphBuilder } from './builder.js';
import { GraphError } from './errors.js';
import { checkGraphArgument } from './validate.js';

/**
 * Graphs as JSON text, for files and for processes that cannot share typed arrays.
 * Tensors (Constant values, given initializers) become `{ "$tensor": { dtype, shape, data } }`
 * with int64 as decimal strings and non-finite floats as "NaN", "Infinity", "-Infinity".
 */
export const GRAPH_JSON_VERSION = 1;

export function graphToJSON(graph: Graph): string {
  checkGraphArgument(graph, 'graphToJSON');
  return JSON.stringify({ version: GRAPH_JSON_VERSION, graph }, (_key, value: unknown) =>
    isTensor(value) ? { $tensor: encodeTensor(value) } : value,
  );
}

/** Parses and validates (by re-inferring every node) a graph written by {@link graphToJSON}. */
export function graphFromJSON(text: string): Graph {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text, (_key, value: unknown) =>
      isObject(value) && '$tensor' in value ? decodeTensor(value['$tensor']) : value,
    );
  } catch (error) {
    if (error instanceof GraphError) throw error;
    throw invalid(`the text is not JSON (${String(error)})`);
  }
  if (!isObject(parsed) || parsed['version'] !== GRAPH_JSON_VERSION || !isObject(parsed['graph'])) {
    throw invalid(`expected { version: ${GRAPH_JSON_VERSION}, graph }`);
  }
  return rebuild(parsed['graph']);
}

function invalid(why: string): GraphError {
  return new GraphError('GRAPH_INVALID', `Invalid graph JSON: ${why}.`);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isTensor(v: unknown): v is Tensor {
  return (
    isObject(v) &&
    typeof v['dtype'] === 'string' &&
    Array.isArray(v['shape']) &&
    ArrayBuffer.isView(v['data'])
  );
}

function encodeTensor(t: Tensor): { dtype: DType; shape: number[]; data: (number | string)[] } {
  const data = Array.from(t.data as ArrayLike<number | bigint>, (v) =>
    typeof v === 'bigint' ? v.toString() : Number.isFinite(v) ? v : String(v),
  );
  return { dtype: t.dtype, shape: [...t.shape], data };
}

function decodeTensor(raw: unknown): Tensor {
  if (!isObject(raw) || !Array.isArray(raw['shape']) || !Array.isArray(raw['data']))
    throw invalid('a $tensor needs dtype, shape and data');
  const shape = raw['shape'] as number[];
  const data = raw['data'] as unknown[];
  const num = (v: unknown): number => (typeof v === 'number' ? v : Number(v));
  try {
    switch (raw['dtype']) {
      case 'float32':
        return createTensor('float32', shape, Float32Array.from(data, num));
      case 'int32':
        return createTensor('int32', shape, Int32Array.from(data, num));
      case 'int64':
        return createTensor(
          'int64',
          shape,
          BigInt64Array.from(data, (v) => BigInt(v as string)),
        );
      case 'bool':
        return createTensor('bool', shape, Uint8Array.from(data, num));
      default:
        throw invalid(`unknown dtype ${JSON.stringify(raw['dtype'])}`);
    }
  } catch (error) {
    if (error instanceof GraphError) throw error;
    throw invalid(`a tensor does not match its shape (${String(error)})`);
  }
}

function list(g: Record<string, unknown>, key: string): Record<string, unknown>[] {
  const v = g[key];
  if (!Array.isArray(v) || !v.every(isObject)) throw invalid(`${key} must be an array of objects`);
  return v;
}

function checkType(v: Record<string, unknown>, what: string): TensorRef {
  const dims = v['shape'];
  const okDims =
    Array.isArray(dims) &&
    dims.every(
      (d) => (Number.isInteger(d) && (d as number) >= 0) || (typeof d === 'string' && d !== ''),
    );
  if (typeof v['name'] !== 'string' || !DTYPES.includes(v['dtype'] as DType) || !okDims) {
    throw invalid(
      `${what} ${JSON.stringify(v['name'])} needs a name, a dtype (${DTYPES.join(', ')}) and a shape`,
    );
  }
  return v as unknown as TensorRef;
}

function checkInitializer(v: unknown, name: string): Initializer {
  const ok =
    isObject(v) &&
    (v['kind'] === 'zeros' ||
      v['kind'] === 'ones' ||
      (v['kind'] === 'normal' && typeof v['std'] === 'number') ||
      (v['kind'] === 'uniform' && typeof v['low'] === 'number' && typeof v['high'] === 'number') ||
      (v['kind'] === 'given' && isTensor(v['tensor'])));
  if (!ok) throw invalid(`parameter ${name} has an invalid initializer`);
  return v as unknown as Initializer;
}

function rebuild(raw: Record<string, unknown>): Graph {
  const b = new GraphBuilder(typeof raw['name'] === 'string' ? raw['name'] : 'graph');
  for (const i of list(raw, 'inputs')) {
    const ref = checkType(i, 'input');
    b.input(ref.name, ref.dtype, ref.shape);
  }
  for (const p of list(raw, 'parameters')) {
    const ref = checkType(p, 'parameter');
    b.parameter(
      ref.name,
      ref.shape as number[],
      checkInitializer(p['initializer'], ref.name),
      ref.dtype,
    );
  }
  for (const n of list(raw, 'nodes')) {
    const node = n as unknown as Node;
    const names = (v: unknown): boolean =>
      Array.isArray(v) && v.every((x) => typeof x === 'string');
    if (!names(node.inputs) || !names(node.outputs) || !isObject(node.attributes)) {
      throw invalid(`node ${String(node.name)} needs inputs, outputs and attributes`);
    }
    b.addNode(String(node.op), node.inputs, node.attributes, node.outputs, String(node.name));
  }
  for (const o of list(raw, 'outputs')) b.output(b.ref(String(o['name'])));
  return b.build();
}
