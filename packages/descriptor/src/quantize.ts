import { normalizeAngle } from '@actllm/core';
import { describeValue, requireNumber } from './arguments.js';
import { DescriptorError } from './errors.js';

/**
 * Bin layout. Positions and sizes live in [0, 1] and are cut into `bins` equal bins: a value
 * `v` falls in bin `floor(v * bins)`, clamped to `[0, bins - 1]` (so 1 itself is in the last
 * bin), and a bin decodes to its centre `(i + 0.5) / bins`. Yaws are periodic: bin `k` is
 * centred on the yaw `k * 2pi / bins` (brought into (-pi, pi]) and covers half a step either
 * side, so yaw 0, the most common one, is a bin centre and reads back as exactly 0; a yaw goes
 * to the nearest centre the short way round. Decoding then encoding gives the same bin, so a
 * quantized scene is a fixed point.
 */

/** The bin count used when none is given: a resolution of 1 % of the workspace side. */
export const DEFAULT_BINS = 100;

/** The largest bin count accepted; it keeps the compact vocabulary enumerable. */
export const MAX_BINS = 4096;

const TWO_PI = 2 * Math.PI;

/** Throws a typed error unless `bins` is an integer in [1, MAX_BINS]. */
export function checkBins(bins: number): number {
  if (!Number.isInteger(bins) || bins < 1 || bins > MAX_BINS) {
    throw new DescriptorError(
      'DESCRIPTOR_INVALID_OPTIONS',
      `bins must be an integer between 1 and ${MAX_BINS}; got ${describeValue(bins)}. Pass the bin count the model was trained with (default ${DEFAULT_BINS}).`,
    );
  }
  return bins;
}

/** Throws DESCRIPTOR_INVALID_ARGUMENT unless `bin` is an integer in [0, bins). */
function checkBin(bin: number, bins: number): void {
  checkBins(bins);
  if (!Number.isInteger(bin) || bin < 0 || bin >= bins) {
    throw new DescriptorError(
      'DESCRIPTOR_INVALID_ARGUMENT',
      `bin must be an integer in [0, ${bins}); got ${String(requireNumber(bin, 'bin'))}.`,
    );
  }
}

/** The bin of a value in [0, 1]; values outside are clamped, NaN goes to bin 0. */
export function toBin(value: number, bins: number): number {
  requireNumber(value, 'value');
  checkBins(bins);
  const i = Math.floor(value * bins);
  if (!(i > 0)) return 0;
  return i >= bins ? bins - 1 : i;
}

/** The centre of a bin of [0, 1]. */
export function fromBin(bin: number, bins: number): number {
  checkBin(bin, bins);
  return (bin + 0.5) / bins;
}

/** The value a [0, 1] quantity takes at bin resolution. */
export function quantizeUnit(value: number, bins: number): number {
  return fromBin(toBin(value, bins), bins);
}

/** The bin of a yaw: the nearest bin centre, going round the circle. */
export function toAngleBin(theta: number, bins: number): number {
  requireNumber(theta, 'theta');
  checkBins(bins);
  const k = Math.round((normalizeAngle(theta) * bins) / TWO_PI);
  if (!Number.isFinite(k)) return 0;
  return ((k % bins) + bins) % bins;
}

/** The centre of a yaw bin, in (-pi, pi]. */
export function fromAngleBin(bin: number, bins: number): number {
  checkBin(bin, bins);
  return normalizeAngle((bin * TWO_PI) / bins);
}

/** The value a yaw takes at bin resolution. */
export function quantizeAngle(theta: number, bins: number): number {
  return fromAngleBin(toAngleBin(theta, bins), bins);
}
