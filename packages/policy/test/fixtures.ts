import {
  EPISODE_RECORD_VERSION,
  type Observation,
  createImage,
  type Action,
  type EpisodeFrame,
  type EpisodeRecord,
  type Image,
  type ObjectState,
  type Pose,
} from '@actllm/core';
import { buildTokenizer } from '@actllm/dialogue';
import { referenceBackend } from '@actllm/graph';
import type { AgentOptions } from '../src/index.js';

// A synthetic two-step episode built from core only: the policy never depends on tabletop.

export const NAMES = ['block', 'bowl', 'red', 'green', 'blue'];
export const tokenizer = buildTokenizer({
  texts: ['Put the {dragged} into the {base}.'],
  names: NAMES,
});

function object(id: string, shape: string, color: string, pose: Pose): ObjectState {
  const h = 0.05;
  return {
    id,
    shape,
    color,
    pose,
    z: 0,
    size: { x: 2 * h, y: 2 * h, z: 0.04 },
    bbox: { top: { x0: pose.x - h, y0: pose.y - h, x1: pose.x + h, y1: pose.y + h } },
  };
}

function frame(objects: readonly ObjectState[], shade: number): EpisodeFrame<Image> {
  return {
    views: {
      top: createImage(48, 48, [shade, 40, 90]),
      front: createImage(64, 32, [90, shade, 40]),
    },
    objects,
  };
}

export function episode(): EpisodeRecord<Image> {
  const bowl = object('o1', 'bowl', 'green', { x: 0.7, y: 0.3, theta: 0 });
  const red = object('o2', 'block', 'red', { x: 0.31, y: 0.64, theta: 0 });
  const blue = object('o3', 'block', 'blue', { x: 0.2, y: 0.4, theta: 0 });
  const redIn = { ...red, pose: { x: 0.7, y: 0.3, theta: 0 } };
  const blueIn = { ...blue, pose: { x: 0.72, y: 0.32, theta: 0 } };
  const actions: Action[] = [
    { kind: 'pick_place', from: red.pose, to: redIn.pose },
    { kind: 'pick_place', from: blue.pose, to: blueIn.pose },
  ];
  const scenes = [
    [bowl, red, blue],
    [bowl, redIn, blue],
    [bowl, redIn, blueIn],
  ];
  return {
    version: EPISODE_RECORD_VERSION,
    id: 'put-000001',
    task: 'visual_manipulation',
    partition: 'train',
    seed: 1,
    instruction: {
      text: 'Put the {dragged} into the {base}.',
      assets: {
        dragged: {
          kind: 'object',
          views: { top: createImage(16, 16, [200, 0, 0]) },
          objects: [red],
        },
        base: { kind: 'object', views: { top: createImage(16, 16, [0, 200, 0]) }, objects: [bowl] },
      },
    },
    steps: actions.map((action, t) => ({ observation: frame(scenes[t]!, 50 + 60 * t), action })),
    final: frame(scenes[2]!, 170),
    outcome: 'success',
  };
}

/** An episode's observations as an agent is shown them: no ground truth. */
export function observationsOf(record: EpisodeRecord<Image>): Observation[] {
  return [...record.steps.map((s) => s.observation), record.final].map((f, step) => ({
    step,
    views: f.views,
    instruction: record.instruction,
  }));
}

/** The fixtures' scene names, for an agent's grammar. */
export const SHAPES = ['block', 'bowl'];
export const COLORS = NAMES.filter((n) => !SHAPES.includes(n));

/** Agent options for the fixtures, on graph's reference backend. */
export const AGENT_OPTIONS: AgentOptions = {
  shapes: SHAPES,
  colors: COLORS,
  maxObjects: 3,
  session: { backend: referenceBackend },
};
