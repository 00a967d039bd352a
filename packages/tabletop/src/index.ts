/**
 * @actllm/tabletop: the simulated benchmark the ACTLLM policy is trained on and measured
 * against (Rapier physics, a CPU renderer, task families with scripted oracles, datasets).
 */
export { TabletopError } from './errors.js';
export type { TabletopErrorCode } from './errors.js';

export { TabletopEnv } from './env/environment.js';
export type {
  TabletopEnvOptions,
  TabletopResetOptions,
  EpisodeState,
  FailureKind,
} from './env/environment.js';

export { PhysicsScene } from './physics/scene.js';
export type { SimObject } from './physics/scene.js';
export { loadRapier } from './physics/rapier.js';
export { GRAVITY, WORKSPACE_METRES } from './physics/spec.js';
export type { PhysicsOptions, SpawnSpec } from './physics/spec.js';
export { PHYSICS_LIMITS } from './physics/options.js';

export {
  SHAPES,
  OBJECT_SHAPES,
  CONTAINER_SHAPES,
  MARKING_SHAPES,
  getShape,
  shapeExtents,
  footprintRadius,
  floorHeight,
  withHeight,
} from './objects/shapes.js';
export type { ShapeDef, ShapePart, ContainerRegion } from './objects/shapes.js';
export { COLORS, COLOR_NAMES, DARK_VARIANTS, getColor, surfaceColor } from './objects/colors.js';
export type { ColorDef, Rgb } from './objects/colors.js';
export { buildMesh } from './objects/mesh.js';
export type { Mesh } from './objects/mesh.js';

export { render } from './render/renderer.js';
export type { RenderItem, RenderResult } from './render/renderer.js';
export { DEFAULT_VIEW_SIZES, topCamera, frontCamera } from './render/camera.js';
export type { Camera, ViewSize } from './render/camera.js';

export { encodePng, decodePng, crc32, PNG_MAX_PIXELS } from './image/png.js';

export {
  getTask,
  listTasks,
  registerTask,
  partitionTasks,
  assertTaskInPartition,
  endEffectorOf,
} from './tasks/registry.js';
export {
  NOVEL_SHAPES,
  NOVEL_COLORS,
  NOVEL_CONTAINERS,
  HELD_OUT_COMBOS,
  L4_TASKS,
  TRAIN_TASKS,
  ALL_TASKS,
} from './tasks/splits.js';
export { getPartition, listPartitions } from './tasks/partitions.js';
export {
  describe as describeObject,
  isInside,
  containerCentre,
  noIntruders,
} from './tasks/common.js';
export { WORDS_SHARE } from './tasks/refer.js';
export { COMPARISONS } from './tasks/novel-words.js';
export type { Comparison } from './tasks/novel-words.js';
export { TWIST_ANGLES_DEG } from './tasks/twist.js';
export { DIRECTIONS } from './tasks/old-neighbor.js';
export type { Direction } from './tasks/old-neighbor.js';
export { COUNT_WORDS } from './tasks/sweep-layout.js';
export type { CountWord } from './tasks/sweep-layout.js';
export type { SweepGoal } from './tasks/sweep.js';
export type { ExceedingGoal } from './tasks/sweep-exceeding.js';
export type { TouchingGoal } from './tasks/sweep-touching.js';
export type {
  AssetSpec,
  BodyPose,
  Look,
  PartitionSpec,
  TaskFamily,
  TaskSample,
  TaskState,
} from './tasks/types.js';
export type { PutIntoGoal } from './tasks/visual-manipulation.js';
export type { RotateGoal } from './tasks/rotate.js';
export type { RearrangeGoal } from './tasks/rearrange.js';
export type { GatherGoal } from './tasks/gather.js';
export type { TwistGoal } from './tasks/twist.js';
export type { FollowMotionGoal } from './tasks/follow-motion.js';
export type { FollowOrderGoal } from './tasks/follow-order.js';
export type { OldNeighborGoal } from './tasks/old-neighbor.js';
export type { PickInOrderGoal } from './tasks/pick-in-order.js';

export { deriveSeed } from './seeds.js';

export {
  INTENSITIES,
  INTENSITY_SETTINGS,
  PERTURBATION_KINDS,
  perturbationSchedule,
} from './dynamic/schedule.js';
export type { Intensity, PerturbationKind } from './dynamic/schedule.js';
export type { Perturbation } from './dynamic/perturb.js';
export { goalIds } from './tasks/goal-ids.js';

export { generateDataset } from './dataset/generate.js';
export type { GenerateOptions, GenerateProgress } from './dataset/generate.js';
export {
  DATASET_FORMAT,
  DATASET_FORMAT_VERSION,
  countEpisodes,
  episodeId,
} from './dataset/format.js';
export { openDataset, readManifest } from './dataset/reader.js';
export type { DatasetEpisode, ReadDatasetOptions, TabletopDataset } from './dataset/reader.js';
export { EpisodeDamagedError } from './dataset/verify.js';
export type {
  DatasetConfig,
  DatasetManifest,
  EpisodeSlice,
  EpisodeSummary,
  TabletopEpisodeRecord,
} from './dataset/format.js';

export { evaluate, EvaluationAbortedError } from './bench/evaluate.js';
export type { EvaluateOptions, EvaluationReport, LevelReport } from './bench/evaluate.js';
export { runEpisode } from './bench/episode.js';
export type { EpisodeResult, EpisodeSpec } from './bench/episode.js';
export { FAILURE_CAUSES, summarize } from './bench/summary.js';
export type { FailureCause, RateSummary } from './bench/summary.js';
export { wilson } from './bench/stats.js';
export { OracleAgent, RandomAgent, isPrivileged } from './bench/agents.js';
export type { PrivilegedAgent } from './bench/agents.js';
