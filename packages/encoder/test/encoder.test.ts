import {
  Rng,
  createImage,
  createTensor,
  isActllmError,
  type Image,
  type Tensor,
} from '@actllm/core';
import {
  GraphBuilder,
  LR_INPUT,
  buildTrainingStep,
  initParameters,
  initTrainingState,
  run,
  runTrainingStep,
} from '@actllm/graph';
import { describe, expect, it } from 'vitest';
import {
  augmentPixels,
  encodeView,
  encoderNames,
  imagesToTensor,
  patchify,
  resizeImage,
  tokensPerView,
  validateEncoderConfig,
  visionEncoder,
  type EncoderConfig,
} from '../src/index.js';

const CONFIG: EncoderConfig = {
  views: { top: { height: 16, width: 16 }, front: { height: 8, width: 16 } },
  patch: 4,
  dim: 8,
  layers: 1,
  heads: 2,
  outDim: 12,
};

function gradient(width: number, height: number): Image {
  const image = createImage(width, height);
  for (let i = 0; i < width * height; i++) {
    image.data[i * 3] = (i * 7) % 256;
    image.data[i * 3 + 1] = (i * 13) % 256;
    image.data[i * 3 + 2] = (i * 29) % 256;
  }
  return image;
}

const code = (c: string) => (e: unknown) => isActllmError(e, c);

describe('preprocessing', () => {
  it('normalizes pixels to [-1, 1], channels last', () => {
    const image = createImage(2, 1, [255, 0, 51]);
    const t = imagesToTensor([image, image], { height: 1, width: 2 });
    expect(t.shape).toEqual([2, 1, 2, 3]);
    expect(Array.from(t.data.subarray(0, 3)).map((v) => +v.toFixed(3))).toEqual([1, -1, -0.6]);
  });

  it('resizes with a box filter: a 2x downscale averages each 2x2 block', () => {
    const image = gradient(4, 4);
    const small = resizeImage(image, 2, 2);
    const at = (img: Image, x: number, y: number) => img.data[(y * img.width + x) * 3] as number;
    const want = Math.round(
      (at(image, 0, 0) + at(image, 1, 0) + at(image, 0, 1) + at(image, 1, 1)) / 4,
    );
    expect(at(small, 0, 0)).toBe(want);
    expect(resizeImage(image, 4, 4)).toBe(image);
    const big = resizeImage(createImage(1, 1, [9, 9, 9]), 3, 2);
    expect(Array.from(big.data)).toEqual(new Array(18).fill(9));
  });

  it('refuses what is not an image, and bad sizes or normalization', () => {
    expect(() => imagesToTensor([], { height: 2, width: 2 })).toThrow(
      expect.objectContaining({ code: 'ENCODER_INVALID_IMAGE' }),
    );
    const bad = { width: 2, height: 2, data: new Uint8Array(3) };
    expect(() => imagesToTensor([bad], { height: 2, width: 2 })).toThrow(
      expect.objectContaining({ code: 'ENCODER_INVALID_IMAGE' }),
    );
    expect(() => resizeImage(createImage(2, 2), 0, 2)).toThrow(
      expect.objectContaining({ code: 'ENCODER_INVALID_OPTION' }),
    );
    expect(() =>
      imagesToTensor(
        [createImage(2, 2)],
        { height: 2, width: 2 },
        { mean: [0, 0, 0], std: [1, 0, 1] },
      ),
    ).toThrow(expect.objectContaining({ code: 'ENCODER_INVALID_OPTION' }));
  });
});

describe('augmentation', () => {
  const pixels = imagesToTensor([gradient(8, 8), gradient(8, 8)], { height: 8, width: 8 });
  const aug = { brightness: 0.1, contrast: 0.2, saturation: 0.2, noise: 0.02 };

  it('is seeded: the same seed gives the same pixels, another seed others', () => {
    const a = augmentPixels(pixels, new Rng(1), aug);
    const b = augmentPixels(pixels, new Rng(1), aug);
    const c = augmentPixels(pixels, new Rng(2), aug);
    expect(a.data).toEqual(b.data);
    expect(a.data).not.toEqual(c.data);
    expect(a.data).not.toEqual(pixels.data);
    // Each image of the batch draws its own factors.
    expect(a.data.subarray(0, 192)).not.toEqual(a.data.subarray(192));
  });

  it('leaves pixels alone at zero strength, and stays close to them at small strength', () => {
    expect(augmentPixels(pixels, new Rng(3), {}).data).toEqual(pixels.data);
    const small = augmentPixels(pixels, new Rng(3), { brightness: 0.01 });
    const worst = Math.max(
      ...Array.from(small.data, (v, i) => Math.abs(v - (pixels.data[i] as number))),
    );
    expect(worst).toBeLessThanOrEqual(0.02 + 1e-6);
  });

  it('adds zero-mean noise of the asked deviation (in the [-1, 1] pixel range: 2 x strength)', () => {
    const flat = imagesToTensor([gradient(64, 64), gradient(64, 64)], { height: 64, width: 64 });
    const noisy = augmentPixels(flat, new Rng(5), { noise: 0.05 });
    const d = Array.from(noisy.data, (v, i) => v - (flat.data[i] as number));
    const mean = d.reduce((a, b) => a + b, 0) / d.length;
    const std = Math.sqrt(d.reduce((a, b) => a + (b - mean) ** 2, 0) / d.length);
    expect(Math.abs(mean)).toBeLessThan(0.005);
    expect(std).toBeGreaterThan(0.095);
    expect(std).toBeLessThan(0.105);
  });

  it('refuses unknown or out-of-range strengths', () => {
    expect(() => augmentPixels(pixels, new Rng(1), { blur: 1 } as never)).toThrow(
      expect.objectContaining({ code: 'ENCODER_INVALID_OPTION' }),
    );
    expect(() => augmentPixels(pixels, new Rng(1), { noise: -1 })).toThrow(
      expect.objectContaining({ code: 'ENCODER_INVALID_OPTION' }),
    );
  });
});

