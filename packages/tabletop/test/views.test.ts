import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CONTAINER_SHAPES,
  DEFAULT_VIEW_SIZES,
  MARKING_SHAPES,
  TabletopEnv,
  partitionTasks,
} from '../src/index.js';

let env: TabletopEnv;
beforeAll(async () => {
  env = await TabletopEnv.create();
});
afterAll(() => env.close());

describe('default views', () => {
  it('show small objects large enough to read (median visible area about 100 pixels or more)', () => {
    // bench/bench.mjs measures this over 400 scenes (median about 120); here a looser bound
    // over fewer scenes keeps the test fast.
    const tasks = partitionTasks('train');
    const areas: number[] = [];
    for (let i = 0; i < 2 * tasks.length; i++) {
      const obs = env.reset({ seed: 500 + i, task: tasks[i % tasks.length] ?? 'rotate' });
      const counts = new Map<number, number>();
      for (const id of env.segmentation('top')) counts.set(id, (counts.get(id) ?? 0) + 1);
      (obs.objects ?? []).forEach((o, k) => {
        if (CONTAINER_SHAPES.includes(o.shape) || MARKING_SHAPES.includes(o.shape)) return;
        areas.push(counts.get(k + 1) ?? 0);
      });
    }
    areas.sort((a, b) => a - b);
    expect(areas.length).toBeGreaterThan(40);
    expect(areas[Math.floor(areas.length / 2)]).toBeGreaterThanOrEqual(90);
    expect(areas[0]).toBeGreaterThan(20);
    expect(DEFAULT_VIEW_SIZES.top.width * DEFAULT_VIEW_SIZES.top.height).toBeGreaterThanOrEqual(
      128 * 128,
    );
  });
});
