import * as tf from '@tensorflow/tfjs-core';
import { tensorFromNumbers, type DType, type Tensor } from '@actllm/core';
import { TfjsBackendError } from './errors.js';

/**
 * Host tensors in and out of tfjs. tfjs has no int64: int64 tensors are held as int32
 * (every value is checked against the int32 range on the way in) and turned back into
 * BigInt64Array on the way out. bool is tfjs 'bool' (one byte per element, as in core).
 */

const INT32_MIN = -2147483648n;
const INT32_MAX = 2147483647n;

/** The tfjs dtype that holds an IR dtype. */
export function tfDtype(dtype: DType): 'float32' | 'int32' | 'bool' {
  return dtype === 'int64' ? 'int32' : dtype;
}

/** int64 values as int32, refusing any that does not fit. */
export function int64ToInt32(data: BigInt64Array, what: string): Int32Array {
  const out = new Int32Array(data.length);
  for (let i = 0; i < data.length; i++) {
    const v = data[i] as bigint;
    if (v < INT32_MIN || v > INT32_MAX) {
      throw new TfjsBackendError(
        'TFJS_INT64_RANGE',
        `${what} holds the int64 value ${v}, outside the int32 range tfjs computes in; keep int64 values within +-2^31 or use another backend.`,
      );
    }
    out[i] = Number(v);
  }
  return out;
}

/** A host tensor as a tfjs tensor on the active backend. */
export function toTf(t: Tensor, what: string): tf.Tensor {
  const shape = [...t.shape];
  if (t.dtype === 'int64')
    return tf.tensor(int64ToInt32(t.data as BigInt64Array, what), shape, 'int32');
  if (t.dtype === 'bool') return tf.tensor((t.data as Uint8Array).slice(), shape, 'bool');
  return tf.tensor((t.data as Float32Array | Int32Array).slice(), shape, t.dtype);
}

/** A tfjs tensor read back as a host tensor of the IR dtype `dtype`. */
export function fromTf(t: tf.Tensor, dtype: DType): Tensor {
  return tensorFromNumbers(dtype, [...t.shape], t.dataSync());
}
