import onnxProto from 'onnx-proto';

/**
 * The ONNX protobuf classes. onnx-proto is CommonJS: Node's ESM loader does not see its
 * named export, so it is read from the default export.
 */
export const onnx = onnxProto.onnx;
export type { onnx as OnnxTypes } from 'onnx-proto';

/** A protobuf int64 as decoded: a number, or a Long when long.js is around. */
export type Int64Like = number | { toNumber(): number };

export function toNumber(v: Int64Like | null | undefined): number {
  if (v === null || v === undefined) return 0;
  return typeof v === 'number' ? v : v.toNumber();
}
