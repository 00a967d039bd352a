import { TabletopError } from '../errors.js';

/** A 2D point of a footprint, in workspace units at scale 1. */
export type P2 = readonly [number, number];

/** A convex prism: a convex CCW polygon extruded from z0 to z1 (workspace units at scale 1). */
export interface ShapePart {
  readonly polygon: readonly P2[];
  readonly z0: number;
  readonly z1: number;
  /**
   * Set when the polygon stands for a disc: physics then uses a cylinder collider. Rapier's
   * convex hulls of thin many-sided prisms let objects sink halfway into them (measured with
   * 0.21.0: a block dropped on a 12-sided floor 8 mm thick settles 5 mm into it).
   */
  readonly disc?: { readonly cx: number; readonly cy: number; readonly r: number };
}

/** Where a container holds objects, in its own frame at scale 1. */
export type ContainerRegion =
  | { readonly kind: 'circle'; readonly cx: number; readonly cy: number; readonly r: number }
  | {
      readonly kind: 'rect';
      readonly cx: number;
      readonly cy: number;
      readonly hx: number;
      readonly hy: number;
    };

export interface ShapeDef {
  readonly name: string;
  /** Convex parts; physics uses one convex-hull collider per part, the renderer the same prisms. */
  readonly parts: readonly ShapePart[];
  /** Order of rotational symmetry about z: 1 none, 4 a square, 0 continuous (ring, bowl). */
  readonly symmetry: number;
  /** Set for shapes that objects can be put into. */
  readonly container?: ContainerRegion;
  /**
   * Set for markings painted on the table (a sweep zone, a line): drawn, but without a
   * collider, so a push slides objects over them and never moves them.
   */
  readonly marking?: true;
}

function regular(n: number, r: number, phase = Math.PI / 2, cx = 0, cy = 0): P2[] {
  const out: P2[] = [];
  for (let i = 0; i < n; i++) {
    const a = phase + (2 * Math.PI * i) / n;
    out.push([cx + r * Math.cos(a), cy + r * Math.sin(a)]);
  }
  return out;
}

function rect(x0: number, y0: number, x1: number, y1: number): P2[] {
  return [
    [x0, y0],
    [x1, y0],
    [x1, y1],
    [x0, y1],
  ];
}

function prism(polygon: P2[], z0: number, z1: number): ShapePart {
  return { polygon, z0, z1 };
}

/** A disc prism: an n-gon for the renderer, a cylinder for physics. */
function disc(n: number, r: number, cx: number, cy: number, z0: number, z1: number): ShapePart {
  return { polygon: regular(n, r, 0, cx, cy), z0, z1, disc: { cx, cy, r } };
}

/** An annulus as n convex trapezoids (a ring or a container wall). */
function annulus(
  n: number,
  rIn: number,
  rOut: number,
  z0: number,
  z1: number,
  cx = 0,
  cy = 0,
): ShapePart[] {
  const parts: ShapePart[] = [];
  for (let i = 0; i < n; i++) {
    const a0 = (2 * Math.PI * i) / n;
    const a1 = (2 * Math.PI * (i + 1)) / n;
    const at = (r: number, a: number): P2 => [cx + r * Math.cos(a), cy + r * Math.sin(a)];
    parts.push(prism([at(rIn, a0), at(rOut, a0), at(rOut, a1), at(rIn, a1)], z0, z1));
  }
  return parts;
}

function star(rOut: number, rIn: number, h: number): ShapePart[] {
  const inner = regular(5, rIn, Math.PI / 2 + Math.PI / 5);
  const tips = regular(5, rOut, Math.PI / 2);
  const parts = [prism(inner, 0, h)];
  for (let i = 0; i < 5; i++) {
    // tip i sits between inner vertices i-1 and i (CCW order)
    const a = inner[(i + 4) % 5] as P2;
    const b = inner[i] as P2;
    parts.push(prism([a, tips[i] as P2, b], 0, h));
  }
  return parts;
}

function heart(s: number, h: number): ShapePart[] {
  return [
    disc(10, 0.28 * s, -0.22 * s, 0.17 * s, 0, h),
    disc(10, 0.28 * s, 0.22 * s, 0.17 * s, 0, h),
    prism(
      [
        [0, -0.5 * s],
        [0.48 * s, 0.08 * s],
        [-0.48 * s, 0.08 * s],
      ],
      0,
      h,
    ),
  ];
}