describe('the patch encoder', () => {
  it('cuts patches row by row, channels last', () => {
    const g = new GraphBuilder('p');
    const x = g.input('x', 'float32', [1, 4, 4, 3]);
    g.output(patchify(g, x, 2), 'patches');
    const data = Float32Array.from({ length: 48 }, (_, i) => i);
    const out = run(g.build(), { x: createTensor('float32', [1, 4, 4, 3], data) })
      .patches as Tensor;
    expect(out.shape).toEqual([1, 4, 12]);
    // Patch 1 is rows 0-1, columns 2-3: pixels (0,2) (0,3) (1,2) (1,3).
    const pixel = (y: number, x: number) => [0, 1, 2].map((c) => (y * 4 + x) * 3 + c);
    expect(Array.from((out.data as Float32Array).subarray(12, 24))).toEqual([
      ...pixel(0, 2),
      ...pixel(0, 3),
      ...pixel(1, 2),
      ...pixel(1, 3),
    ]);
  });

  it('makes the documented number of tokens per view, at the language model width', () => {
    expect(tokensPerView(CONFIG)).toEqual({ top: 16, front: 8 });
    const graph = visionEncoder(CONFIG);
    const weights = initParameters(graph, 1);
    const feeds = {
      [encoderNames('top').pixels]: imagesToTensor([gradient(32, 32)], CONFIG.views.top!),
      [encoderNames('front').pixels]: imagesToTensor([gradient(16, 8)], CONFIG.views.front!),
    };
    const out = run(graph, { ...feeds, ...weights });
    expect(out['tokens.top']!.shape).toEqual([1, 16, 12]);
    expect(out['tokens.front']!.shape).toEqual([1, 8, 12]);
    const names = graph.parameters.map((p) => p.name);
    expect(names).toContain('enc.top.pos');
    expect(names).toContain('enc.front.pos');
    expect(names.filter((n) => n.startsWith('enc.patch'))).toEqual(['enc.patch.w', 'enc.patch.b']);
  });

  it('trains: gradients reach the patch embedding and a toy loss falls', () => {
    const g = new GraphBuilder('toy');
    const pixels = g.input('pixels.top', 'float32', ['batch', 16, 16, 3]);
    const target = g.input('target', 'float32', ['batch', 16, 12]);
    const tokens = encodeView(g, pixels, 'top', CONFIG);
    const diff = g.sub(tokens, target);
    g.output(g.reduceMean(g.mul(diff, diff), undefined, false), 'loss');
    const forward = g.build();
    const step = buildTrainingStep(forward, 'loss');
    let state = initTrainingState(step, initParameters(forward, 3));
    const batch = {
      'pixels.top': imagesToTensor([gradient(16, 16)], CONFIG.views.top!),
      target: createTensor(
        'float32',
        [1, 16, 12],
        Float32Array.from({ length: 192 }, (_, i) => Math.sin(i)),
      ),
    };
    const losses: number[] = [];
    const patchBefore = state['enc.patch.w']!.data.slice();
    for (let i = 0; i < 15; i++) {
      const r = runTrainingStep(step, state, batch, 1e-2);
      state = r.state;
      losses.push(r.loss);
    }
    expect(losses[14]!).toBeLessThan(losses[0]! * 0.8);
    expect(state['enc.patch.w']!.data).not.toEqual(patchBefore);
    expect(LR_INPUT).toBe('optim.lr');
  });

  it('refuses configurations that cannot build, naming the fix', () => {
    const bad = (c: Partial<EncoderConfig>) => () => validateEncoderConfig({ ...CONFIG, ...c });
    expect(bad({ patch: 5 })).toThrow(/multiples of the patch/);
    expect(bad({ heads: 3 })).toThrow(/multiple of heads/);
    expect(bad({ views: {} })).toThrow(/at least one view/);
    expect(bad({ layers: 0 })).toThrow(expect.objectContaining({ code: 'ENCODER_INVALID_CONFIG' }));
    expect(() => validateEncoderConfig({ ...CONFIG, depth: 2 } as never)).toThrow(
      /Unknown encoder option depth/,
    );
    expect(bad({ patch: 1, views: { top: { height: 128, width: 128 } } })).toThrow(/tokens/);
    const g = new GraphBuilder('x');
    const x = g.input('x', 'float32', [1, 16, 16, 3]);
    expect(() => encodeView(g, x, 'side', CONFIG)).toThrow(
      expect.objectContaining({ code: 'ENCODER_INVALID_IMAGE' }),
    );
    expect(code('ENCODER_INVALID_IMAGE')(new Error('x'))).toBe(false);
  });
});
