import {
  EPISODE_RECORD_VERSION,
  Rng,
  type Action,
  type EpisodeFrame,
  type EpisodeRecord,
  type EpisodeStep,
  type Instruction,
  type ObjectState,
  type Pose,
} from '@actllm/core';

// Synthetic episodes built from core's Rng only: dialogue may not depend on tabletop.

export const SHAPES = ['block', 'bowl', 'letter_r', 'L-block', 'ring.2', 'pan', 'heart'] as const;
export const COLORS = ['red', 'green', 'blue', 'yellow', 'red_and_blue_stripe', 'purple'] as const;
export const TEMPLATES = [
  'Put the {dragged} into the {base}.',
  'Rotate the {object} 120 degrees.',
  'Rearrange to this {scene}.',
  'Stack all the blocks, then stop.',
] as const;

export function object(id: string, shape: string, color: string, pose: Pose): ObjectState {
  const half = 0.04;
  const clamp = (v: number) => Math.min(1, Math.max(0, v));
  return {
    id,
    shape,
    color,
    pose,
    z: 0,
    size: { x: 2 * half, y: 2 * half, z: 0.04 },
    bbox: {
      top: {
        x0: clamp(pose.x - half),
        y0: clamp(pose.y - half),
        x1: clamp(pose.x + half),
        y1: clamp(pose.y + half),
      },
    },
  };
}

export function frame(path: string, objects: readonly ObjectState[]): EpisodeFrame<string> {
  return { views: { top: `${path}_top.png`, front: `${path}_front.png` }, objects };
}

function randomPose(rng: Rng): Pose {
  return {
    x: rng.float(0.05, 0.95),
    y: rng.float(0.05, 0.95),
    theta: rng.float(-Math.PI, Math.PI),
  };
}

/** The action for one object and the object after it: a pick-and-place or a straight push. */
function randomMove(rng: Rng, target: ObjectState): { action: Action; moved: ObjectState } {
  const { pose } = target;
  if (rng.bool()) {
    const to = randomPose(rng);
    return { action: { kind: 'pick_place', from: pose, to }, moved: { ...target, pose: to } };
  }
  const heading = rng.float(-Math.PI, Math.PI);
  const length = rng.float(0.05, 0.2);
  const clamp = (v: number) => Math.min(0.95, Math.max(0.05, v));
  const end = {
    x: clamp(pose.x + length * Math.cos(heading)),
    y: clamp(pose.y + length * Math.sin(heading)),
  };
  const action: Action = {
    kind: 'push',
    from: { ...pose, theta: heading },
    to: { ...end, theta: heading },
  };
  return { action, moved: { ...target, pose: { ...end, theta: pose.theta } } };
}

function instruction(rng: Rng, objects: readonly ObjectState[]): Instruction<string> {
  const text = rng.pick(TEMPLATES);
  const names = [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1] ?? '');
  const assets = Object.fromEntries(
    names.map((name) => [
      name,
      {
        kind: name === 'scene' ? 'scene' : 'object',
        views: { top: `assets/${name}_top.png` },
        objects,
      },
    ]),
  );
  return { text, assets } as Instruction<string>;
}

/** A random episode whose every next scene is the one its action leads to. */
export function syntheticEpisode(seed: number): EpisodeRecord<string> {
  const rng = new Rng(seed);
  let objects = Array.from({ length: rng.int(1, 6) }, (_, i) =>
    object(`o${i}`, rng.pick(SHAPES), rng.pick(COLORS), randomPose(rng)),
  );
  const start = objects;
  const steps: EpisodeStep<string>[] = [];
  for (let t = 0, n = rng.int(1, 5); t < n; t++) {
    const index = rng.int(0, objects.length);
    const { action, moved } = randomMove(rng, objects[index]!);
    steps.push({ observation: frame(`frames/${String(t).padStart(3, '0')}`, objects), action });
    objects = objects.map((o, i) => (i === index ? moved : o));
  }
  return {
    version: EPISODE_RECORD_VERSION,
    id: `synthetic-${String(seed).padStart(6, '0')}`,
    task: 'synthetic',
    partition: 'train',
    seed,
    instruction: instruction(rng, start),
    steps,
    final: frame(`frames/${String(steps.length).padStart(3, '0')}`, objects),
    outcome: 'success',
  };
}

/** The README's episode: a red block into a bowl, a blue block placed and turned, then pushed. */
export function readmeEpisode(): EpisodeRecord<string> {
  const bowl = object('o1', 'bowl', 'green', { x: 0.72, y: 0.25, theta: 0 });
  const red = object('o2', 'block', 'red', { x: 0.31, y: 0.64, theta: 0.5 });
  const blue = object('o3', 'block', 'blue', { x: 0.18, y: 0.4, theta: 0 });
  const at = (o: ObjectState, pose: Pose): ObjectState => ({ ...o, pose });
  const redIn = at(red, { x: 0.72, y: 0.25, theta: 0.5 });
  const bluePlaced = at(blue, { x: 0.45, y: 0.8, theta: Math.PI / 2 });
  const bluePushed = at(blue, { x: 0.6, y: 0.8, theta: Math.PI / 2 });
  const scenes = [
    [bowl, red, blue],
    [bowl, redIn, blue],
    [bowl, redIn, bluePlaced],
    [bowl, redIn, bluePushed],
  ];
  const actions: Action[] = [
    { kind: 'pick_place', from: red.pose, to: redIn.pose },
    { kind: 'pick_place', from: blue.pose, to: bluePlaced.pose },
    { kind: 'push', from: { x: 0.38, y: 0.8, theta: 0 }, to: { x: 0.55, y: 0.8, theta: 0 } },
  ];
  return {
    version: EPISODE_RECORD_VERSION,
    id: 'rearrange-000007',
    task: 'rearrange',
    partition: 'train',
    seed: 7,
    instruction: {
      text: 'Rearrange to this {scene}.',
      assets: {
        scene: { kind: 'scene', views: { top: 'assets/scene_top.png' }, objects: scenes[3]! },
      },
    },
    steps: actions.map((action, t) => ({
      observation: frame(`frames/00${t}`, scenes[t]!),
      action,
    })),
    final: frame('frames/003', scenes[3]!),
    outcome: 'success',
  };
}
