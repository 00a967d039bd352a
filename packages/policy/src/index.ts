/**
 * @actllm/policy: the ACTLLM model (vision encoder + decoder-only language model over one
 * sequence of text and visual tokens) and its four losses.
 */
export { PolicyError } from './errors.js';
export type { PolicyErrorCode } from './errors.js';
export { PRESETS, groundingFor, presetConfig, validatePolicyConfig } from './config.js';
export type {
  GroundingConfig,
  InverseDynamicsConfig,
  LanguageModelConfig,
  LossWeights,
  PolicyConfig,
  PresetName,
} from './config.js';
export {
  POLICY_NAMES,
  buildPolicyGraph,
  buildVisualGraph,
  embedSequence,
  outputHead,
  viewTokens,
  visualInputs,
} from './model.js';
export { DECODER_NAMES, buildDecoderGraph } from './decoder.js';
export type { VisualInput } from './model.js';
export { decodeTurn, lookupDraft } from './decode.js';
export type { DecodeOptions, DecodeResult, TokenModel } from './decode.js';
export { KvTokenModel } from './kv-model.js';
export type { VisualSpan } from './kv-model.js';
export {
  PixelCache,
  collate,
  sceneSample,
  shrinkInstruction,
  shrinkViews,
  stepSamples,
} from './batch.js';
export type { LossSegment, SampleOptions, StepSample } from './batch.js';
export {
  CHECKPOINT_FILES,
  CHECKPOINT_VERSION,
  loadCheckpoint,
  saveCheckpoint,
} from './checkpoint.js';
export type { Checkpoint } from './checkpoint.js';
export { PolicyTrainer, learningRate } from './trainer.js';
export type {
  RunEvaluation,
  RunOptions,
  RunProgress,
  RunResult,
  TrainOptions,
  TrainProgress,
  TrainingPosition,
  ValidationReport,
} from './trainer.js';
export { CELL_FIELDS, sceneFromCells } from './cells.js';
export { describeAssets } from './assets.js';
export type { DescribeAsset } from './assets.js';
export type { CellField, CellLogits, CellReadingOptions } from './cells.js';
export { evaluateObservations } from './observation-eval.js';
export type { ObservationFrame, ObservationReport } from './observation-eval.js';
export { ActllmAgent, maxObjectsFor, turnBudget } from './agent.js';
export type {
  AgentOptions,
  ConsistencyOutcome,
  ConsistencyRule,
  Observer,
  Seen,
  StepTrace,
} from './agent.js';
