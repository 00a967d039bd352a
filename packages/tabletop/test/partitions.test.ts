import { describe, expect, it } from 'vitest';
import { Rng, isActllmError } from '@actllm/core';
import {
  ALL_TASKS,
  COLOR_NAMES,
  HELD_OUT_COMBOS,
  L4_TASKS,
  NOVEL_COLORS,
  NOVEL_CONTAINERS,
  NOVEL_SHAPES,
  OBJECT_SHAPES,
  TRAIN_TASKS,
  TabletopEnv,
  getPartition,
  getTask,
  listPartitions,
  partitionTasks,
  type AssetSpec,
  type SpawnSpec,
} from '../src/index.js';

const SAMPLES = 60;

/** Every small object an episode shows: the scene and every prompt asset. */
function shownObjects(task: string, partition: string, seed: number): SpawnSpec[] {
  const sample = getTask(task).sample(new Rng(seed), getPartition(partition));
  const assets: AssetSpec[] = Object.values(sample.instruction.assets ?? {});
  const fromAssets = assets.flatMap((a) => (a.kind === 'object' ? [a.object] : a.objects));
  return [...sample.scene, ...fromAssets].filter((o) => OBJECT_SHAPES.includes(o.shape));
}

function heldOut(o: { shape: string; color: string }): boolean {
  return HELD_OUT_COMBOS[o.shape]?.includes(o.color) ?? false;
}

function novel(o: { shape: string; color: string }): boolean {
  return NOVEL_SHAPES.includes(o.shape) || NOVEL_COLORS.includes(o.color);
}

describe('partitions', () => {
  it('lists train and the four levels, with L4 tasks disjoint from training tasks', () => {
    expect(listPartitions()).toEqual(['train', 'L1', 'L2', 'L3', 'L4']);
    expect([...TRAIN_TASKS, ...L4_TASKS].sort()).toEqual([...ALL_TASKS].sort());
    for (const p of ['train', 'L1', 'L2', 'L3'])
      expect(getPartition(p).tasks.filter((t) => L4_TASKS.includes(t))).toEqual([]);
    expect(getPartition('L4').tasks).toEqual(L4_TASKS);
  });

  it('keeps every training shape and colour in train, only never in a held-out pair', () => {
    const train = getPartition('train');
    const trainShapes = OBJECT_SHAPES.filter((s) => !NOVEL_SHAPES.includes(s));
    expect([...train.objectShapes].sort()).toEqual([...trainShapes].sort());
    expect(train.colors.length).toBe(COLOR_NAMES.length - NOVEL_COLORS.length);
    expect(train.looks.some(heldOut)).toBe(false);
    expect(getPartition('L2').looks.every(heldOut)).toBe(true);
    expect(getPartition('L3').looks.every(novel)).toBe(true);
  });

  it('has no leakage: no L2 combination, L3 object or L4 task occurs in sampled train episodes', () => {
    for (const task of partitionTasks('train')) {
      for (let seed = 0; seed < SAMPLES; seed++) {
        const sample = getTask(task).sample(new Rng(seed), getPartition('train'));
        const assets = Object.values(sample.instruction.assets ?? {});
        const every = [
          ...sample.scene,
          ...assets.flatMap((a) => (a.kind === 'object' ? [a.object] : a.objects)),
        ];
        for (const o of every)
          expect(
            NOVEL_CONTAINERS.includes(o.shape),
            `${task} seed ${seed}: a novel ${o.shape}`,
          ).toBe(false);
        for (const o of shownObjects(task, 'train', seed)) {
          expect(heldOut(o), `${task} seed ${seed}: ${o.color} ${o.shape}`).toBe(false);
          expect(novel(o), `${task} seed ${seed}: ${o.color} ${o.shape}`).toBe(false);
        }
      }
    }
    expect(partitionTasks('train').some((t) => L4_TASKS.includes(t))).toBe(false);
  });

  it('draws L2 episodes from held-out pairs and L3 episodes from novel objects', () => {
    for (const task of partitionTasks('L2')) {
      for (let seed = 0; seed < 10; seed++) {
        const shown = shownObjects(task, 'L2', seed).filter((o) => o.id.startsWith('obj'));
        expect(shown.length).toBeGreaterThan(0);
        expect(shown.every(heldOut), `${task} seed ${seed}`).toBe(true);
      }
    }
    for (const task of partitionTasks('L3')) {
      for (let seed = 0; seed < 10; seed++) {
        const shown = shownObjects(task, 'L3', seed).filter((o) => o.id.startsWith('obj'));
        expect(shown.every(novel), `${task} seed ${seed}`).toBe(true);
      }
    }
  });

  it('names novel objects through a picture in L3, never by a word unseen in training', () => {
    for (let seed = 0; seed < 20; seed++) {
      const sample = getTask('visual_manipulation').sample(new Rng(seed), getPartition('L3'));
      const target = sample.scene[1];
      const words = sample.instruction.text.toLowerCase();
      for (const w of [...NOVEL_SHAPES, ...NOVEL_COLORS].map((n) => n.replace(/_/g, ' ')))
        expect(words.includes(w), `${words}`).toBe(false);
      const asset = sample.instruction.assets?.['target'];
      expect(asset?.kind === 'object' && asset.object.shape === target?.shape).toBe(true);
      expect(asset?.kind === 'object' && asset.object.color === target?.color).toBe(true);
    }
  });

  it('refuses a task outside its partition', async () => {
    const env = await TabletopEnv.create();
    let code = '';
    try {
      env.reset({ seed: 1, task: 'visual_manipulation', partition: 'L4' });
    } catch (e) {
      if (isActllmError(e)) code = e.code;
    }
    expect(code).toBe('TABLETOP_TASK_NOT_IN_PARTITION');
    env.close();
  });
});
