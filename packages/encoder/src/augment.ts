import { Rng, createTensor, type Tensor } from '@actllm/core';
import { EncoderError } from './errors.js';

/**
 * Train-time photometric augmentation, drawn from a seeded `Rng`. Only colour and noise:
 * a geometric change (crop, flip, shift) would move the objects while the scene descriptor
 * labels keep their coordinates, so it would teach wrong positions.
 */
export interface Augmentation {
  /** Largest brightness shift, as a fraction of the pixel range (e.g. 0.1). */
  readonly brightness?: number;
  /** Largest relative contrast change around the image mean (e.g. 0.2). */
  readonly contrast?: number;
  /** Largest relative saturation change towards or away from grey (e.g. 0.2). */
  readonly saturation?: number;
  /** Standard deviation of added Gaussian noise, as a fraction of the pixel range. */
  readonly noise?: number;
}

const KEYS: ReadonlySet<string> = new Set(['brightness', 'contrast', 'saturation', 'noise']);

function strength(a: Augmentation, key: keyof Augmentation): number {
  const v = a[key] ?? 0;
  if (!Number.isFinite(v) || v < 0 || v > 1) {
    throw new EncoderError(
      'ENCODER_INVALID_OPTION',
      `augmentation ${key} must be a number from 0 to 1; got ${String(v)}.`,
    );
  }
  return v;
}

/** Checks an augmentation (option names, strengths from 0 to 1) or throws `ENCODER_INVALID_OPTION`. */
export function checkAugmentation(augmentation: Augmentation): Augmentation {
  if (typeof augmentation !== 'object' || augmentation === null) {
    throw new EncoderError(
      'ENCODER_INVALID_OPTION',
      'augmentation is an object such as { brightness: 0.1, noise: 0.02 }.',
    );
  }
  const unknown = Object.keys(augmentation).filter((k) => !KEYS.has(k));
  if (unknown.length > 0) {
    throw new EncoderError(
      'ENCODER_INVALID_OPTION',
      `Unknown augmentation ${unknown.join(', ')}; use ${[...KEYS].join(', ')}.`,
    );
  }
  for (const key of KEYS) strength(augmentation, key as keyof Augmentation);
  return augmentation;
}

/**
 * Augments a normalized [batch, height, width, 3] tensor from `imagesToTensor` (pixels in
 * [-1, 1] with the default normalization, whose range is 2): each image gets its own
 * brightness, contrast and saturation factors and noise. Returns a new tensor; the same
 * `rng` state gives the same result.
 */
export function augmentPixels(
  pixels: Tensor<'float32'>,
  rng: Rng,
  augmentation: Augmentation,
  range = 2,
): Tensor<'float32'> {
  checkAugmentation(augmentation);
  if (pixels?.dtype !== 'float32' || pixels.shape.length !== 4 || pixels.shape[3] !== 3) {
    throw new EncoderError(
      'ENCODER_INVALID_IMAGE',
      'augmentPixels takes a float32 [batch, height, width, 3] tensor from imagesToTensor.',
    );
  }
  const [brightness, contrast, saturation, noise] = (
    ['brightness', 'contrast', 'saturation', 'noise'] as const
  ).map((k) => strength(augmentation, k)) as [number, number, number, number];
  const out = Float32Array.from(pixels.data);
  const plane = out.length / (pixels.shape[0] as number);
  for (let b = 0; b < (pixels.shape[0] as number); b++) {
    const view = out.subarray(b * plane, (b + 1) * plane);
    const factors = {
      shift: rng.float(-brightness, brightness) * range,
      contrast: 1 + rng.float(-contrast, contrast),
      saturation: 1 + rng.float(-saturation, saturation),
    };
    // Factors are drawn whatever the strengths, so the noise stream does not depend on them.
    if (brightness > 0 || contrast > 0 || saturation > 0) jitter(view, factors);
    if (noise > 0) addNoise(view, rng, noise * range);
  }
  return createTensor('float32', pixels.shape, out);
}

/** 65536 standard normal deviates from a fixed seed, drawn once: the noise's source. */
let normals: Float64Array | undefined;
function normalTable(): Float64Array {
  if (!normals) {
    const rng = new Rng(0x6e6f6973);
    normals = Float64Array.from({ length: 65536 }, () => rng.normal());
  }
  return normals;
}

/**
 * Adds Gaussian noise of deviation `std` to every value: a table deviate per value, picked
 * by a xorshift32 stream that `rng` seeds once per image. Per value that is a shift and a
 * lookup instead of `rng.normal`'s four generator calls, a logarithm and a cosine, which
 * matters at a million values a training step.
 */
function addNoise(view: Float32Array, rng: Rng, std: number): void {
  const table = normalTable();
  let x = rng.nextUint32() | 1; // xorshift32 needs a non-zero state
  for (let i = 0; i < view.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    view[i] = (view[i] as number) + std * (table[x >>> 16] as number);
  }
}

function jitter(
  view: Float32Array,
  f: { shift: number; contrast: number; saturation: number },
): void {
  let mean = 0;
  for (let i = 0; i < view.length; i++) mean += view[i] as number;
  mean /= view.length;
  for (let i = 0; i < view.length; i += 3) {
    const grey = ((view[i] as number) + (view[i + 1] as number) + (view[i + 2] as number)) / 3;
    for (let c = 0; c < 3; c++) {
      const saturated = grey + ((view[i + c] as number) - grey) * f.saturation;
      view[i + c] = mean + (saturated - mean) * f.contrast + f.shift;
    }
  }
}
