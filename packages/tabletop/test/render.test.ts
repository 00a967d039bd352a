import { describe, expect, it } from 'vitest';
import { isActllmError } from '@actllm/core';
import {
  buildMesh,
  frontCamera,
  getColor,
  getShape,
  render,
  topCamera,
  type RenderItem,
} from '../src/index.js';

function block(x: number, y: number, z = 0, color = 'red', shape = 'block'): RenderItem {
  return {
    mesh: buildMesh(getShape(shape), 1),
    transform: { position: { x, y, z }, rotation: { x: 0, y: 0, z: 0, w: 1 } },
    color: getColor(color),
  };
}

function pixel(data: Uint8Array, width: number, x: number, y: number): number[] {
  const i = (y * width + x) * 3;
  return [data[i] ?? -1, data[i + 1] ?? -1, data[i + 2] ?? -1];
}

describe('renderer', () => {
  it('draws the top view in workspace coordinates, with segmentation and boxes', () => {
    const cam = topCamera({ width: 100, height: 100 });
    const r = render(cam, [block(0.25, 0.75)]);
    // x = 0.25 -> column 25; y = 0.75 -> row 25 (image rows grow away from y = 1).
    expect(r.segmentation[25 * 100 + 25]).toBe(1);
    expect(r.segmentation[75 * 100 + 75]).toBe(0);
    const box = r.boxes[0];
    expect(box?.x0).toBeCloseTo(0.22, 5);
    expect(box?.x1).toBeCloseTo(0.28, 5);
    expect(box?.y0).toBeCloseTo(0.22, 5);
    expect(box?.y1).toBeCloseTo(0.28, 5);
    const [red, green] = pixel(r.image.data, 100, 25, 25);
    expect(red).toBeGreaterThan(150);
    expect(green).toBeLessThan(60);
  });

  it('keeps the nearest surface (z-buffer) whatever the drawing order', () => {
    const cam = topCamera({ width: 64, height: 64 });
    const low = block(0.5, 0.5, 0, 'red');
    const high = block(0.5, 0.5, 0.045, 'blue');
    for (const items of [
      [low, high],
      [high, low],
    ]) {
      const r = render(cam, items);
      const seg = r.segmentation[32 * 64 + 32];
      expect(items[(seg ?? 1) - 1]).toBe(high);
    }
  });

  it('projects the front view in perspective: near objects lower and larger', () => {
    const cam = frontCamera({ width: 128, height: 64 });
    const r = render(cam, [block(0.5, 0.2), block(0.5, 0.8, 0, 'blue')]);
    const [near, far] = r.boxes;
    expect(near && far).toBeTruthy();
    if (!near || !far) return;
    expect(near.y0).toBeGreaterThan(far.y1);
    expect(near.x1 - near.x0).toBeGreaterThan(far.x1 - far.x0);
    expect(r.segmentation.includes(1) && r.segmentation.includes(2)).toBe(true);
  });

  it('reports null boxes for objects outside the image', () => {
    const r = render(topCamera({ width: 32, height: 32 }), [block(3, 3)]);
    expect(r.boxes[0]).toBeNull();
    expect(r.segmentation.every((v) => v === 0)).toBe(true);
  });

  it('shows patterned textures as two colours (blended only where they meet)', () => {
    const r = render(topCamera({ width: 256, height: 256 }), [
      block(0.5, 0.5, 0, 'blue_and_yellow_checker'),
    ]);
    let blue = 0;
    let yellow = 0;
    let total = 0;
    r.segmentation.forEach((id, i) => {
      if (id !== 1) return;
      const [red = 0, green = 0, b = 0] = pixel(r.image.data, 256, i % 256, Math.floor(i / 256));
      if (b > red + 80 && b > green + 40) blue++;
      if (red > b + 80 && green > b + 80) yellow++;
      total++;
    });
    expect(blue).toBeGreaterThan(0.2 * total);
    expect(yellow).toBeGreaterThan(0.2 * total);
  });

  it('refuses unusable image sizes', () => {
    let caught: unknown;
    try {
      topCamera({ width: 0, height: 64 });
    } catch (e) {
      caught = e;
    }
    expect(isActllmError(caught, 'TABLETOP_INVALID_OPTION')).toBe(true);
  });
});