/** A flower: a disc for the heart and five petal discs around it (each a cylinder in physics). */
function flower(r: number, h: number): ShapePart[] {
  const petal = 0.4 * r;
  const parts = [disc(10, 0.45 * r, 0, 0, 0, h)];
  for (const [x, y] of regular(5, r - petal)) parts.push(disc(8, petal, x, y, 0, h));
  return parts;
}

/** An arc of an annulus from angle a0 to a1 (a "C") as n convex trapezoids. */
function arc(n: number, rIn: number, rOut: number, a0: number, a1: number, h: number): ShapePart[] {
  const at = (r: number, a: number): P2 => [r * Math.cos(a), r * Math.sin(a)];
  const parts: ShapePart[] = [];
  for (let i = 0; i < n; i++) {
    const b0 = a0 + ((a1 - a0) * i) / n;
    const b1 = a0 + ((a1 - a0) * (i + 1)) / n;
    parts.push(prism([at(rIn, b0), at(rOut, b0), at(rOut, b1), at(rIn, b1)], 0, h));
  }
  return parts;
}

const H = 0.04; // height of the small objects

const DEFS: readonly ShapeDef[] = [
  { name: 'block', symmetry: 4, parts: [prism(rect(-0.03, -0.03, 0.03, 0.03), 0, 0.045)] },
  {
    name: 'diamond',
    symmetry: 2,
    parts: [
      prism(
        [
          [0, -0.032],
          [0.045, 0],
          [0, 0.032],
          [-0.045, 0],
        ],
        0,
        H,
      ),
    ],
  },
  { name: 'triangle', symmetry: 3, parts: [prism(regular(3, 0.042), 0, H)] },
  { name: 'pentagon', symmetry: 5, parts: [prism(regular(5, 0.038), 0, H)] },
  { name: 'hexagon', symmetry: 6, parts: [prism(regular(6, 0.037), 0, H)] },
  { name: 'star', symmetry: 5, parts: star(0.045, 0.02, H) },
  {
    name: 'cross',
    symmetry: 4,
    parts: [
      prism(rect(-0.04, -0.013, 0.04, 0.013), 0, H),
      prism(rect(-0.013, -0.04, 0.013, 0.04), 0, H),
    ],
  },
  { name: 'heart', symmetry: 1, parts: heart(0.085, H) },
  { name: 'ring', symmetry: 0, parts: annulus(10, 0.02, 0.04, 0, 0.03) },
  {
    name: 'letter_l',
    symmetry: 1,
    parts: [
      prism(rect(-0.03, -0.04, -0.01, 0.04), 0, H),
      prism(rect(-0.01, -0.04, 0.03, -0.02), 0, H),
    ],
  },
  {
    name: 'letter_t',
    symmetry: 1,
    parts: [
      prism(rect(-0.04, 0.02, 0.04, 0.04), 0, H),
      prism(rect(-0.01, -0.04, 0.01, 0.02), 0, H),
    ],
  },
  {
    name: 'letter_u',
    symmetry: 1,
    parts: [
      prism(rect(-0.035, -0.04, -0.015, 0.04), 0, H),
      prism(rect(0.015, -0.04, 0.035, 0.04), 0, H),
      prism(rect(-0.015, -0.04, 0.015, -0.02), 0, H),
    ],
  },
  // Shapes added to reach VIMA-Bench's variety (solid, letters, outlines); all convex prisms.
  { name: 'round', symmetry: 0, parts: [disc(12, 0.038, 0, 0, 0, H)] },
  { name: 'octagon', symmetry: 8, parts: [prism(regular(8, 0.039, Math.PI / 8), 0, H)] },
  { name: 'flower', symmetry: 5, parts: flower(0.04, H) },
  {
    name: 'arrow',
    symmetry: 1,
    parts: [
      prism(
        [
          [0.045, 0],
          [0.005, 0.038],
          [0.005, -0.038],
        ],
        0,
        H,
      ),
      prism(rect(-0.045, -0.013, 0.005, 0.013), 0, H),
    ],
  },
  {
    name: 'trapezoid',
    symmetry: 1,
    parts: [
      prism(
        [
          [-0.045, -0.03],
          [0.045, -0.03],
          [0.022, 0.03],
          [-0.022, 0.03],
        ],
        0,
        H,
      ),
    ],
  },
  {
    name: 'parallelogram',
    symmetry: 2,
    parts: [
      prism(
        [
          [-0.046, -0.028],
          [0.018, -0.028],
          [0.046, 0.028],
          [-0.018, 0.028],
        ],
        0,
        H,
      ),
    ],
  },
  {
    name: 'letter_c',
    symmetry: 1,
    parts: arc(6, 0.022, 0.04, Math.PI / 3, (5 * Math.PI) / 3, H),
  },
  {
    name: 'letter_e',
    symmetry: 1,
    parts: [
      prism(rect(-0.032, -0.04, -0.012, 0.04), 0, H),
      prism(rect(-0.012, 0.022, 0.032, 0.04), 0, H),
      prism(rect(-0.012, -0.009, 0.024, 0.009), 0, H),
      prism(rect(-0.012, -0.04, 0.032, -0.022), 0, H),
    ],
  },
  {
    name: 'letter_h',
    symmetry: 2,
    parts: [
      prism(rect(-0.036, -0.04, -0.016, 0.04), 0, H),
      prism(rect(0.016, -0.04, 0.036, 0.04), 0, H),
      prism(rect(-0.016, -0.01, 0.016, 0.01), 0, H),
    ],
  },
  {
    name: 'letter_v',
    symmetry: 1,
    parts: [
      prism(
        [
          [-0.011, -0.04],
          [0.011, -0.04],
          [-0.019, 0.04],
          [-0.041, 0.04],
        ],
        0,
        H,
      ),
      prism(
        [
          [-0.011, -0.04],
          [0.011, -0.04],
          [0.041, 0.04],
          [0.019, 0.04],
        ],
        0,
        H,
      ),
    ],
  },
  {
    name: 'bowl',
    symmetry: 0,
    parts: [disc(12, 0.085, 0, 0, 0, 0.008), ...annulus(12, 0.074, 0.085, 0, 0.045)],
    container: { kind: 'circle', cx: 0, cy: 0, r: 0.066 },
  },
  {
    name: 'pan',
    symmetry: 1,
    parts: [
      disc(12, 0.08, -0.035, 0, 0, 0.008),
      ...annulus(12, 0.071, 0.08, 0, 0.025, -0.035, 0),
      prism(rect(0.04, -0.008, 0.115, 0.008), 0.004, 0.016),
    ],
    container: { kind: 'circle', cx: -0.035, cy: 0, r: 0.062 },
  },
  {
    name: 'frame',
    symmetry: 4,
    parts: [
      prism(rect(-0.09, -0.09, 0.09, -0.078), 0, 0.006),
      prism(rect(-0.09, 0.078, 0.09, 0.09), 0, 0.006),
      prism(rect(-0.09, -0.078, -0.078, 0.078), 0, 0.006),
      prism(rect(0.078, -0.078, 0.09, 0.078), 0, 0.006),
    ],
    container: { kind: 'rect', cx: 0, cy: 0, hx: 0.07, hy: 0.07 },
  },
  {
    name: 'pallet',
    symmetry: 4,
    parts: [
      prism(rect(-0.08, -0.08, 0.08, 0.08), 0.01, 0.02),
      prism(rect(-0.08, -0.08, -0.06, 0.08), 0, 0.01),
      prism(rect(-0.01, -0.08, 0.01, 0.08), 0, 0.01),
      prism(rect(0.06, -0.08, 0.08, 0.08), 0, 0.01),
    ],
    container: { kind: 'rect', cx: 0, cy: 0, hx: 0.07, hy: 0.07 },
  },
  // A square box with walls: the container kept for L3 (never seen in training).
  {
    name: 'box',
    symmetry: 4,
    parts: [
      prism(rect(-0.09, -0.09, 0.09, -0.078), 0, 0.03),
      prism(rect(-0.09, 0.078, 0.09, 0.09), 0, 0.03),
      prism(rect(-0.09, -0.078, -0.078, 0.078), 0, 0.03),
      prism(rect(0.078, -0.078, 0.09, 0.078), 0, 0.03),
    ],
    container: { kind: 'rect', cx: 0, cy: 0, hx: 0.07, hy: 0.07 },
  },
  // Markings: flat paint 1 mm thick. The zone is a frame-shaped outline (bars 0.016 wide, so
  // they cover at least a pixel of the 64-pixel top view) without walls that a pushed object
  // would catch on and shove; the line is a bar 0.024 wide.
  {
    name: 'zone',
    symmetry: 4,
    marking: true,
    parts: [
      prism(rect(-0.09, -0.09, 0.09, -0.074), 0, 0.001),
      prism(rect(-0.09, 0.074, 0.09, 0.09), 0, 0.001),
      prism(rect(-0.09, -0.074, -0.074, 0.074), 0, 0.001),
      prism(rect(0.074, -0.074, 0.09, 0.074), 0, 0.001),
    ],
    container: { kind: 'rect', cx: 0, cy: 0, hx: 0.074, hy: 0.074 },
  },
  {
    name: 'line',
    symmetry: 2,
    marking: true,
    parts: [prism(rect(-0.012, -0.15, 0.012, 0.15), 0, 0.001)],
  },
];

