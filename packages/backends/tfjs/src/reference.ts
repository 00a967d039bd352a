import * as tf from '@tensorflow/tfjs-core';
import { getOp, type Node, type Value } from '@actllm/graph';
import { TfjsBackendError } from './errors.js';
import type { Kernel } from './kernels/types.js';

/**
 * The fallback of last resort: a node computed by @actllm/graph's reference kernel on the
 * host. Used where the active runtime lacks a tfjs kernel (or a dtype of one, such as
 * integer matrix products on wasm); exact, and slow only for the ops that need it.
 */

function toValue(t: tf.Tensor): Value {
  const data = t.dataSync();
  const shape = [...t.shape];
  if (t.dtype === 'bool') return { dtype: 'bool', shape, data: Uint8Array.from(data) };
  if (t.dtype === 'int32') return { dtype: 'int32', shape, data: Int32Array.from(data) };
  return { dtype: 'float32', shape, data: Float32Array.from(data) };
}

function fromValue(v: Value): tf.Tensor {
  const shape = [...v.shape];
  if (v.dtype === 'bool') return tf.tensor(Uint8Array.from(v.data), shape, 'bool');
  if (v.dtype === 'float32') return tf.tensor(Float32Array.from(v.data), shape, 'float32');
  // int64 values arrive as doubles; tfjs holds them as int32.
  return tf.tensor(Int32Array.from(v.data), shape, 'int32');
}

export function referenceKernel(node: Node): Kernel {
  const def = getOp(node.op);
  return (inputs) => {
    const values = inputs.map((t) => (t ? toValue(t) : undefined));
    let out: Value[];
    try {
      out = def.kernel(values, node.attributes, {
        precision: 'float32',
        outputCount: node.outputs.length,
      });
    } catch (error) {
      throw new TfjsBackendError(
        'TFJS_RUNTIME',
        `${node.op} ${node.name} failed in the reference fallback: ${error instanceof Error ? error.message : String(error)}`,
        { cause: error },
      );
    }
    return out.map(fromValue);
  };
}
