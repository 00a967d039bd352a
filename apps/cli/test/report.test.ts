import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  SMALL_VIEWS,
  actllm,
  errorLine,
  generateTiny,
  json,
  ok,
  tempDir,
  trainTiny,
} from './helpers.js';

/** Debian's chromium (apt-get install chromium); the browser test is skipped without it. */
const CHROMIUM = '/usr/bin/chromium';
const SCREENSHOT = join(import.meta.dirname, '..', '..', '..', 'docs', 'report.png');

describe('actllm report', () => {
  let dir: string;
  let ckpt: string;
  let html: string;
  beforeAll(() => {
    dir = tempDir();
    const data = join(dir, 'data');
    ckpt = join(dir, 'ckpt');
    html = join(dir, 'report', 'report.html');
    const small = ['--views', SMALL_VIEWS, '--json'];
    generateTiny(data, 'visual_manipulation', 2);
    // Evaluations during training: validation loss and closed-loop success in the log.
    trainTiny(data, ckpt, 4, [
      '--scenes',
      '4',
      '--val-fraction',
      '0.5',
      '--eval-every',
      '2',
      '--eval-episodes',
      '1',
    ]);
    const plan = ['--levels', 'L1,L2', '--tasks', 'visual_manipulation,rotate', '--episodes', '1'];
    ok(['eval', '--checkpoint', ckpt, ...plan, '--out', join(dir, 'eval', 'tiny'), ...small]);
    for (const agent of ['oracle', 'random'])
      ok(['eval', '--agent', agent, ...plan, '--out', join(dir, 'eval', agent), ...small]);
    const episode = ['--task', 'visual_manipulation', '--seed', '3', ...small];
    ok(['run', '--agent', 'oracle', ...episode, '--out', join(dir, 'runs', 'oracle')]);
    ok(['run', '--checkpoint', ckpt, ...episode, '--out', join(dir, 'runs', 'policy')]);
  }, 300_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const reportArgs = () => [
    'report',
    '--eval',
    ['tiny', 'oracle', 'random'].map((a) => join(dir, 'eval', a)).join(','),
    '--train',
    ckpt,
    '--episodes',
    join(dir, 'runs'),
    '--out',
    html,
  ];

  it('writes one self-contained page: tables, charts, replays, nothing fetched', () => {
    const r = json<{
      evals: { label: string }[];
      episodes: string[];
      charts: string[];
      train: { steps: number };
    }>(actllm([...reportArgs(), '--json']));
    expect(r.evals.map((e) => e.label)).toEqual(['actllm', 'oracle', 'random']);
    expect(r.episodes).toHaveLength(2);
    expect(r.charts).toEqual(['success per level', 'training loss', 'evaluations']);
    expect(r.train.steps).toBe(4);
    const page = readFileSync(html, 'utf8');
    expect(page).toMatch(/^<!doctype html>/);
    expect(page).not.toMatch(/<(script|img|link|iframe)[^>]+(src|href)=["'](?!data:)/i);
    expect(page).not.toMatch(/url\(\s*['"]?https?:/i);
    expect(page).toContain('<table id="per-level">');
    expect(page).toContain('<table id="per-task">');
    expect(page.match(/src="data:image\/gif;base64,/g)).toHaveLength(2);
    expect(page).toContain('Chart.js v4');
  });

  it.skipIf(!existsSync(CHROMIUM))(
    `loads in headless Chromium without errors and draws the charts and replays${existsSync(CHROMIUM) ? '' : ` (skipped: ${CHROMIUM} not found; apt-get install -y chromium)`}`,
    async () => {
      if (!existsSync(html)) ok(reportArgs());
      const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
      try {
        const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
        const errors: string[] = [];
        const fetched: string[] = [];
        page.on('console', (m) => {
          if (m.type() === 'error') errors.push(m.text());
        });
        page.on('pageerror', (e) => errors.push(String(e)));
        await page.route('**/*', (route) => {
          const url = route.request().url();
          if (url.startsWith('file:') || url.startsWith('data:')) return route.continue();
          fetched.push(url);
          return route.abort();
        });
        await page.goto(pathToFileURL(html).href, { waitUntil: 'load' });
        expect(errors).toEqual([]);
        expect(fetched).toEqual([]);
        expect(await page.locator('#per-level tbody tr').count()).toBe(3); // L1, L2, all
        expect(await page.locator('#per-task tbody tr').count()).toBe(4);
        const canvases = page.locator('canvas[data-chart]');
        expect(await canvases.count()).toBe(3);
        for (const canvas of await canvases.all()) {
          const box = await canvas.boundingBox();
          expect(box && box.width > 100 && box.height > 100).toBe(true);
        }
        // Chart.js drew each one (a chart instance per canvas, with its data); the replays
        // decoded. Expressions as text: the tests are typed without the DOM library.
        const drawn = await page.evaluate(
          "[...document.querySelectorAll('canvas')].map((c) => Chart.getChart(c)?.data.datasets.length ?? 0)",
        );
        expect(drawn).toEqual([expect.any(Number), expect.any(Number), expect.any(Number)]);
        expect((drawn as number[]).every((n) => n > 0)).toBe(true);
        const replays = await page.evaluate(
          "[...document.querySelectorAll('img.replay')].map((i) => i.complete && i.naturalWidth > 0 && i.getBoundingClientRect().width > 0)",
        );
        expect(replays).toEqual([true, true]);
        if (process.env['ACTLLM_UPDATE_SCREENSHOT'] === '1') {
          mkdirSync(join(SCREENSHOT, '..'), { recursive: true });
          await page.screenshot({ path: SCREENSHOT, fullPage: true });
        }
      } finally {
        await browser.close();
      }
    },
  );

  it('refuses missing or foreign inputs and a folder as --out, writing nothing', () => {
    const out = join(dir, 'refused', 'r.html');
    const cases: [string[], number, string][] = [
      [['--out', out], 2, 'CLI_USAGE'],
      [['--eval', join(dir, 'nope'), '--out', out], 3, 'CLI_INPUT_NOT_FOUND'],
      [['--eval', join(dir, 'runs'), '--out', out], 3, 'CLI_INPUT_NOT_FOUND'],
      [['--train', join(dir, 'eval', 'oracle'), '--out', out], 3, 'CLI_INPUT_NOT_FOUND'],
      [['--episodes', join(dir, 'eval'), '--out', out], 3, 'CLI_INPUT_NOT_FOUND'],
      [
        ['--eval', join(dir, 'eval', 'oracle'), '--out', join(dir, 'eval')],
        4,
        'CLI_OUTPUT_NOT_WRITABLE',
      ],
    ];
    for (const [args, code, name] of cases) {
      const r = actllm(['report', ...args]);
      expect(r.status, `${args.join(' ')}: ${r.stderr}`).toBe(code);
      expect(errorLine(r).code).toBe(name);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
    expect(existsSync(join(dir, 'refused'))).toBe(false);
    const help = actllm(['report', '--help']);
    expect(help.stdout).toMatch(/Examples:\n {2}\$ actllm report --eval/);
  });
});
