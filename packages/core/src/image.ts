import { InvalidArgumentError } from './errors.js';

/** The camera views every observation carries. */
export const VIEW_NAMES = ['top', 'front'] as const;
export type ViewName = (typeof VIEW_NAMES)[number];

/** An 8-bit RGB image, row-major, height x width x 3 (HWC). */
export interface Image {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array;
}

/** A black image of the given size, or one filled with `rgb`. */
/** The largest image createImage makes: 8192 x 8192 pixels (192 MiB of RGB). */
export const MAX_IMAGE_PIXELS = 8192 * 8192;

export function createImage(
  width: number,
  height: number,
  rgb?: readonly [number, number, number],
): Image {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
    throw new InvalidArgumentError(
      `Image sizes must be positive integers; got ${width}x${height}.`,
    );
  }
  if (width * height > MAX_IMAGE_PIXELS) {
    throw new InvalidArgumentError(
      `Image ${width}x${height} is above the limit of ${MAX_IMAGE_PIXELS} pixels; render smaller views.`,
    );
  }
  const isByte = (v: unknown): boolean =>
    Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 255;
  if (rgb !== undefined && !(Array.isArray(rgb) && rgb.length === 3 && rgb.every(isByte))) {
    throw new InvalidArgumentError(
      'createImage: rgb is three integers in [0, 255], such as [255, 0, 0].',
    );
  }
  const data = new Uint8Array(width * height * 3);
  if (rgb) {
    for (let i = 0; i < data.length; i += 3) data.set(rgb, i);
  }
  return { width, height, data };
}

/** Throws an INVALID_ARGUMENT error unless `image` is a well-formed RGB {@link Image}. */
export function assertImage(image: Image, what = 'image'): void {
  if (typeof image !== 'object' || image === null) {
    throw new InvalidArgumentError(
      `${what} must be an image { width, height, data }; got ${String(image)}.`,
    );
  }
  const { width, height, data } = image;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
    throw new InvalidArgumentError(
      `${what}: width and height must be positive integers; got ${width}x${height}.`,
    );
  }
  if (!(data instanceof Uint8Array) || data.length !== width * height * 3) {
    throw new InvalidArgumentError(
      `${what}: data must be a Uint8Array of width * height * 3 = ${width * height * 3} bytes (RGB, HWC); got ${data?.length}.`,
    );
  }
}
