import { createImage, isActllmError, type Image } from '@actllm/core';
import {
  GraphBuilder,
  buildTrainingStep,
  initParameters,
  initTrainingState,
  run,
  runTrainingStep,
} from '@actllm/graph';
import { describe, expect, it } from 'vitest';
import {
  encodeView,
  encoderNames,
  imagesToTensor,
  tokensPerView,
  validateEncoderConfig,
  visionEncoder,
  type EncoderConfig,
} from '../src/index.js';

// Patch grids: top 4x4, front 2x4; with merge 2, top makes 2x2 tokens and front 1x2.
const CONFIG: EncoderConfig = {
  views: { top: { height: 16, width: 16 }, front: { height: 8, width: 16 } },
  patch: 4,
  merge: 2,
  dim: 8,
  layers: 1,
  heads: 2,
  outDim: 12,
};

function gradient(width: number, height: number, seed = 0): Image {
  const image = createImage(width, height);
  for (let i = 0; i < width * height; i++) {
    image.data[i * 3] = (i * 7 + seed) % 256;
    image.data[i * 3 + 1] = (i * 13 + seed) % 256;
    image.data[i * 3 + 2] = (i * 29 + seed) % 256;
  }
  return image;
}

describe('patch merging', () => {
  it('makes merge^2 times fewer tokens per view', () => {
    expect(tokensPerView({ ...CONFIG, merge: 1 })).toEqual({ top: 16, front: 8 });
    expect(tokensPerView(CONFIG)).toEqual({ top: 4, front: 2 });
    const { merge: _merge, ...unmerged } = CONFIG;
    expect(tokensPerView(unmerged)).toEqual({ top: 16, front: 8 });
    // A 4x4 grid of 2-pixel patches merged by 4: one token.
    expect(
      tokensPerView({ ...CONFIG, patch: 2, merge: 4, views: { top: CONFIG.views.top! } }),
    ).toEqual({ top: 4 });
  });

  it('gives [batch, tokens / merge^2, outDim], with the blocks still over every patch', () => {
    const graph = visionEncoder(CONFIG);
    const weights = initParameters(graph, 1);
    const feeds = {
      [encoderNames('top').pixels]: imagesToTensor(
        [gradient(16, 16), gradient(16, 16, 5)],
        CONFIG.views.top!,
      ),
      [encoderNames('front').pixels]: imagesToTensor(
        [gradient(16, 8), gradient(16, 8, 5)],
        CONFIG.views.front!,
      ),
    };
    const out = run(graph, { ...feeds, ...weights });
    expect(out['tokens.top']!.shape).toEqual([2, 4, 12]);
    expect(out['tokens.front']!.shape).toEqual([2, 2, 12]);
    for (const t of Object.values(out)) {
      expect(Array.from(t.data as Float32Array).every(Number.isFinite)).toBe(true);
    }
    // The two images of the batch differ, so do their tokens.
    const top = out['tokens.top']!.data as Float32Array;
    expect(top.subarray(0, 48)).not.toEqual(top.subarray(48));
    // Position embeddings cover the patch grid; the projection reads a 2x2 group of patches.
    const shape = (n: string) => graph.parameters.find((p) => p.name === n)?.shape;
    expect(shape('enc.top.pos')).toEqual([16, 8]);
    expect(shape('enc.front.pos')).toEqual([8, 8]);
    expect(shape('enc.proj.w')).toEqual([4 * 8, 12]);
  });

  it('trains through the merge: a toy loss falls', () => {
    const g = new GraphBuilder('toy');
    const pixels = g.input('pixels.top', 'float32', ['batch', 16, 16, 3]);
    const tokens = encodeView(g, pixels, 'top', CONFIG);
    expect(tokens.shape).toEqual(['batch', 4, 12]);
    const target = g.constant(
      Array.from({ length: 48 }, (_, i) => Math.sin(i)),
      'float32',
      [1, 4, 12],
    );
    const diff = g.sub(tokens, target);
    g.output(g.reduceMean(g.mul(diff, diff), undefined, false), 'loss');
    const forward = g.build();
    const step = buildTrainingStep(forward, 'loss');
    let state = initTrainingState(step, initParameters(forward, 3));
    const batch = { 'pixels.top': imagesToTensor([gradient(16, 16)], CONFIG.views.top!) };
    const losses: number[] = [];
    for (let i = 0; i < 15; i++) {
      const r = runTrainingStep(step, state, batch, 1e-2);
      state = r.state;
      losses.push(r.loss);
    }
    expect(losses[14]!).toBeLessThan(losses[0]! * 0.8);
  });

  it('refuses a merge that does not divide the patch grid, naming the fix', () => {
    const bad = (c: Partial<EncoderConfig>) => () => validateEncoderConfig({ ...CONFIG, ...c });
    const code = (e: unknown) => isActllmError(e, 'ENCODER_INVALID_CONFIG');
    // top is 4x4 patches: merge 3 does not divide it.
    expect(bad({ merge: 3 })).toThrow(expect.toSatisfy(code));
    expect(bad({ merge: 3 })).toThrow(/views.top is 4x4 patches, which .*merge 3/);
    // The fix names the multiple the sizes need: patch * merge.
    expect(bad({ merge: 3 })).toThrow(/multiples of .*12/);
    // front is 2x4 patches: merge 4 divides its width but not its height.
    expect(bad({ merge: 4 })).toThrow(/views.front is 2x4 patches/);
    expect(() => tokensPerView({ ...CONFIG, merge: 3 })).toThrow(expect.toSatisfy(code));
    expect(() => visionEncoder({ ...CONFIG, merge: 3 })).toThrow(expect.toSatisfy(code));
    expect(bad({ merge: 0 })).toThrow(/merge must be a whole number/);
    expect(bad({ merge: 1.5 })).toThrow(/merge must be a whole number/);
  });
});
