import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createImage } from '@actllm/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTION_COLORS, replayFrame, replayGif } from '../src/replay.js';
import {
  SMALL_VIEWS,
  actllm,
  errorLine,
  generateTiny,
  json,
  tempDir,
  trainTiny,
} from './helpers.js';

interface EpisodeJson {
  format: string;
  agent: string;
  task: string;
  level: string;
  mode: string;
  seed: number;
  success: boolean;
  steps: number;
  failure: string | null;
  replay: string;
  per_step: {
    step: number;
    frames: Record<string, string>;
    action: { kind: string; from: { x: number }; to: { x: number } } | null;
    truth: { objects: unknown[] };
    trace?: {
      text: string;
      scene: { objects: unknown[] };
      next: { objects: unknown[] };
      consistency: string;
      latencyMs: number;
    };
  }[];
  final: { step: number; frames: Record<string, string> };
}

/** Frames of a GIF: one graphic control extension (21 F9 04) per frame. */
function gifFrames(bytes: Buffer): number {
  let n = 0;
  for (let i = 0; i + 2 < bytes.length; i++)
    if (bytes[i] === 0x21 && bytes[i + 1] === 0xf9 && bytes[i + 2] === 0x04) n++;
  return n;
}

const read = (dir: string) =>
  JSON.parse(readFileSync(join(dir, 'episode.json'), 'utf8')) as EpisodeJson;

describe('the replay writer', () => {
  it('draws the action on the top view, next to the front view', () => {
    const top = createImage(40, 40, [100, 100, 100]);
    const front = createImage(60, 30, [50, 60, 70]);
    const action = {
      kind: 'pick_place',
      from: { x: 0.25, y: 0.5, theta: 0 },
      to: { x: 0.75, y: 0.5, theta: 0 },
    } as const;
    const image = replayFrame({ top, front }, action);
    expect([image.width, image.height]).toEqual([40 + 4 + 60, 40]);
    const at = (x: number, y: number) => [
      ...image.data.subarray((y * image.width + x) * 3, (y * image.width + x) * 3 + 3),
    ];
    expect(at(20, 20)).toEqual([...ACTION_COLORS.pick_place]); // the line's middle
    expect(at(30, 20)).toEqual([...ACTION_COLORS.pick_place]); // the place pose's dot
    expect(at(20, 5)).toEqual([100, 100, 100]); // the top view, away from the action
    expect(at(44 + 30, 20)).toEqual([50, 60, 70]); // the front view, untouched
    const plain = replayFrame({ top, front }, null);
    expect(plain.data.subarray(0, 3)).toEqual(Uint8Array.from([100, 100, 100]));
    const gif = Buffer.from(
      replayGif(
        [
          { top, front },
          { top, front },
        ],
        [action, null],
      ),
    );
    expect(gif.subarray(0, 6).toString('latin1')).toBe('GIF89a');
    expect(gifFrames(gif)).toBe(2);
  });
});

