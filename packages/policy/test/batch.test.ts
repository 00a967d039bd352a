import { isActllmError, type Tensor } from '@actllm/core';
import { initParameters, run } from '@actllm/graph';
import { describe, expect, it } from 'vitest';
import {
  PixelCache,
  POLICY_NAMES,
  buildPolicyGraph,
  collate,
  presetConfig,
  sceneSample,
  stepSamples,
  type StepSample,
} from '../src/index.js';
import { episode, tokenizer } from './fixtures.js';

const config = presetConfig('tiny', tokenizer.size);
const graph = buildPolicyGraph(config);
const weights = initParameters(graph, 1);

/** Runs the policy graph on a collated batch (its inputs only, every one of them). */
function runBatch(batch: Record<string, Tensor>): Record<string, Tensor> {
  const feeds = Object.fromEntries(graph.inputs.map((i) => [i.name, batch[i.name] as Tensor]));
  return run(graph, { ...feeds, ...weights });
}

const scalar = (t: Tensor | undefined) => Number(t!.data[0]);
const numbers = (t: Tensor | undefined) =>
  Array.from(t!.data as ArrayLike<number | bigint>, Number);

describe('training samples', () => {
  const samples = stepSamples(episode(), tokenizer, config);

  it('gives one sample per step, each the conversation as the agent holds it then', () => {
    expect(samples.map((s) => s.step)).toEqual([0, 1]);
    const [first, second] = samples;
    // Step 1 holds step 0's text turns: its sequence is longer.
    expect(second!.rendered.ids.length).toBeGreaterThan(first!.rendered.ids.length);
    // History policy: at step 1 only the last user turn keeps its views; the instruction's
    // two object images stay.
    const views = (s: typeof first) =>
      s!.rendered.images.map((i) => `${i.source.turn}:${i.source.view}`);
    expect(views(first)).toEqual(['instruction:top', 'instruction:top', 'user:top', 'user:front']);
    expect(views(second)).toEqual(['instruction:top', 'instruction:top', 'user:top', 'user:front']);
    expect(second!.rendered.images[2]!.source).toMatchObject({ step: 1 });
    // Every step sample has its transition and the loss on all three segments.
    for (const s of samples) {
      expect(s.segments).toBeUndefined();
      expect(Object.keys(s.before!)).toEqual(['top', 'front']);
      expect(Object.keys(s.after!)).toEqual(['top', 'front']);
    }
    expect(samples[0]!.after!.top).toBe(samples[1]!.before!.top);
  });

  it('collates a batch the policy graph runs, with the loss on the last assistant turn only', () => {
    const batch = collate(samples, tokenizer, config);
    expect(Object.keys(batch).sort()).toEqual(graph.inputs.map((i) => i.name).sort());
    const out = runBatch(batch);
    expect(Number.isFinite(scalar(out.loss))).toBe(true);

    const T = batch.ids!.shape[1] as number;
    const second = samples[1]!.rendered;
    const lossTurn = second.spans.filter(
      (s) => s.role === 'assistant' && s.step === 1 && s.label === 'act',
    );
    const act = batch['mask.act']!.data as Float32Array;
    const marked = [...act.subarray(T, 2 * T)].flatMap((v, i) => (v ? [i + 1] : []));
    // The mask marks positions whose target is an action token of step 1's turn.
    expect(marked).toEqual(
      lossTurn.flatMap((s) => Array.from({ length: s.end - s.start }, (_, k) => s.start + k)),
    );
    // The action bins come from the action text: 0.31 -> 31, 0.64 -> 64, yaw 0 -> 0.
    expect(numbers(batch['idm.targets']).slice(0, 6)).toEqual([31, 64, 0, 70, 30, 0]);
    // One before/after pair per sample, each of weight 1.
    expect(batch['idm.before.top']!.shape).toEqual([2, 32, 32, 3]);
    expect(batch['idm.after.front']!.shape).toEqual([2, 16, 32, 3]);
    expect(numbers(batch[POLICY_NAMES.idmWeight])).toEqual([1, 1]);
  });

  it('gathers each visual token into exactly one position, image after image', () => {
    const batch = collate(samples, tokenizer, config);
    const T = batch.ids!.shape[1] as number;
    // Every image of a view in the batch, sample after sample: 3 top and 1 front each.
    expect(batch[POLICY_NAMES.pixels('top')]!.shape).toEqual([6, 32, 32, 3]);
    expect(batch[POLICY_NAMES.pixels('front')]!.shape).toEqual([2, 16, 32, 3]);
    const perView = { top: 16, front: 8 };
    for (const [view, count] of Object.entries(perView)) {
      const index = numbers(batch[POLICY_NAMES.visualIndex(view)]);
      const mask = numbers(batch[POLICY_NAMES.visualMask(view)]);
      expect(batch[POLICY_NAMES.visualIndex(view)]!.shape).toEqual([2, T]);
      // Positions that take no visual token point at row 0, masked out.
      mask.forEach((m, p) => (m === 0 ? expect(index[p]).toBe(0) : undefined));
      // Each row of the view's tokens is taken by exactly one position.
      const taken = index.filter((_, p) => mask[p] === 1).sort((a, b) => a - b);
      const rows = (batch[POLICY_NAMES.pixels(view)]!.shape[0] as number) * count;
      expect(taken).toEqual(Array.from({ length: rows }, (_, r) => r));
      // Image k of the view (counted over the batch) fills its slot's positions with rows
      // k * tokens .. k * tokens + tokens - 1.
      let k = 0;
      samples.forEach((s, b) => {
        for (const slot of s.rendered.images.filter((i) => i.source.view === view)) {
          for (let j = 0; j < count; j++) {
            expect(mask[b * T + slot.position + j]).toBe(1);
            expect(index[b * T + slot.position + j]).toBe(k * count + j);
          }
          k++;
        }
      });
    }
  });

  it('preprocesses each frame once through the cache', () => {
    const cache = new PixelCache(config);
    const image = episode().steps[0]!.observation.views.top;
    const small = cache.resized(image, 'top');
    expect([small.width, small.height]).toEqual([32, 32]);
    expect(cache.resized(image, 'top')).toBe(small);
    expect(cache.get(image, 'top')).toEqual(cache.get(small, 'top'));
    // The samples' frames are already at the encoder's size.
    expect(cache.resized(samples[0]!.before!.top, 'top')).toBe(samples[0]!.before!.top);
  });

  it('refuses samples the graph cannot take', () => {
    const code = (e: unknown) => isActllmError(e, 'POLICY_INVALID_BATCH');
    expect(() => collate([], tokenizer, config)).toThrow(expect.toSatisfy(code));
    const other = presetConfig('tiny', tokenizer.size);
    const wrong = stepSamples(episode(), tokenizer, {
      ...other,
      encoder: { ...other.encoder, patch: 16 },
      lm: other.lm,
    });
    expect(() => collate(wrong, tokenizer, config)).toThrow(/tokensPerView/);
    const short = { ...config, lm: { ...config.lm, maxLength: 100 } };
    expect(() => collate(samples, tokenizer, short)).toThrow(expect.toSatisfy(code));
  });
});

