import { assertImage, createTensor, isActllmError, type Image, type Tensor } from '@actllm/core';
import { EncoderError } from './errors.js';
import type { ViewSize } from './config.js';

/**
 * From camera images to the encoder's input: resized to the view's size, scaled to [0, 1],
 * then normalized per channel, `(x - mean) / std`. The default (0.5, 0.5) maps pixels to
 * [-1, 1], as SigLIP-style encoders do.
 */
export interface Normalization {
  readonly mean: readonly [number, number, number];
  readonly std: readonly [number, number, number];
}

export const DEFAULT_NORMALIZATION: Normalization = { mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5] };

function checkedImage(image: Image, what: string): Image {
  try {
    assertImage(image, what);
  } catch (error) {
    if (isActllmError(error))
      throw new EncoderError('ENCODER_INVALID_IMAGE', error.message, { cause: error });
    throw error;
  }
  return image;
}

/**
 * Resizes with a box filter: each output pixel averages the source pixels whose centres
 * fall inside its footprint (the nearest one when it is smaller than a pixel), so
 * downscaling keeps thin parts and textures instead of aliasing them.
 */
export function resizeImage(image: Image, width: number, height: number): Image {
  checkedImage(image, 'resizeImage: image');
  if (![width, height].every((d) => Number.isInteger(d) && d > 0 && d <= 8192)) {
    throw new EncoderError(
      'ENCODER_INVALID_OPTION',
      `resizeImage: sizes must be whole numbers from 1 to 8192; got ${width}x${height}.`,
    );
  }
  if (image.width === width && image.height === height) return image;
  const xs = spans(image.width, width);
  const ys = spans(image.height, height);
  const out = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    const [y0, y1] = ys[y] as [number, number];
    for (let x = 0; x < width; x++) {
      const [x0, x1] = xs[x] as [number, number];
      let r = 0;
      let g = 0;
      let b = 0;
      for (let sy = y0; sy < y1; sy++) {
        for (let sx = x0; sx < x1; sx++) {
          const i = (sy * image.width + sx) * 3;
          r += image.data[i] as number;
          g += image.data[i + 1] as number;
          b += image.data[i + 2] as number;
        }
      }
      const n = (y1 - y0) * (x1 - x0);
      const o = (y * width + x) * 3;
      out[o] = Math.round(r / n);
      out[o + 1] = Math.round(g / n);
      out[o + 2] = Math.round(b / n);
    }
  }
  return { width, height, data: out };
}

/** For each output index, the source range [start, end) whose centres fall inside it. */
function spans(from: number, to: number): [number, number][] {
  const scale = from / to;
  return Array.from({ length: to }, (_, i) => {
    let start = Math.ceil(i * scale - 0.5);
    let end = Math.ceil((i + 1) * scale - 0.5);
    if (end <= start) {
      start = Math.min(from - 1, Math.floor((i + 0.5) * scale));
      end = start + 1;
    }
    return [Math.max(0, start), Math.min(from, end)];
  });
}

function checkNormalization(n: Normalization): Normalization {
  const ok = (v: unknown, positive: boolean): boolean =>
    Array.isArray(v) &&
    v.length === 3 &&
    v.every((x) => Number.isFinite(x) && (!positive || x > 0));
  if (typeof n !== 'object' || n === null || !ok(n.mean, false) || !ok(n.std, true)) {
    throw new EncoderError(
      'ENCODER_INVALID_OPTION',
      'normalization is { mean: [r, g, b], std: [r, g, b] } with every std above 0.',
    );
  }
  return n;
}

/**
 * A batch of images of one view as the encoder's float32 input [batch, height, width, 3]
 * (resized to `size`, normalized).
 */
export function imagesToTensor(
  images: readonly Image[],
  size: ViewSize,
  normalization: Normalization = DEFAULT_NORMALIZATION,
): Tensor<'float32'> {
  if (!Array.isArray(images) || images.length === 0) {
    throw new EncoderError(
      'ENCODER_INVALID_IMAGE',
      'imagesToTensor takes a non-empty array of images.',
    );
  }
  const { mean, std } = checkNormalization(normalization);
  const { height, width } = size ?? {};
  if (![height, width].every((d) => Number.isInteger(d) && d > 0 && d <= 8192)) {
    throw new EncoderError(
      'ENCODER_INVALID_OPTION',
      'imagesToTensor: size is { height, width }, whole numbers from 1 to 8192 (a view of the encoder config).',
    );
  }
  const plane = height * width * 3;
  const data = new Float32Array(images.length * plane);
  // Each channel's 256 normalized values, computed once: the per-pixel work is then a lookup
  // (the same values as computing each pixel, at a fraction of the cost).
  const [r, g, bl] = [0, 1, 2].map((c) =>
    Float64Array.from(
      { length: 256 },
      (_, v) => (v / 255 - (mean[c] as number)) / (std[c] as number),
    ),
  ) as [Float64Array, Float64Array, Float64Array];
  images.forEach((raw: Image, b) => {
    const pixels = resizeImage(checkedImage(raw, `images[${b}]`), width, height).data;
    const at = b * plane;
    for (let i = 0; i < plane; i += 3) {
      data[at + i] = r[pixels[i] as number] as number;
      data[at + i + 1] = g[pixels[i + 1] as number] as number;
      data[at + i + 2] = bl[pixels[i + 2] as number] as number;
    }
  });
  return createTensor('float32', [images.length, height, width, 3], data);
}
