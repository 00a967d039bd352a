import { createTensor, type DType, type Tensor } from '@actllm/core';
import { GraphError } from '../errors.js';
import { checkSize } from '../values.js';
import { onnx, toNumber, type Int64Like, type OnnxTypes } from './proto.js';

/** ONNX TensorProto.DataType codes of the IR dtypes. */
export const ONNX_DTYPE: Readonly<Record<DType, number>> = {
  float32: 1,
  int32: 6,
  int64: 7,
  bool: 9,
};

export function dtypeFromOnnx(code: number, where: string): DType {
  const found = (Object.keys(ONNX_DTYPE) as DType[]).find((d) => ONNX_DTYPE[d] === code);
  if (!found) {
    throw new GraphError(
      'GRAPH_UNSUPPORTED_OP',
      `${where} has ONNX data type ${code}; only float32 (1), int32 (6), int64 (7) and bool (9) are supported.`,
    );
  }
  return found;
}

/** Little-endian bytes of a tensor, as TensorProto.raw_data stores them. */
function rawBytes(t: Tensor): Uint8Array {
  const n = t.data.length;
  if (t.dtype === 'bool') return Uint8Array.from(t.data as Uint8Array);
  const size = t.dtype === 'int64' ? 8 : 4;
  const view = new DataView(new ArrayBuffer(n * size));
  for (let i = 0; i < n; i++) {
    if (t.dtype === 'float32') view.setFloat32(i * 4, (t.data as Float32Array)[i] ?? 0, true);
    else if (t.dtype === 'int32') view.setInt32(i * 4, (t.data as Int32Array)[i] ?? 0, true);
    else view.setBigInt64(i * 8, (t.data as BigInt64Array)[i] ?? 0n, true);
  }
  return new Uint8Array(view.buffer);
}

export function tensorToProto(t: Tensor, name = ''): InstanceType<typeof onnx.TensorProto> {
  return onnx.TensorProto.create({
    name,
    dims: [...t.shape],
    dataType: ONNX_DTYPE[t.dtype],
    rawData: rawBytes(t),
  });
}

/** Reads a TensorProto (raw_data or the typed repeated fields) into a core Tensor. */
export function tensorFromProto(p: OnnxTypes.ITensorProto, where: string): Tensor {
  const dtype = dtypeFromOnnx(p.dataType ?? 0, where);
  const shape = ((p.dims ?? []) as Int64Like[]).map(toNumber);
  if (!shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    throw new GraphError(
      'ONNX_INVALID',
      `${where} has dims [${shape.join(', ')}]; dimensions must be non-negative integers.`,
    );
  }
  const n = shape.reduce((a, d) => a * d, 1);
  // Before any allocation: the element count comes from the dims, which a file can inflate.
  checkSize(n, where);
  if (p.dataLocation === onnx.TensorProto.DataLocation.EXTERNAL) {
    throw new GraphError(
      'ONNX_INVALID',
      `${where} stores its data externally; save the model with all tensors inside it.`,
    );
  }
  const raw = p.rawData && p.rawData.length > 0 ? p.rawData : undefined;
  if (raw) return fromRaw(dtype, shape, n, raw, where);
  switch (dtype) {
    case 'float32':
      return createTensor('float32', shape, Float32Array.from(fieldData(p.floatData, n, where)));
    case 'int32':
      return createTensor('int32', shape, Int32Array.from(fieldData(p.int32Data, n, where)));
    case 'bool':
      return createTensor('bool', shape, Uint8Array.from(fieldData(p.int32Data, n, where)));
    case 'int64':
      return createTensor(
        'int64',
        shape,
        BigInt64Array.from(
          fieldData(p.int64Data as Int64Like[] | null | undefined, n, where),
          (v) => BigInt(toNumber(v)),
        ),
      );
  }
}

/** A typed repeated field, checked against the element count (never trusted). */
function fieldData<T>(
  data: readonly T[] | null | undefined,
  n: number,
  where: string,
): readonly T[] {
  const d = data ?? [];
  if (d.length !== n) {
    throw new GraphError('ONNX_INVALID', `${where}: ${d.length} values stored for ${n} elements.`);
  }
  return d;
}

function fromRaw(dtype: DType, shape: number[], n: number, raw: Uint8Array, where: string): Tensor {
  const size = dtype === 'bool' ? 1 : dtype === 'int64' ? 8 : 4;
  if (raw.length !== n * size) {
    throw new GraphError(
      'ONNX_INVALID',
      `${where}: raw_data has ${raw.length} bytes; shape [${shape.join(', ')}] of ${dtype} needs ${n * size}.`,
    );
  }
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  switch (dtype) {
    case 'float32':
      return createTensor(
        'float32',
        shape,
        Float32Array.from({ length: n }, (_, i) => view.getFloat32(i * 4, true)),
      );
    case 'int32':
      return createTensor(
        'int32',
        shape,
        Int32Array.from({ length: n }, (_, i) => view.getInt32(i * 4, true)),
      );
    case 'int64':
      return createTensor(
        'int64',
        shape,
        BigInt64Array.from({ length: n }, (_, i) => view.getBigInt64(i * 8, true)),
      );
    case 'bool':
      return createTensor(
        'bool',
        shape,
        Uint8Array.from(raw, (b) => (b ? 1 : 0)),
      );
  }
}