describe('scene-reading samples', () => {
  const record = episode();
  const [step0, step1] = stepSamples(record, tokenizer, config) as [StepSample, StepSample];
  const first = record.steps[0]!.observation;
  const scene = sceneSample(record.instruction, first, tokenizer, config);

  it('is the first turn cut right after its scene, with the loss on the scene only', () => {
    const r = scene.rendered;
    expect(scene.step).toBe(0);
    expect(scene.segments).toEqual(['scene']);
    expect(scene.before).toBeUndefined();
    expect(scene.after).toBeUndefined();
    const span = r.spans.find((s) => s.role === 'assistant' && s.label === 'scene')!;
    expect(r.ids.length).toBe(span.end);
    expect(r.labels).toHaveLength(span.end);
    expect(r.spans.some((s) => s.label === 'next' || s.label === 'act')).toBe(false);
    // The same tokens as step 0's sample up to there, images included.
    expect(r.ids).toEqual(step0.rendered.ids.slice(0, span.end));
    expect(r.images.map((i) => [i.position, i.source.view])).toEqual(
      step0.rendered.images.map((i) => [i.position, i.source.view]),
    );

    const batch = collate([scene], tokenizer, config);
    const T = batch.ids!.shape[1] as number;
    expect(T).toBe(span.end);
    const marked = numbers(batch['mask.scene']).flatMap((v, i) => (v ? [i + 1] : []));
    expect(marked).toEqual(Array.from({ length: span.end - span.start }, (_, k) => span.start + k));
    expect(numbers(batch['mask.next']).every((v) => v === 0)).toBe(true);
    expect(numbers(batch['mask.act']).every((v) => v === 0)).toBe(true);
    // The scene mask is step 0's, cut to the scene.
    const full = collate([step0], tokenizer, config);
    expect(numbers(batch['mask.scene'])).toEqual(numbers(full['mask.scene']).slice(0, T));
  });

  it('gives no inverse-dynamics pair; a batch of scenes only gets one padding pair of weight 0', () => {
    const other = sceneSample(record.instruction, record.steps[1]!.observation, tokenizer, config);
    const batch = collate([scene, other], tokenizer, config);
    expect(numbers(batch[POLICY_NAMES.idmWeight])).toEqual([0]);
    expect(batch[POLICY_NAMES.actionBins]!.shape).toEqual([1, 6]);
    expect(batch['idm.before.top']!.shape).toEqual([1, 32, 32, 3]);
    const out = runBatch(batch);
    const ac = scalar(out[POLICY_NAMES.term('ac')]);
    expect(Number.isFinite(ac)).toBe(true);
    expect(ac).toBe(0);
    expect(scalar(out[POLICY_NAMES.term('obs')])).toBeGreaterThan(0);
    expect(scalar(out[POLICY_NAMES.term('act')])).toBe(0);
    expect(Number.isFinite(scalar(out.loss))).toBe(true);

    // Mixed with step samples, the pairs are theirs alone: loss.ac is as without the scene.
    const mixed = collate([step0, scene, step1], tokenizer, config);
    expect(numbers(mixed[POLICY_NAMES.idmWeight])).toEqual([1, 1]);
    const plain = collate([step0, step1], tokenizer, config);
    expect(numbers(mixed[POLICY_NAMES.actionBins])).toEqual(
      numbers(plain[POLICY_NAMES.actionBins]),
    );
    expect(scalar(runBatch(mixed)['loss.ac'])).toBeCloseTo(scalar(runBatch(plain)['loss.ac']), 5);
  });
});

