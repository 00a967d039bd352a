import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Action, Image, ViewName } from '@actllm/core';
import { writeFileAtomicSync } from '@actllm/core/node';
import * as gifModule from 'gifenc';

/**
 * The replay of an episode as an animated GIF: one frame per step, the views side by side
 * (top first), the step's action drawn on the top view (a line from the pick pose to the
 * place pose, or along the push, with a ring at the start and a dot in a ring at the end).
 * The top view is orthographic over the workspace, so a pose (x, y) is the pixel
 * (x * width, (1 - y) * height). Drawing is a few stamps into the RGB buffer; the frames are
 * encoded by gifenc.
 */

// Node loads gifenc's CommonJS build (a default export only); bundlers its ESM build.
const gifenc =
  typeof (gifModule as Partial<typeof gifModule>).GIFEncoder === 'function'
    ? gifModule
    : gifModule.default;

/** One frame: the views of one observation. */
export type ReplayFrame = Readonly<Partial<Record<ViewName, Image>>>;

const GAP = 4;
const BACKGROUND: Rgb = [24, 24, 28];
/** The colour an action of each kind is drawn in. */
export const ACTION_COLORS: Readonly<Record<Action['kind'], Rgb>> = {
  pick_place: [255, 214, 10],
  push: [0, 224, 255],
};
/** Milliseconds per step, and for the last frame (the outcome). */
const DELAY = 700;
const LAST_DELAY = 1600;

export type Rgb = readonly [number, number, number];

/** An RGB buffer being drawn into (core's Image layout). */
type Canvas = Image;

function viewsOf(frame: ReplayFrame): [ViewName, Image][] {
  const entries = Object.entries(frame).filter((e): e is [ViewName, Image] => e[1] !== undefined);
  return entries.sort(([a], [b]) => (a === 'top' ? -1 : b === 'top' ? 1 : a.localeCompare(b)));
}

/** The views of a frame side by side, each centred vertically; where the top view sits. */
function compose(frame: ReplayFrame, width: number, height: number): Canvas {
  const data = new Uint8Array(width * height * 3);
  for (let i = 0; i < data.length; i += 3) data.set(BACKGROUND, i);
  let x0 = 0;
  for (const [, image] of viewsOf(frame)) {
    const y0 = Math.floor((height - image.height) / 2);
    for (let y = 0; y < image.height; y++) {
      const row = image.data.subarray(y * image.width * 3, (y + 1) * image.width * 3);
      data.set(row, ((y0 + y) * width + x0) * 3);
    }
    x0 += image.width + GAP;
  }
  return { width, height, data };
}

/** A filled disc (radius `r`, or a ring of width `ring` inside it), clipped to a box. */
function disc(
  c: Canvas,
  box: { x0: number; y0: number; x1: number; y1: number },
  cx: number,
  cy: number,
  r: number,
  color: Rgb,
  ring = 0,
): void {
  for (let y = Math.floor(cy - r); y <= Math.ceil(cy + r); y++) {
    for (let x = Math.floor(cx - r); x <= Math.ceil(cx + r); x++) {
      if (x < box.x0 || y < box.y0 || x >= box.x1 || y >= box.y1) continue;
      const d = Math.hypot(x + 0.5 - cx, y + 0.5 - cy);
      if (d <= r && (ring === 0 || d >= r - ring)) c.data.set(color, (y * c.width + x) * 3);
    }
  }
}

/** The action on the top view at (x0, y0) of the canvas; nothing for a non-finite pose. */
function drawAction(c: Canvas, top: { x: number; y: number; image: Image }, action: Action): void {
  const { width: w, height: h } = top.image;
  const px = (p: Action['from']) => [top.x + p.x * w, top.y + (1 - p.y) * h] as const;
  if (![action.from.x, action.from.y, action.to.x, action.to.y].every(Number.isFinite)) return;
  const box = { x0: top.x, y0: top.y, x1: top.x + w, y1: top.y + h };
  const color = ACTION_COLORS[action.kind] ?? ACTION_COLORS.pick_place;
  const thick = Math.max(0.75, w / 160);
  const r = Math.max(2, w / 24);
  const [ax, ay] = px(action.from);
  const [bx, by] = px(action.to);
  const length = Math.hypot(bx - ax, by - ay);
  for (let s = 0; s <= length; s += 0.5) {
    const t = length === 0 ? 0 : s / length;
    disc(c, box, ax + (bx - ax) * t, ay + (by - ay) * t, thick, color);
  }
  disc(c, box, ax, ay, r, color, Math.max(1, thick * 1.5));
  disc(c, box, bx, by, r, color, Math.max(1, thick * 1.5));
  disc(c, box, bx, by, r / 2.5, color);
}

/** The size of a replay's frames: every frame's views side by side. */
function replaySize(frames: readonly ReplayFrame[]): { width: number; height: number } {
  const sizes = frames.map((f) => viewsOf(f).map(([, image]) => image));
  return {
    width: Math.max(
      ...sizes.map((views) => views.reduce((s, v) => s + v.width, 0) + GAP * (views.length - 1)),
    ),
    height: Math.max(...sizes.flat().map((v) => v.height)),
  };
}

/**
 * One frame of the replay as an RGB image: the views side by side (top first, each centred
 * vertically, `width` x `height`, by default just the views' size) with `action` drawn on
 * the top view.
 */
export function replayFrame(
  frame: ReplayFrame,
  action: Action | null | undefined,
  size = replaySize([frame]),
): Image {
  const canvas = compose(frame, size.width, size.height);
  const top = frame.top;
  if (top && action) {
    const y = Math.floor((size.height - top.height) / 2);
    drawAction(canvas, { x: 0, y, image: top }, action);
  }
  return canvas;
}

/**
 * The GIF bytes of a replay. `actions[i]` is drawn on `frames[i]` (null or missing: no
 * action, as on the final frame after the last step).
 */
export function replayGif(
  frames: readonly ReplayFrame[],
  actions: readonly (Action | null | undefined)[],
): Uint8Array {
  if (frames.length === 0) throw new Error('a replay needs at least one frame.');
  const size = replaySize(frames);
  const gif = gifenc.GIFEncoder();
  const rgba = new Uint8Array(size.width * size.height * 4);
  frames.forEach((frame, i) => {
    const rgb = replayFrame(frame, actions[i], size).data;
    for (let p = 0, q = 0; p < rgb.length; p += 3, q += 4) {
      rgba[q] = rgb[p] as number;
      rgba[q + 1] = rgb[p + 1] as number;
      rgba[q + 2] = rgb[p + 2] as number;
      rgba[q + 3] = 255;
    }
    const palette = gifenc.quantize(rgba, 256);
    gif.writeFrame(gifenc.applyPalette(rgba, palette), size.width, size.height, {
      palette,
      delay: i === frames.length - 1 ? LAST_DELAY : DELAY,
      repeat: 0,
    });
  });
  gif.finish();
  return gif.bytes();
}

/** Writes the replay GIF to `path` atomically (its folder is created). */
export function writeReplay(
  path: string,
  frames: readonly ReplayFrame[],
  actions: readonly (Action | null | undefined)[],
): void {
  const bytes = replayGif(frames, actions);
  mkdirSync(dirname(path), { recursive: true });
  writeFileAtomicSync(path, bytes);
}
