import type * as tf from '@tensorflow/tfjs-core';
import type { Attributes, Node, TensorType } from '@actllm/graph';
import type { RuntimeName } from '../runtime.js';

/** What a kernel factory knows about its node when a plan is compiled. */
export interface KernelSpec {
  readonly node: Node;
  readonly attrs: Attributes;
  /** Values of inputs that are constants of the graph (axes, shapes, pads...), else undefined. */
  readonly constants: readonly (readonly number[] | undefined)[];
  /** IR types of the inputs, where shape inference knows them. */
  readonly types: readonly (TensorType | undefined)[];
  readonly runtime: RuntimeName;
  /** The graph's reference kernel for this node, run on the host: the fallback of last resort. */
  readonly reference: Kernel;
  /** Whether the runtime multiplies integer matrices (the wasm BatchMatMul is float-only). */
  readonly intMatMul: boolean;
}

/** One compiled node: tfjs tensors in (undefined for an omitted input), tensors out. */
export type Kernel = (inputs: readonly (tf.Tensor | undefined)[]) => tf.Tensor[];

export interface KernelDef {
  /** Builds the kernel once per plan, with attributes and constant operands resolved. */
  readonly create: (spec: KernelSpec) => Kernel;
  /** tfjs kernels it dispatches to; when the runtime lacks one, the reference kernel runs instead. */
  readonly tfKernels: readonly string[];
}
