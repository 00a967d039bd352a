/**
 * The fixed light and how bright each kind of surface is. A policy reads shapes from these
 * differences: upward faces are the brightest, walls darker the more they turn from the light,
 * and the inside of a container (its floor and inner walls) darker still, so an object in a
 * container of its own colour stands out from it.
 */

/** Unit vector towards the light: above the table, a little to the right and towards the front camera. */
export const LIGHT: readonly [number, number, number] = (() => {
  const l = [0.35, -0.45, 0.82];
  const n = Math.hypot(l[0] ?? 0, l[1] ?? 0, l[2] ?? 0);
  return [(l[0] ?? 0) / n, (l[1] ?? 0) / n, (l[2] ?? 0) / n];
})();

/** Brightness of a face turned fully away from the light. */
const AMBIENT = 0.42;
/** Multiplier of a container's floor and inner walls. */
export const INSIDE = 0.6;
/** Multiplier of a container's rim (the top of its walls), so the rim reads as an edge. */
export const RIM = 1.12;

/**
 * Brightness of a face with world normal n: 1 for an upward face, AMBIENT for one facing
 * away from the light, in between for walls (Lambert, normalised so that "up" is 1).
 */
export function faceShade(nx: number, ny: number, nz: number): number {
  const d = Math.max(0, nx * LIGHT[0] + ny * LIGHT[1] + nz * LIGHT[2]) / LIGHT[2];
  return AMBIENT + (1 - AMBIENT) * Math.min(1, d);
}

/** The table's colours: the workspace is a lighter square, so its edge shows in every view. */
export const TABLE_RGB: readonly [number, number, number] = [172, 150, 116];
export const WORKSPACE_RGB: readonly [number, number, number] = [200, 178, 140];
export const BACKGROUND_RGB: readonly [number, number, number] = [55, 58, 66];
