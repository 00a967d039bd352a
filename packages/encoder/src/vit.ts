import {
  GraphBuilder,
  gelu,
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
  if (pixels.shape[3] !== 3) {
    throw new EncoderError(
      'ENCODER_INVALID_CONFIG',
      `patchify: ${pixels.name} must be [batch, H, W, 3]; got [${pixels.shape.join(', ')}].`,
    );
  }
  return groups(g, pixels, patch);
}

/** `[batch, H, W, C]` to `[batch, (H/p) * (W/p), p * p * C]`: each p x p group, row by row. */
function groups(g: GraphBuilder, grid: TensorRef, p: number): TensorRef {
  const [, h, w, c] = grid.shape;
  if (typeof h !== 'number' || typeof w !== 'number' || typeof c !== 'number' || h % p || w % p) {
    throw new EncoderError(
      'ENCODER_INVALID_CONFIG',
      `${grid.name} must be [batch, H, W, C] with H and W multiples of ${p}; got [${grid.shape.join(', ')}].`,
    );
  }
  const split = g.reshape(grid, [0, h / p, p, w / p, p, c]);
  const grouped = g.transpose(split, [0, 1, 3, 2, 4, 5]);
  return g.reshape(grouped, [0, (h / p) * (w / p), p * p * c]);
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
  const merge = config.merge ?? 1;
  const size = config.views[view] as { height: number; width: number };
  const stem = config.stem ?? [];
  let rows = size.height / patch;
  let cols = size.width / patch;
  const widths = [...stem, dim];
  let x = linear(
    g,
    patchify(g, pixels, patch),
    `${name}.patch`,
    patch * patch * 3,
    widths[0] as number,
  );
  for (let i = 0; i < stem.length; i++) {
    const width = widths[i] as number;
    const grid = g.reshape(gelu(g, x), [0, rows, cols, width]);
    rows /= 2;
    cols /= 2;
    x = linear(g, groups(g, grid, 2), `${name}.stem${i}`, 4 * width, widths[i + 1] as number);
  }
  const pos = sharedParameter(g, `${name}.${view}.pos`, [rows * cols, dim], {
    kind: 'normal',
    std: 0.02,
  });
  const stack = transformerStack(
    g,
    g.add(x, pos),
    { ...config, dModel: dim },
    { prefix: `${name}.h` },
  );
  const normed = norm(g, 'layer', stack.hidden, `${name}.ln`, dim);
  if (merge === 1) return linear(g, normed, `${name}.proj`, dim, config.outDim);
  const merged = groups(g, g.reshape(normed, [0, rows, cols, dim]), merge);
  return linear(g, merged, `${name}.proj`, merge * merge * dim, config.outDim);
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
