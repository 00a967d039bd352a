/**
 * @actllm/graph: a typed tensor-graph IR with ONNX operator semantics (opset 17), a builder
 * with shape inference, a reference interpreter, reverse-mode autodiff, AdamW and training
 * step graphs, graph passes, ONNX and safetensors I/O.
 */
export { GraphError } from './errors.js';
export type { GraphErrorCode } from './errors.js';

export { OPSET } from './ir.js';
export type {
  AttributeValue,
  Attributes,
  Dim,
  Graph,
  GraphBackend,
  Initializer,
  Node,
  Parameter,
  Shape,
  TensorRef,
  TensorType,
} from './ir.js';

export { GraphBuilder } from './builder.js';
export type { GemmOptions, LayerNormOptions, Operand } from './builder.js';

export { BUILTIN_OPS, getOp, hasOp, listOps, registerOp } from './registry.js';
export type { AttributeKind, GradContext, InferInput, KernelContext, OpDef } from './op-def.js';
export { dtypeError, shapeError } from './op-def.js';

export { run } from './interpreter.js';
export type { RunOptions } from './interpreter.js';
export { LIMITS } from './values.js';
export type { Limits, NumArray, Precision, Value, WideTensor } from './values.js';

export { grad, gradName } from './autodiff.js';
export type { GradGraph, GradOptions } from './autodiff.js';

export {
  applyMask,
  causalMask,
  embedding,
  gelu,
  rmsnorm,
  rotary,
  softmaxCrossEntropy,
  tokenNll,
  weightedMean,
} from './composite.js';
export type { CrossEntropyOptions, RotaryOptions } from './composite.js';

export { initParameter, initParameters } from './init.js';

export * from './layers/index.js';

export { adamw, globalNorm } from './optim.js';
export type { AdamWOptions, AdamWSlot, AdamWUpdate } from './optim.js';

export {
  GRAD_NORM_OUTPUT,
  LR_INPUT,
  STEP_INPUT,
  buildTrainingStep,
  initTrainingState,
  momentNames,
  nextName,
  runTrainingStep,
} from './training.js';
export type { TrainingOptions, TrainingStep } from './training.js';

export { inferTypes } from './infer.js';

export { ONNX_IR_VERSION, toOnnx } from './onnx/export.js';
export type { ToOnnxOptions } from './onnx/export.js';
export { IMPORT_OPSETS, fromOnnx } from './onnx/import.js';
export type { FromOnnxOptions, FromOnnxResult } from './onnx/import.js';

export { MAX_HEADER_BYTES, decodeSafetensors, encodeSafetensors } from './safetensors.js';
export type { Safetensors } from './safetensors.js';
export { readSafetensors, writeSafetensors } from './safetensors-file.js';

export {
  eliminateCommonSubexpressions,
  eliminateDeadCode,
  eliminateIdentities,
  foldConstants,
  optimize,
} from './passes/index.js';
export type { FoldOptions } from './passes/index.js';

export { GRAPH_JSON_VERSION, graphFromJSON, graphToJSON } from './serialize.js';

export { checkFeeds, feedMismatch } from './feeds.js';

export { GraphSession, GraphTrainer, createSession, createTrainer } from './session.js';
export { referenceBackend } from './reference-backend.js';
export type { GraphSessionOptions } from './session.js';
export { broadcastConcrete } from './ops/util.js';
