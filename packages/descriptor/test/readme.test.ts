import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { ObjectState } from '@actllm/core';
import { buildScene, inferAction, parseScene, toCompact, toJson } from '../src/index.js';

// The README's example outputs are checked here, so they cannot drift from the code.
const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

const obj = (
  id: string,
  shape: string,
  color: string,
  x: number,
  y: number,
  theta: number,
): ObjectState => ({
  id,
  shape,
  color,
  pose: { x, y, theta },
  z: 0,
  size: { x: 0.08, y: 0.08, z: 0.04 },
  bbox: {},
});

describe('README', () => {
  const scene = buildScene(
    [obj('o1', 'bowl', 'green', 0.72, 0.25, 0), obj('o2', 'block', 'red', 0.31, 0.64, 0.5)],
    { bins: 100 },
  );

  it('shows the two serializations of its scene, and both parse back', () => {
    const json = toJson(scene, { indent: 2 });
    const compact = toCompact(scene, { bins: 100 });
    expect(readme).toContain('```json\n' + json + '\n```');
    expect(readme).toContain('```text\n' + compact + '\n```');
    expect(parseScene(compact).scene).toEqual(scene);
    expect(parseScene(json).scene).toEqual(scene);
  });

  it('shows two parse errors as parseScene reports them', () => {
    const truncated =
      '<scene_v1> <obj> block red <x_31> <y_64> <t_57> </obj> <obj> bowl green <x_72>';
    const outOfRange =
      '{"version": 1, "objects": [{"object": "block", "color": "red", "x": 1.3, "y": 0.64}]}';
    const tolerant = parseScene(truncated, { mode: 'tolerant' });
    const strict = parseScene(outOfRange);
    expect(tolerant.scene?.objects).toHaveLength(1);
    expect(strict.scene).toBeNull();
    for (const [text, result] of [
      [truncated, tolerant],
      [outOfRange, strict],
    ] as const) {
      expect(readme).toContain(
        '```text\n' +
          text +
          '\n```\n\n```json\n' +
          JSON.stringify(result.problems, null, 2) +
          '\n```',
      );
    }
  });

  it('states the action inferred in its example', () => {
    const next = buildScene(
      [obj('o1', 'bowl', 'green', 0.72, 0.25, 0), obj('o2', 'block', 'red', 0.7, 0.27, 0.5)],
      { bins: 100 },
    );
    expect(inferAction(scene, next)).toMatchObject({
      status: 'action',
      action: { kind: 'pick_place', from: { x: 0.315, y: 0.645 }, to: { x: 0.705, y: 0.275 } },
    });
  });
});