/** Every shape, by name. */
export const SHAPES: ReadonlyMap<string, ShapeDef> = new Map(DEFS.map((d) => [d.name, d]));
/** Names of the small objects: neither containers nor markings. */
export const OBJECT_SHAPES: readonly string[] = DEFS.filter((d) => !d.container && !d.marking).map(
  (d) => d.name,
);
/** Names of the container shapes (markings excluded: only the sweep tasks draw those). */
export const CONTAINER_SHAPES: readonly string[] = DEFS.filter(
  (d) => d.container && !d.marking,
).map((d) => d.name);
/** Names of the markings painted on the table. */
export const MARKING_SHAPES: readonly string[] = DEFS.filter((d) => d.marking).map((d) => d.name);

export function getShape(name: string): ShapeDef {
  const def = SHAPES.get(name);
  if (!def) {
    throw new TabletopError(
      'TABLETOP_UNKNOWN_SHAPE',
      `Unknown shape "${name}"; use one of ${[...SHAPES.keys()].join(', ')}.`,
    );
  }
  return def;
}

/** Extents of a shape along its own axes (x, y footprint; z height), at the given scale. */
export function shapeExtents(
  def: ShapeDef,
  scale: number,
): { x: number; y: number; z: number; cx: number; cy: number } {
  let x0 = Infinity;
  let x1 = -Infinity;
  let y0 = Infinity;
  let y1 = -Infinity;
  let z1 = 0;
  for (const part of def.parts) {
    for (const [px, py] of part.polygon) {
      x0 = Math.min(x0, px);
      x1 = Math.max(x1, px);
      y0 = Math.min(y0, py);
      y1 = Math.max(y1, py);
    }
    z1 = Math.max(z1, part.z1);
  }
  return {
    x: (x1 - x0) * scale,
    y: (y1 - y0) * scale,
    z: z1 * scale,
    cx: ((x0 + x1) / 2) * scale,
    cy: ((y0 + y1) / 2) * scale,
  };
}

