/**
 * @actllm/core: the contracts every @actllm package talks through (docs/architecture.md).
 * It depends on nothing of ours.
 */
export { ActllmError, InvalidArgumentError, isActllmError } from './errors.js';
export { describeValue } from './describe.js';
export type { ActllmErrorOptions, CoreErrorCode } from './errors.js';

export {
  WORKSPACE,
  angleDifference,
  clampToWorkspace,
  distance,
  interpolatePose,
  isInWorkspace,
  normalizeAngle,
  symmetricAngleDistance,
} from './geometry.js';
export type { Point2, Pose } from './geometry.js';

export {
  ACTION_KINDS,
  END_EFFECTOR_ACTIONS,
  InvalidActionError,
  assertValidAction,
  validateAction,
} from './action.js';
export type {
  Action,
  ActionKind,
  EndEffector,
  InvalidActionReason,
  ValidationResult,
} from './action.js';

export { MAX_IMAGE_PIXELS, VIEW_NAMES, assertImage, createImage } from './image.js';
export type { Image, ViewName } from './image.js';

export type {
  AssetKind,
  BoundingBox,
  Instruction,
  ObjectState,
  Observation,
  PromptAsset,
  Size3,
} from './scene.js';

export type {
  Agent,
  Awaitable,
  Environment,
  EnvironmentMetadata,
  EpisodeOutcome,
  ResetOptions,
  StepInfo,
  StepResult,
} from './environment.js';

export { EPISODE_RECORD_VERSION } from './episode.js';
export type { EpisodeFrame, EpisodeRecord, EpisodeStep } from './episode.js';

export { Rng } from './rng.js';
export type { RngState } from './rng.js';

export { DTYPES, createTensor, shapeSize, tensorFromNumbers, tensorProblem } from './tensor.js';
export type { DType, DTypeArray, Tensor, TensorMap } from './tensor.js';

export type {
  Backend,
  BackendCapabilities,
  BackendCapability,
  InferenceSession,
  Logger,
  SessionOptions,
  Trainer,
} from './backend.js';

export {
  BackendUnavailableError,
  listBackends,
  registerBackend,
  resolveBackend,
} from './registry.js';
export type {
  BackendAttempt,
  BackendInfo,
  BackendStatus,
  ResolveOptions,
  ResolvedBackend,
  SkipReason,
} from './registry.js';

export { processSingleton } from './singleton.js';
