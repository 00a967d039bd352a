/**
 * @actllm/descriptor: structured scene descriptors (docs/architecture.md).
 * A scene is a list of objects `{ object, color, x, y }` with optional extras; this package
 * builds scenes from ground truth, writes them as canonical JSON or as a compact token form
 * for the language model, reads model output back (strictly or tolerantly), explains the
 * change between two scenes as an action, and scores predicted scenes against the truth.
 * It depends on @actllm/core only.
 */
export { DescriptorError } from './errors.js';
export type { DescriptorErrorCode } from './errors.js';

export {
  DescribedObjectSchema,
  MAX_SCENE_OBJECTS,
  NAME_PATTERN,
  SCENE_SCHEMA_VERSION,
  SceneDescriptorSchema,
  assertScene,
  sceneJsonSchema,
  validateScene,
} from './schema.js';
export type { DescribedObject, SceneDescriptor, SceneValidation } from './schema.js';

export {
  DEFAULT_BINS,
  MAX_BINS,
  fromAngleBin,
  fromBin,
  quantizeAngle,
  quantizeUnit,
  toAngleBin,
  toBin,
} from './quantize.js';

export { buildScene, canonicalizeScene, compareObjects } from './build.js';
export type { BuildOptions, Frame } from './build.js';

export { toJson } from './serialize-json.js';
export type { JsonOptions } from './serialize-json.js';
export { toCompact } from './serialize-compact.js';
export type { CompactOptions } from './serialize-compact.js';
export {
  BIN_FIELDS,
  ID_MARK,
  OBJECT_CLOSE,
  OBJECT_OPEN,
  SCENE_CLOSE,
  SCENE_OPEN,
  binToken,
  compactVocabulary,
  viewToken,
} from './vocabulary.js';
export type { BinField } from './vocabulary.js';

export { detectFormat, parseScene } from './parse.js';
export type { ParseMode, ParseOptions, ParseResult, SceneFormat } from './parse.js';
export type { ParseProblem, ProblemCode } from './problems.js';

export { inferAction } from './infer-action.js';
export type { AmbiguityReason, InferOptions, MovedObject, Transition } from './infer-action.js';

export { compare } from './metrics.js';
export type { CompareOptions, MatchedPair, SceneComparison } from './metrics.js';
