import { createTensor, type DType, type Tensor, type TensorMap } from '@actllm/core';
import type * as OrtTypes from 'onnxruntime-node';
import type { Ort } from './runtime.js';
import { OnnxBackendError } from './errors.js';

type OrtTensor = OrtTypes.Tensor;

/** Wraps a host tensor for onnxruntime without copying its data. */
export function toOrt(ort: Ort, x: Tensor): OrtTensor {
  return new ort.Tensor(x.dtype, x.data, [...x.shape]);
}

const DTYPES: ReadonlySet<string> = new Set(['float32', 'int32', 'int64', 'bool']);

/** A host tensor viewing an onnxruntime output (its data is a fresh array, not shared). */
export function fromOrt(x: OrtTensor, name: string): Tensor {
  if (!DTYPES.has(x.type)) {
    throw new OnnxBackendError(
      'ONNX_BACKEND_RUNTIME',
      `Output ${name} came back as ${x.type}; graphs only produce float32, int32, int64 and bool.`,
    );
  }
  const dtype = x.type as DType;
  return createTensor(dtype, x.dims, x.data as Tensor['data'] as never);
}

/** Wraps the feeds a run needs (graph's front door has checked them). */
export function feedsFor(
  ort: Ort,
  names: readonly string[],
  feeds: TensorMap,
): Record<string, OrtTensor> {
  const out: Record<string, OrtTensor> = {};
  for (const n of names) out[n] = toOrt(ort, feeds[n] as Tensor);
  return out;
}

/** Every output of a run as host tensors. */
export function outputsFrom(
  result: Readonly<Record<string, OrtTensor>>,
  names: readonly string[],
): Record<string, Tensor> {
  const out: Record<string, Tensor> = {};
  for (const n of names) out[n] = fromOrt(result[n] as OrtTensor, n);
  return out;
}