/** Radius of the circle around the origin that holds the whole footprint. */
export function footprintRadius(def: ShapeDef, scale: number): number {
  let r = 0;
  for (const part of def.parts)
    for (const [px, py] of part.polygon) r = Math.max(r, Math.hypot(px, py));
  return r * scale;
}

/** True when the point lies inside the convex polygon (either winding). */
function containsPoint(polygon: readonly P2[], x: number, y: number): boolean {
  let sign = 0;
  for (let i = 0; i < polygon.length; i++) {
    const [ax, ay] = polygon[i] as P2;
    const [bx, by] = polygon[(i + 1) % polygon.length] as P2;
    const cross = (bx - ax) * (y - ay) - (by - ay) * (x - ax);
    if (cross === 0) continue;
    if (sign === 0) sign = Math.sign(cross);
    else if (Math.sign(cross) !== sign) return false;
  }
  return true;
}

/**
 * Height of the surface a container holds objects on, at scale 1: the top of its floor under
 * the holding region's centre (0 for a frame or a box, whose inside is bare table).
 */
export function floorHeight(def: ShapeDef): number {
  const region = def.container;
  if (!region) return 0;
  let top = 0;
  for (const part of def.parts)
    if (containsPoint(part.polygon, region.cx, region.cy)) top = Math.max(top, part.z1);
  return top;
}

/** The shape with its height multiplied by `factor` (tall and short variants of an object). */
export function withHeight(def: ShapeDef, factor: number): ShapeDef {
  if (factor === 1) return def;
  return {
    ...def,
    parts: def.parts.map((p) => ({ ...p, z0: p.z0 * factor, z1: p.z1 * factor })),
  };
}
