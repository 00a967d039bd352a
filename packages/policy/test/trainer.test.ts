import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isActllmError } from '@actllm/core';
import { referenceBackend } from '@actllm/graph';
import { afterAll, describe, expect, it } from 'vitest';
import {
  CHECKPOINT_FILES,
  PolicyTrainer,
  learningRate,
  loadCheckpoint,
  presetConfig,
  sceneSample,
  stepSamples,
  type TrainOptions,
} from '../src/index.js';
import { episode, tokenizer } from './fixtures.js';

const config = presetConfig('tiny', tokenizer.size);
const samples = stepSamples(episode(), tokenizer, config);
const options: TrainOptions = {
  steps: 6,
  batchSize: 2,
  lr: 1e-2,
  warmup: 1,
  seed: 3,
  session: { backend: referenceBackend },
};
const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'actllm-ckpt-'));
  dirs.push(d);
  return d;
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('training', () => {
  it('schedules the learning rate: warm-up, then cosine to the floor', () => {
    const o = {
      steps: 100,
      batchSize: 1,
      lr: 1,
      warmup: 10,
      minLrRatio: 0.1,
      weightDecay: 0,
      clipNorm: 1,
      seed: 0,
    };
    expect(learningRate(0, o)).toBeCloseTo(0.1);
    expect(learningRate(9, o)).toBeCloseTo(1);
    expect(learningRate(55, o)).toBeCloseTo(0.55);
    expect(learningRate(100, o)).toBeCloseTo(0.1);
  });

  it('trains tiny on step samples: the loss falls and every term is reported', async () => {
    const trainer = await PolicyTrainer.create(config, tokenizer, samples, options);
    const losses: number[] = [];
    while (!trainer.done) {
      const p = await trainer.trainStep();
      expect(Object.keys(p.terms).sort()).toEqual(['ac', 'act', 'fwd', 'obs']);
      expect(p.tokensPerSecond).toBeGreaterThan(0);
      expect(p.stepSeconds).toBeGreaterThan(0);
      expect(p.stepSeconds).toBeLessThanOrEqual(p.seconds);
      losses.push(p.loss);
    }
    expect(losses).toHaveLength(6);
    expect(losses[5]!).toBeLessThan(losses[0]!);
    await trainer.dispose();
  }, 120_000);

  it('trains on step and scene samples mixed, and on a batch of scenes alone', async () => {
    const record = episode();
    const scenes = [record.steps[0]!, record.steps[1]!].map((s) =>
      sceneSample(record.instruction, s.observation, tokenizer, config),
    );
    const mixed = await PolicyTrainer.create(config, tokenizer, [...samples, ...scenes], {
      ...options,
      steps: 3,
      batchSize: 3,
    });
    expect(mixed.position).not.toHaveProperty('imagesPerView');
    while (!mixed.done) {
      const p = await mixed.trainStep();
      expect(Number.isFinite(p.loss)).toBe(true);
      for (const v of Object.values(p.terms)) expect(Number.isFinite(v)).toBe(true);
    }
    await mixed.dispose();
    // Scenes only: no inverse-dynamics pair, so that term is 0 and the loss is the scene's.
    const only = await PolicyTrainer.create(config, tokenizer, scenes, {
      ...options,
      steps: 2,
      batchSize: 2,
    });
    while (!only.done) {
      const p = await only.trainStep();
      expect(p.terms.ac).toBe(0);
      expect(p.terms.obs).toBeGreaterThan(0);
      expect(p.terms.act).toBe(0);
      expect(p.loss).toBeCloseTo(p.terms.obs!, 4);
    }
    await only.dispose();
  }, 120_000);

  it('resumes bit for bit: interrupted and resumed ends with the same weights', async () => {
    const straight = await PolicyTrainer.create(config, tokenizer, samples, {
      ...options,
      steps: 4,
    });
    for (let i = 0; i < 4; i++) await straight.trainStep();
    const want = await straight.weights();
    await straight.dispose();

    const first = await PolicyTrainer.create(config, tokenizer, samples, { ...options, steps: 4 });
    await first.trainStep();
    await first.trainStep();
    const dir = join(tempDir(), 'step-2');
    await first.save(dir);
    await first.dispose();
    const resumed = await PolicyTrainer.resume(dir, samples, { backend: referenceBackend });
    expect(resumed.position.step).toBe(2);
    while (!resumed.done) await resumed.trainStep();
    const got = await resumed.weights();
    for (const [name, t] of Object.entries(want)) expect(got[name]!.data, name).toEqual(t.data);
    await resumed.dispose();
  }, 120_000);

  it('writes a checkpoint folder that loads, and refuses damaged ones', async () => {
    const trainer = await PolicyTrainer.create(config, tokenizer, samples, {
      ...options,
      steps: 1,
    });
    const dir = join(tempDir(), 'ckpt');
    await trainer.save(dir);
    await trainer.dispose();
    const ckpt = await loadCheckpoint(dir);
    expect(ckpt.config).toEqual(config);
    expect(ckpt.tokenizer.size).toBe(tokenizer.size);
    expect(Object.keys(ckpt.weights).length).toBeGreaterThan(10);
    const code = (e: unknown) => isActllmError(e, 'POLICY_INVALID_CHECKPOINT');
    await expect(loadCheckpoint(join(dir, 'nope'))).rejects.toSatisfy(code);
    writeFileSync(join(dir, CHECKPOINT_FILES.model), 'not safetensors');
    await expect(loadCheckpoint(dir)).rejects.toSatisfy(code);
  }, 60_000);

  it('refuses bad options', async () => {
    const code = (e: unknown) => isActllmError(e, 'POLICY_INVALID_OPTION');
    await expect(
      PolicyTrainer.create(config, tokenizer, samples, { ...options, steps: 0 }),
    ).rejects.toSatisfy(code);
    await expect(
      PolicyTrainer.create(config, tokenizer, samples, { ...options, lr: -1 }),
    ).rejects.toSatisfy(code);
  });
});