describe('per-cell targets of the grounded view', () => {
  const grounded = presetConfig('tiny', tokenizer);
  const groundedGraph = buildPolicyGraph(grounded);
  const samples = stepSamples(episode(), tokenizer, grounded);
  const batch = collate(samples, tokenizer, grounded);
  const targets = batch[POLICY_NAMES.cellTargets]!;
  const cell = (image: number, c: number) =>
    numbers(targets)
      .slice((image * 16 + c) * 5, (image * 16 + c + 1) * 5)
      .map((id) => (id === -100 ? '-' : tokenizer.token(id)));

  it('names the object centred in each cell in the descriptor tokens, <pad> where none is', () => {
    // Two instruction images and one user image of the top view per sample; tiny's top view
    // is a 4 x 4 grid.
    expect(targets.shape).toEqual([6, 16, 5]);
    // Sample 0's own frame (image 2): the bowl at (0.7, 0.3), the red block at (0.31, 0.64),
    // the blue block at (0.2, 0.4); rows run from the top (y = 1) down.
    expect(cell(2, 2 * 4 + 2)).toEqual(['bowl', 'green', '<x_70>', '<y_30>', '<t_0>']);
    expect(cell(2, 1 * 4 + 1)).toEqual(['block', 'red', '<x_31>', '<y_64>', '<t_0>']);
    expect(cell(2, 2 * 4 + 0)).toEqual(['block', 'blue', '<x_20>', '<y_40>', '<t_0>']);
    expect(cell(2, 0)).toEqual(['<pad>', '-', '-', '-', '-']);
    // A prompt asset is labelled with the object it shows.
    expect(cell(0, 1 * 4 + 1)).toEqual(['block', 'red', '<x_31>', '<y_64>', '<t_0>']);
  });

  it('adds the cells term to the observation loss, and leaves it out with obs at 0', () => {
    expect(Object.keys(batch).sort()).toEqual(groundedGraph.inputs.map((i) => i.name).sort());
    const feeds = Object.fromEntries(
      groundedGraph.inputs.map((i) => [i.name, batch[i.name] as Tensor]),
    );
    const out = run(groundedGraph, { ...feeds, ...initParameters(groundedGraph, 1) });
    const cells = scalar(out[POLICY_NAMES.term('cells')]);
    // At initialisation each field is close to uniform over the vocabulary.
    expect(cells).toBeGreaterThan(0.5 * Math.log(tokenizer.size));
    expect(cells).toBeLessThan(2 * Math.log(tokenizer.size));
    const noObs = presetConfig('tiny', tokenizer, { obs: 0 });
    expect(collate(samples, tokenizer, noObs)[POLICY_NAMES.cellTargets]).toBeUndefined();
    expect(buildPolicyGraph(noObs).outputs.map((o) => o.name)).not.toContain('loss.cells');
  });
});
