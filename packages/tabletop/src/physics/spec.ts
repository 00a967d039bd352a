import type { Pose } from '@actllm/core';

/** One object to put on the table: what it is and where it starts (resting on the table). */
export interface SpawnSpec {
  /** Stable within an episode, e.g. `obj0`. */
  readonly id: string;
  readonly shape: string;
  readonly color: string;
  /** Uniform scale of the shape's base size. */
  readonly scale: number;
  readonly pose: Pose;
  /**
   * Height of the base above the table (default 0): an object that starts on a container's
   * floor, a stack in a demonstration frame.
   */
  readonly z?: number;
  /** Height multiplier of the shape (default 1): tall and short variants of an object. */
  readonly height?: number;
}

/** Physics settings; the defaults favour speed on a small CPU. */
export interface PhysicsOptions {
  /** Seconds per physics step (default 1/60). */
  readonly timestep?: number;
  /** Solver iterations per step (default 4). */
  readonly solverIterations?: number;
  /** Most steps to wait for the scene to come to rest after an action (default 150). */
  readonly maxSettleSteps?: number;
  /** Spatula speed in workspace units per second (default 0.5). */
  readonly pushSpeed?: number;
}

/**
 * Units: one workspace unit is the table side, taken as 0.5 m; gravity is scaled to match
 * (9.81 / 0.5 units/s^2). The world is z-up: (x, y) on the table, z height.
 */
export const WORKSPACE_METRES = 0.5;
export const GRAVITY = 9.81 / WORKSPACE_METRES;