describe('actllm run', () => {
  let dir: string;
  let ckpt: string;
  beforeAll(() => {
    dir = tempDir();
    const data = join(dir, 'data');
    ckpt = join(dir, 'ckpt');
    generateTiny(data, 'visual_manipulation', 1);
    trainTiny(data, ckpt, 2);
  }, 180_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('runs the oracle and writes every frame, episode.json and the replay', () => {
    const out = join(dir, 'oracle');
    const r = json<{ success: boolean; steps: number; files: number }>(
      actllm([
        'run',
        '--agent',
        'oracle',
        '--task',
        'visual_manipulation',
        '--level',
        'L1',
        '--seed',
        '3',
        '--views',
        SMALL_VIEWS,
        '--out',
        out,
        '--json',
      ]),
    );
    expect(r.success).toBe(true);
    const e = read(out);
    expect(e).toMatchObject({
      format: 'actllm-episode',
      agent: 'oracle',
      task: 'visual_manipulation',
      level: 'L1',
      mode: 'static',
      seed: 3,
      success: true,
      failure: null,
      steps: r.steps,
    });
    expect(e.per_step).toHaveLength(e.steps);
    const frames = readdirSync(join(out, 'frames')).sort();
    const expected: string[] = [];
    for (let s = 0; s <= e.steps; s++)
      for (const v of ['front', 'top'])
        expected.push(`step_${String(s).padStart(3, '0')}_${v}.png`);
    expect(frames).toEqual(expected);
    expect(r.files).toBe(expected.length + 2);
    for (const s of e.per_step) {
      expect(s.action?.kind).toBe('pick_place');
      expect(s.truth.objects.length).toBeGreaterThan(0);
      expect(s.trace).toBeUndefined();
      expect(
        readFileSync(join(out, s.frames['top'] as string))
          .subarray(1, 4)
          .toString(),
      ).toBe('PNG');
    }
    expect(e.final).toEqual({
      step: e.steps,
      frames: {
        top: `frames/step_${String(e.steps).padStart(3, '0')}_top.png`,
        front: `frames/step_${String(e.steps).padStart(3, '0')}_front.png`,
      },
    });
    const gif = readFileSync(join(out, e.replay));
    expect(gif.subarray(0, 6).toString('latin1')).toBe('GIF89a');
    expect(gifFrames(gif)).toBe(e.steps + 1);
  });

  it("runs a checkpoint's policy and keeps its trace per step; a rerun replaces the output", () => {
    const out = join(dir, 'policy');
    const args = [
      'run',
      '--checkpoint',
      ckpt,
      '--task',
      'visual_manipulation',
      '--seed',
      '5',
      '--mode',
      'mild',
      '--out',
      out,
    ];
    const human = actllm(args);
    expect(human.status, human.stderr).toBe(0);
    expect(human.stdout).toMatch(/^agent: +actllm \(/m);
    expect(human.stdout).toMatch(/step +action +consistency +latency/);
    const e = read(out);
    expect(e).toMatchObject({ agent: 'actllm', mode: 'mild', seed: 5 });
    expect(e.per_step.length).toBeGreaterThan(0);
    for (const s of e.per_step) {
      const t = s.trace;
      expect(t?.text).toMatch(/<\/scene>/);
      expect(Array.isArray(t?.scene.objects) && Array.isArray(t?.next.objects)).toBe(true);
      expect(['agreed', 'kept_action', 'used_transition', 'resampled', 'no_transition']).toContain(
        t?.consistency,
      );
      expect(t?.latencyMs).toBeGreaterThan(0);
    }
    expect(gifFrames(readFileSync(join(out, 'replay.gif')))).toBe(e.steps + 1);
    // The same episode again over the earlier output: the same decisions, the folder replaced.
    writeFileSync(join(out, 'frames', 'stale.png'), 'x');
    const again = json<{ steps: number }>(actllm([...args, '--json']));
    expect(again.steps).toBe(e.steps);
    expect(existsSync(join(out, 'frames', 'stale.png'))).toBe(false);
    expect(read(out).per_step.map((s) => s.trace?.text)).toEqual(
      e.per_step.map((s) => s.trace?.text),
    );
  });

  it('refuses bad options with one typed line and writes nothing', () => {
    const out = join(dir, 'refused');
    const base = ['run', '--agent', 'oracle', '--out', out];
    const cases: [string[], number, string][] = [
      [['--task', 'no_such_task'], 2, 'TABLETOP_UNKNOWN_TASK'],
      [['--task', 'rotate', '--level', 'L9'], 2, 'TABLETOP_UNKNOWN_PARTITION'],
      [['--task', 'visual_manipulation', '--mode', 'wild'], 2, 'CLI_USAGE'],
      [[], 2, 'CLI_USAGE'],
    ];
    for (const [extra, code, name] of cases) {
      const r = actllm([...base, ...extra]);
      expect(r.status, `${extra.join(' ')}: ${r.stderr}`).toBe(code);
      expect(errorLine(r).code).toBe(name);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
    const noCkpt = actllm(['run', '--task', 'rotate', '--out', out]);
    expect(noCkpt.status).toBe(2);
    expect(errorLine(noCkpt).message).toMatch(/--checkpoint is required/);
    const missing = actllm([
      'run',
      '--checkpoint',
      join(dir, 'nope'),
      '--task',
      'rotate',
      '--out',
      out,
    ]);
    expect(missing.status).toBe(3);
    expect(errorLine(missing).code).toBe('CLI_INPUT_NOT_FOUND');
    expect(existsSync(out)).toBe(false);
    // A folder with other files is not replaced.
    const foreign = join(dir, 'foreign');
    mkdirSync(foreign);
    writeFileSync(join(foreign, 'notes.txt'), 'keep me');
    const r = actllm([...base.slice(0, 3), '--task', 'rotate', '--out', foreign]);
    expect(r.status).toBe(4);
    expect(errorLine(r).code).toBe('CLI_OUTPUT_NOT_WRITABLE');
    expect(readdirSync(foreign)).toEqual(['notes.txt']);
  });

  it('--help shows the options and examples', () => {
    const r = actllm(['run', '--help']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/--checkpoint <dir>/);
    expect(r.stdout).toMatch(/Examples:\n {2}\$ actllm run --checkpoint/);
    expect(r.stdout).toMatch(/Exit codes:/);
  });
});
