import { isActllmError, type Tensor } from '@actllm/core';
import { initParameters, run } from '@actllm/graph';
import { describe, expect, it } from 'vitest';
import {
  PixelCache,
  buildPolicyGraph,
  collate,
  imagesPerView,
  presetConfig,
  slotLayout,
  stepSamples,
} from '../src/index.js';
import { episode, tokenizer } from './fixtures.js';

const config = presetConfig('tiny', tokenizer.size);

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
    expect(imagesPerView(samples)).toBe(3);
  });

  it('collates a batch the policy graph runs, with the loss on the last assistant turn only', () => {
    const images = imagesPerView(samples);
    const batch = collate(samples, tokenizer, config, images);
    const graph = buildPolicyGraph(config, { imagesPerView: images });
    const feeds = Object.fromEntries(graph.inputs.map((i) => [i.name, batch[i.name] as Tensor]));
    expect(Object.keys(batch).sort()).toEqual(graph.inputs.map((i) => i.name).sort());
    const out = run(graph, { ...feeds, ...initParameters(graph, 1) });
    expect(Number.isFinite(Number(out.loss!.data[0]))).toBe(true);

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
    // Each visual token sits at exactly one position.
    const layout = slotLayout(config, images);
    const placement = batch.placement!.data as Float32Array;
    const perSample = [...placement.subarray(0, T * layout.slots)].reduce((a, b) => a + b, 0);
    expect(perSample).toBe(2 * 16 + 16 + 8);
    // The action bins come from the action text: 0.31 -> 31, 0.64 -> 64, yaw 0 -> 0.
    expect(Array.from(batch['idm.targets']!.data as BigInt64Array).slice(0, 6)).toEqual([
      31n,
      64n,
      0n,
      70n,
      30n,
      0n,
    ]);
  });

  it('preprocesses each frame once through the cache', () => {
    const cache = new PixelCache(config);
    const image = samples[0]!.before.top;
    expect(cache.get(image, 'top')).toBe(cache.get(image, 'top'));
  });

  it('refuses samples the graph cannot take', () => {
    const code = (e: unknown) => isActllmError(e, 'POLICY_INVALID_BATCH');
    expect(() => collate([], tokenizer, config, 1)).toThrow(expect.toSatisfy(code));
    expect(() => collate(samples, tokenizer, config, 1)).toThrow(/3 top images/);
    const other = presetConfig('tiny', tokenizer.size);
    const wrong = stepSamples(episode(), tokenizer, {
      ...other,
      encoder: { ...other.encoder, patch: 16 },
      lm: other.lm,
    });
    expect(() => collate(wrong, tokenizer, config, 3)).toThrow(/tokensPerView/);
  });
});
