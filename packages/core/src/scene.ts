import type { Pose } from './geometry.js';
import type { EndEffector } from './action.js';
import type { Image, ViewName } from './image.js';

/**
 * An axis-aligned box in a view's image, normalized to [0, 1] by the image width (x) and
 * height (y), origin at the top-left corner.
 */
export interface BoundingBox {
  readonly x0: number;
  readonly y0: number;
  readonly x1: number;
  readonly y1: number;
}

/** Extents of an object along its own axes, in workspace units (the table side is 1). */
export interface Size3 {
  readonly x: number;
  readonly y: number;
  readonly z: number;
}

/** Ground truth about one object, as the simulator knows it. */
export interface ObjectState {
  /** Stable within an episode. */
  readonly id: string;
  /** Shape name, e.g. `block`, `bowl`, `letter_r`. */
  readonly shape: string;
  /** Colour or texture name, e.g. `red`, `red_and_blue_stripe`. */
  readonly color: string;
  /** Position of the object's centre on the table, and its yaw. */
  readonly pose: Pose;
  /** Height of the object's base above the table, in workspace units (0 when resting on it). */
  readonly z: number;
  readonly size: Size3;
  /** Bounding box in each view's image; `null` when the object is not visible there. */
  readonly bbox: Readonly<Partial<Record<ViewName, BoundingBox | null>>>;
}

/** What a prompt asset shows: one object, or a whole scene (or a frame of a demonstration). */
export type AssetKind = 'object' | 'scene';

/**
 * A picture referenced by an instruction, with its ground truth. `F` is how frames are held:
 * {@link Image} in memory, a file path on disk.
 */
export interface PromptAsset<F = Image> {
  readonly kind: AssetKind;
  readonly views: Readonly<Partial<Record<ViewName, F>>>;
  readonly objects: readonly ObjectState[];
}

/**
 * A task instruction: text that names its assets in braces, e.g.
 * `Rearrange to this {scene}.` with `assets.scene`.
 */
export interface Instruction<F = Image> {
  readonly text: string;
  readonly assets?: Readonly<Record<string, PromptAsset<F>>>;
}

/** What the agent receives at every step. */
export interface Observation {
  /** 0 for the observation returned by `reset`. */
  readonly step: number;
  readonly views: Readonly<Record<ViewName, Image>>;
  readonly instruction: Instruction;
  /** Ground truth, for dataset labels and privileged baselines; the ACTLLM agent never reads it at test time. */
  readonly objects?: readonly ObjectState[];
  /** The end effector mounted for this episode, when the environment has one per task. */
  readonly endEffector?: EndEffector;
}
