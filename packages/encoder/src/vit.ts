import {
  GraphBuilder,
  linear,
  norm,
  sharedParameter,
  transformerStack,
  type Graph,
  type TensorRef,
} from '@actllm/graph';
import { EncoderError } from './errors.js';
import { tokensPerView, validateEncoderConfig, type EncoderConfig } from './config.js';

/** Graph input and output names of a view in `visionEncoder`. */
export function encoderNames(view: string): { pixels: string; tokens: string } {
  return { pixels: `pixels.${view}`, tokens: `tokens.${view}` };
}

/**
 * `[batch, H, W, 3]` to `[batch, (H/p) * (W/p), p * p * 3]` by reshape and transpose: no
 * convolution op is needed, and a patch's pixels are laid out row by row, channels last.
 */
export function patchify(g: GraphBuilder, pixels: TensorRef, patch: number): TensorRef {
  const [, h, w, c] = pixels.shape;
  if (typeof h !== 'number' || typeof w !== 'number' || c !== 3 || h % patch || w % patch) {
    throw new EncoderError(
      'ENCODER_INVALID_CONFIG',
      `patchify: ${pixels.name} must be [batch, H, W, 3] with H and W multiples of ${patch}; got [${pixels.shape.join(', ')}].`,
    );
  }
  const rows = h / patch;
  const cols = w / patch;
  const grid = g.reshape(pixels, [0, rows, patch, cols, patch, 3]);
  const patches = g.transpose(grid, [0, 1, 3, 2, 4, 5]);
  return g.reshape(patches, [0, rows * cols, patch * patch * 3]);
}

/**
 * Visual tokens of one view, `[batch, tokens, outDim]`, added to graph `g` under `name`:
 * the patch embedding `name.patch`, the view's own position embedding `name.<view>.pos`,
 * the blocks `name.h0...`, the norm `name.ln` and the projection `name.proj` (all shared
 * by the views except the position embeddings).
 */
export function encodeView(
  g: GraphBuilder,
  pixels: TensorRef,
  view: string,
  config: EncoderConfig,
  name = 'enc',
): TensorRef {
  const count = tokensPerView(config)[view];
  if (count === undefined) {
    throw new EncoderError(
      'ENCODER_INVALID_IMAGE',
      `The encoder has no view ${view}; its views are ${Object.keys(config.views).join(', ')}.`,
    );
  }
  const { patch, dim } = config;
  const embedded = linear(g, patchify(g, pixels, patch), `${name}.patch`, patch * patch * 3, dim);
  const pos = sharedParameter(g, `${name}.${view}.pos`, [count, dim], {
    kind: 'normal',
    std: 0.02,
  });
  const stack = transformerStack(
    g,
    g.add(embedded, pos),
    { ...config, dModel: dim },
    { prefix: `${name}.h` },
  );
  const normed = norm(g, 'layer', stack.hidden, `${name}.ln`, dim);
  return linear(g, normed, `${name}.proj`, dim, config.outDim);
}

/**
 * The encoder as a graph of its own: per view an input `pixels.<view>` [batch, H, W, 3]
 * (from `imagesToTensor`) and an output `tokens.<view>` [batch, tokens, outDim].
 */
export function visionEncoder(config: EncoderConfig, name = 'enc'): Graph {
  validateEncoderConfig(config);
  const g = new GraphBuilder('vision_encoder');
  for (const [view, size] of Object.entries(config.views)) {
    const names = encoderNames(view);
    const pixels = g.input(names.pixels, 'float32', ['batch', size.height, size.width, 3]);
    g.output(encodeView(g, pixels, view, config, name), names.tokens);
  }
  return g.build();
}
