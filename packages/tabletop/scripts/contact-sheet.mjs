/* global console, process */
// Writes the contact sheets under docs/ (run after `npx tsup`):
//   node scripts/contact-sheet.mjs
//   docs/contact-sheet.png      every family: the first observation, top and front views
//   docs/families/<family>.png  one family: the observation and every prompt picture, both views
//   docs/frame-pair.png         one oracle step: before and after, both views
// All at the default view sizes, seed 1, each family in the first partition that holds it.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  TabletopEnv,
  encodePng,
  listPartitions,
  listTasks,
  partitionTasks,
} from '../dist/index.js';

const docs = join(dirname(fileURLToPath(import.meta.url)), '..', 'docs');
const GAP = 4;
const LABEL = 14; // height of a caption strip
const SCALE = 2; // caption pixels per font pixel
const PAPER = [32, 34, 40];

// A 3x5 pixel font for captions (rows top to bottom): lowercase letters, digits, '_', ' '.
const GLYPHS = {
  a: '.#.#.#####.##.#',
  b: '##.#.###.#.###.',
  c: '.###..#..#...##',
  d: '##.#.##.##.###.',
  e: '####..##.#..###',
  f: '####..##.#..#..',
  g: '.###..#.##.#.##',
  h: '#.##.#####.##.#',
  i: '###.#..#..#.###',
  j: '..#..#..##.#.#.',
  k: '#.##.###.#.##.#',
  l: '#..#..#..#..###',
  m: '#.########.##.#',
  n: '##.#.##.##.##.#',
  o: '.#.#.##.##.#.#.',
  p: '##.#.###.#..#..',
  q: '.#.#.##.#.#...#',
  r: '##.#.###.#.##.#',
  s: '.###...#...###.',
  t: '###.#..#..#..#.',
  u: '#.##.##.##.####',
  v: '#.##.##.##.#.#.',
  w: '#.##.########.#',
  x: '#.##.#.#.#.##.#',
  y: '#.##.#.#..#..#.',
  z: '###..#.#.#..###',
  _: '............###',
  ' ': '...............',
  0: '####.##.##.####',
  1: '.#.##..#..#.###',
  2: '##...#.#.#..###',
  3: '##...#.#...###.',
  4: '#.##.####..#..#',
  5: '####..##...###.',
  6: '.###..####.####',
  7: '###..#.#..#..#.',
  8: '####.#####.####',
  9: '####.####..###.',
};

function canvas(width, height) {
  const data = new Uint8Array(width * height * 3);
  for (let p = 0; p < width * height; p++) data.set(PAPER, p * 3);
  return { width, height, data };
}

function blit(dst, src, x0, y0) {
  for (let y = 0; y < src.height; y++) {
    const row = src.data.subarray(y * src.width * 3, (y + 1) * src.width * 3);
    dst.data.set(row, ((y0 + y) * dst.width + x0) * 3);
  }
}

function text(dst, s, x0, y0) {
  let x = x0;
  for (const ch of s.toLowerCase()) {
    const g = GLYPHS[ch] ?? GLYPHS[' '];
    for (let i = 0; i < 15; i++) {
      if (g[i] !== '#') continue;
      for (let d = 0; d < SCALE * SCALE; d++) {
        const px = x + (i % 3) * SCALE + (d % SCALE);
        const py = y0 + Math.floor(i / 3) * SCALE + Math.floor(d / SCALE);
        if (px < dst.width && py < dst.height)
          dst.data.set([230, 230, 230], (py * dst.width + px) * 3);
      }
    }
    x += 4 * SCALE;
  }
}

/** Lays out captioned panels (each an array of images side by side) in rows of `perRow`. */
function sheet(panels, perRow) {
  const w = (p) => p.images.reduce((a, im) => a + im.width, 0) + GAP * (p.images.length - 1);
  const h = (p) => LABEL + Math.max(...p.images.map((im) => im.height));
  const rows = [];
  for (let i = 0; i < panels.length; i += perRow) rows.push(panels.slice(i, i + perRow));
  const width = Math.max(...rows.map((r) => r.reduce((a, p) => a + w(p) + GAP, GAP)));
  const height = rows.reduce((a, r) => a + Math.max(...r.map(h)) + GAP, GAP);
  const out = canvas(width, height);
  let y = GAP;
  for (const r of rows) {
    let x = GAP;
    for (const p of r) {
      text(out, p.label, x, y + 2);
      let ix = x;
      for (const im of p.images) {
        blit(out, im, ix, y + LABEL);
        ix += im.width + GAP;
      }
      x += w(p) + GAP;
    }
    y += Math.max(...r.map(h)) + GAP;
  }
  return out;
}

function write(rel, image) {
  const path = join(docs, rel);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, encodePng(image));
  return path;
}

const env = await TabletopEnv.create();
const partitions = listPartitions();
const overview = [];
const written = [];
for (const task of listTasks()) {
  const partition = partitions.find((p) => partitionTasks(p).includes(task));
  if (!partition) continue;
  const obs = env.reset({ seed: 1, task, partition });
  const scene = { label: `${task} ${partition}`, images: [obs.views.top, obs.views.front] };
  overview.push(scene);
  const assets = Object.entries(obs.instruction.assets ?? {}).map(([name, a]) => ({
    label: `${name} ${a.kind}`,
    images: [a.views.top, a.views.front],
  }));
  written.push(write(`families/${task}.png`, sheet([scene, ...assets], 3)));
}
written.push(write('contact-sheet.png', sheet(overview, 3)));

// A frame pair: one oracle step of rearrange, before and after.
const before = env.reset({ seed: 3, task: 'rearrange' });
const after = env.step(env.oracleAction()).observation;
written.push(
  write(
    'frame-pair.png',
    sheet(
      [
        { label: 'before', images: [before.views.top, before.views.front] },
        { label: 'after', images: [after.views.top, after.views.front] },
      ],
      2,
    ),
  ),
);
env.close();
console.log(JSON.stringify({ written: written.map((p) => p.slice(docs.length + 1)) }));
process.exitCode = 0;
