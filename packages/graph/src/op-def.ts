import type { Attributes, Dim, Node, TensorRef, TensorType } from './ir.js';
import type { GraphBuilder } from './builder.js';
import type { Precision, Value } from './values.js';
import { GraphError } from './errors.js';

/** The ONNX attribute type of each attribute an op takes (`dtype` is an ONNX data-type int). */
export type AttributeKind = 'int' | 'float' | 'ints' | 'floats' | 'string' | 'tensor' | 'dtype';

/** An op input as shape inference sees it; `value` is known when the input is a constant. */
export interface InferInput extends TensorRef {
  readonly value?: readonly number[];
  /** For int64 shape vectors from a Shape node: the (possibly symbolic) dimensions. */
  readonly dims?: readonly Dim[];
}

export interface KernelContext {
  readonly precision: Precision;
  /** How many outputs the node declares (Split without sizes splits equally among them). */
  readonly outputCount: number;
}

/** What a gradient rule receives: the forward node and the gradients of its outputs. */
export interface GradContext {
  readonly g: GraphBuilder;
  readonly node: Node;
  /** Forward inputs (`undefined` for an omitted optional input). */
  readonly inputs: readonly (TensorRef | undefined)[];
  readonly outputs: readonly TensorRef[];
  /** Gradient of each output; `undefined` where the loss does not depend on it. */
  readonly dOutputs: readonly (TensorRef | undefined)[];
}

/**
 * One operator: its ONNX signature, shape inference, reference kernel and gradient rule.
 * Backends enumerate these (see `listOps`) to know what they must implement.
 */
export interface OpDef {
  readonly type: string;
  readonly attributes: Readonly<Record<string, AttributeKind>>;
  /** Inputs the op accepts: required first, then optional ones. */
  readonly inputs: { readonly min: number; readonly max: number };
  /** Output types; `outputCount` is how many outputs the node declares. */
  infer(
    inputs: readonly (InferInput | undefined)[],
    attrs: Attributes,
    outputCount: number,
  ): TensorType[];
  /** The reference implementation (ONNX semantics). */
  kernel(inputs: readonly (Value | undefined)[], attrs: Attributes, ctx: KernelContext): Value[];
  /**
   * The gradient of the loss with respect to each input, as new nodes in `ctx.g`; absent for
   * ops that are not differentiable (their inputs get no gradient).
   */
  grad?(ctx: GradContext): (TensorRef | undefined)[];
  /** A build-time value computed from input types alone (Shape of a concrete tensor). */
  foldFromTypes?(inputs: readonly (InferInput | undefined)[], attrs: Attributes): Dim[] | undefined;
}

/** `op(name: dtype[shape], ...)`, how shape and dtype errors name an op and its inputs. */
function describeCall(op: string, inputs: readonly (InferInput | undefined)[]): string {
  const described = inputs
    .map((i) => (i ? `${i.name}: ${i.dtype}[${i.shape.join(', ')}]` : '(omitted)'))
    .join(', ');
  return `${op}(${described})`;
}

/** A shape error that names the op, its inputs and their shapes. */
export function shapeError(
  op: string,
  inputs: readonly (InferInput | undefined)[],
  reason: string,
): GraphError {
  return new GraphError('GRAPH_SHAPE_MISMATCH', `${describeCall(op, inputs)}: ${reason}`);
}

/** A dtype error that names the op and its inputs. */
export function dtypeError(
  op: string,
  inputs: readonly (InferInput | undefined)[],
  reason: string,
): GraphError {
  return new GraphError('GRAPH_DTYPE_MISMATCH', `${describeCall(op, inputs)}: ${reason}`);
}
