import type { Backend, DType, Tensor } from '@actllm/core';
import type { TrainingStep } from './training.js';

/**
 * The graph IR: plain data (structured-clone friendly), with ONNX operator semantics so
 * that a graph serializes 1:1 to an ONNX ModelProto.
 */

/** The ONNX default-domain opset whose semantics the IR follows. */
export const OPSET = 17;

/** A dimension: a size, or a symbol such as `'batch'` that is bound when the graph runs. */
export type Dim = number | string;
export type Shape = readonly Dim[];

/** The static type of a tensor in a graph. */
export interface TensorType {
  readonly dtype: DType;
  readonly shape: Shape;
}

/** A named tensor of a graph: what the builder hands out and takes back. */
export interface TensorRef extends TensorType {
  readonly name: string;
}

/** How a parameter's first value is made (see `initParameters`). */
export type Initializer =
  | { readonly kind: 'zeros' }
  | { readonly kind: 'ones' }
  | { readonly kind: 'normal'; readonly std: number; readonly mean?: number }
  | { readonly kind: 'uniform'; readonly low: number; readonly high: number }
  | { readonly kind: 'given'; readonly tensor: Tensor };

/** A trainable (or frozen) weight: always a concrete shape. */
export interface Parameter {
  readonly name: string;
  readonly dtype: DType;
  readonly shape: readonly number[];
  readonly initializer: Initializer;
}

/** Attribute values; the op definition says which ONNX attribute type each one has. */
export type AttributeValue = number | string | readonly number[] | readonly string[] | Tensor;
export type Attributes = Readonly<Record<string, AttributeValue>>;

/** One ONNX operator application. An input named `''` is an omitted optional input. */
export interface Node {
  readonly op: string;
  readonly name: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly attributes: Attributes;
}

/** A whole graph. Nodes are in topological order. */
export interface Graph {
  readonly name: string;
  readonly opset: number;
  readonly inputs: readonly TensorRef[];
  readonly outputs: readonly TensorRef[];
  readonly parameters: readonly Parameter[];
  readonly nodes: readonly Node[];
}

/** A backend that executes this IR: core's contract for graphs and their training steps. */
export type GraphBackend = Backend<Graph, TrainingStep>;
