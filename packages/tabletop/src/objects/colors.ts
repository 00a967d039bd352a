import { TabletopError } from '../errors.js';

export type Rgb = readonly [number, number, number];

/** A surface look: a solid colour, or a pattern of two colours in the object's own frame. */
export interface ColorDef {
  readonly name: string;
  readonly base: Rgb;
  readonly pattern?: {
    readonly kind: 'stripe' | 'checker' | 'dots';
    readonly second: Rgb;
    readonly period: number;
  };
}

const DEFS: readonly ColorDef[] = [
  { name: 'red', base: [205, 40, 40] },
  { name: 'green', base: [40, 165, 60] },
  { name: 'blue', base: [40, 80, 210] },
  { name: 'yellow', base: [235, 205, 40] },
  { name: 'purple', base: [130, 60, 175] },
  { name: 'orange', base: [245, 135, 30] },
  { name: 'pink', base: [245, 135, 185] },
  { name: 'cyan', base: [40, 195, 205] },
  { name: 'brown', base: [125, 75, 35] },
  { name: 'white', base: [240, 240, 240] },
  { name: 'gray', base: [120, 120, 120] },
  {
    name: 'red_and_white_stripe',
    base: [205, 40, 40],
    pattern: { kind: 'stripe', second: [240, 240, 240], period: 0.02 },
  },
  {
    name: 'blue_and_yellow_checker',
    base: [40, 80, 210],
    pattern: { kind: 'checker', second: [235, 205, 40], period: 0.02 },
  },
  {
    name: 'green_and_white_polka_dot',
    base: [40, 165, 60],
    pattern: { kind: 'dots', second: [240, 240, 240], period: 0.02 },
  },
  // Dark variants (about 55% of the base): what "lighter" and "darker" compare.
  { name: 'dark_red', base: [115, 20, 20] },
  { name: 'dark_green', base: [20, 90, 35] },
  { name: 'dark_blue', base: [20, 40, 115] },
  { name: 'dark_yellow', base: [140, 120, 20] },
  { name: 'dark_purple', base: [70, 30, 95] },
  { name: 'dark_orange', base: [150, 75, 15] },
  { name: 'dark_pink', base: [160, 70, 110] },
  { name: 'dark_cyan', base: [20, 105, 115] },
  {
    name: 'yellow_and_purple_stripe',
    base: [235, 205, 40],
    pattern: { kind: 'stripe', second: [130, 60, 175], period: 0.02 },
  },
  {
    name: 'orange_and_white_checker',
    base: [245, 135, 30],
    pattern: { kind: 'checker', second: [240, 240, 240], period: 0.02 },
  },
  {
    name: 'pink_and_gray_polka_dot',
    base: [245, 135, 185],
    pattern: { kind: 'dots', second: [120, 120, 120], period: 0.02 },
  },
];

export const COLORS: ReadonlyMap<string, ColorDef> = new Map(DEFS.map((d) => [d.name, d]));
/** Names of every colour and texture. */
export const COLOR_NAMES: readonly string[] = DEFS.map((d) => d.name);

/** Each colour that has a dark variant, mapped to it (`red` to `dark_red`). */
export const DARK_VARIANTS: ReadonlyMap<string, string> = new Map(
  COLOR_NAMES.filter((c) => COLORS.has(`dark_${c}`)).map((c) => [c, `dark_${c}`]),
);

export function getColor(name: string): ColorDef {
  const def = COLORS.get(name);
  if (!def) {
    throw new TabletopError(
      'TABLETOP_UNKNOWN_COLOR',
      `Unknown colour "${name}"; use one of ${COLOR_NAMES.join(', ')}.`,
    );
  }
  return def;
}

/** The colour of a surface point given in the object's own frame (workspace units). */
export function surfaceColor(def: ColorDef, lx: number, ly: number, lz: number): Rgb {
  const p = def.pattern;
  if (!p) return def.base;
  const u = lx / p.period;
  const v = ly / p.period;
  let second: boolean;
  if (p.kind === 'stripe') second = Math.floor(u + v) % 2 !== 0;
  else if (p.kind === 'checker')
    second = (Math.floor(u) + Math.floor(v) + Math.floor(lz / p.period)) % 2 !== 0;
  else second = Math.hypot(u - Math.round(u), v - Math.round(v)) < 0.3;
  return second ? p.second : def.base;
}
