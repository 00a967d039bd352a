import { describe, expect, it } from 'vitest';
import { firstKeptStep, keepsImages } from '../src/history.js';
import { toTrainingDialogue } from '../src/episode.js';
import { readmeEpisode } from './fixtures.js';
import { domainTokenizer, errorCode } from './helpers.js';

describe('history policy', () => {
  it('keeps the images of the last k user turns only', () => {
    expect([0, 1, 2, 3].map((i) => keepsImages(i, 4, 1))).toEqual([false, false, false, true]);
    expect([0, 1, 2, 3].map((i) => keepsImages(i, 4, 2))).toEqual([false, false, true, true]);
    expect([0, 1].map((i) => keepsImages(i, 2, 0))).toEqual([false, false]);
    expect([0, 1].map((i) => keepsImages(i, 2, Infinity))).toEqual([true, true]);
  });

  it('keeps every text turn and the instruction images whatever k is', () => {
    const t = domainTokenizer();
    const episode = readmeEpisode();
    const steps = (k: number) => toTrainingDialogue(episode, t, { imageTurns: k });
    const userImages = (k: number) => steps(k).images.filter((s) => s.source.turn === 'user');
    expect(userImages(1).map((s) => s.source)).toEqual([
      { turn: 'user', step: 2, view: 'top' },
      { turn: 'user', step: 2, view: 'front' },
    ]);
    expect(userImages(2)).toHaveLength(4);
    expect(userImages(Infinity)).toHaveLength(6);
    expect(userImages(0)).toHaveLength(0);
    for (const k of [0, 1, Infinity]) {
      expect(steps(k).images.filter((s) => s.source.turn === 'instruction')).toHaveLength(1);
      expect(
        steps(k).spans.filter((s) => s.role === 'assistant' && s.label === 'act'),
      ).toHaveLength(3);
    }
  });

  it('drops the oldest whole steps first, never the header or the last step', () => {
    expect(firstKeptStep(10, [5, 6, 7], 28)).toBe(0);
    expect(firstKeptStep(10, [5, 6, 7], 27)).toBe(1);
    expect(firstKeptStep(10, [5, 6, 7], 23)).toBe(1);
    expect(firstKeptStep(10, [5, 6, 7], 22)).toBe(2);
    expect(firstKeptStep(10, [5, 6, 7], 17)).toBe(2);
    expect(errorCode(() => firstKeptStep(10, [5, 6, 7], 16))).toBe('DIALOGUE_CONTEXT_TOO_LONG');
    expect(errorCode(() => firstKeptStep(10, [], 9))).toBe('DIALOGUE_CONTEXT_TOO_LONG');
    expect(firstKeptStep(10, [], 10)).toBe(0);
  });

  it('truncates a rendered conversation to maxTokens by whole steps', () => {
    const t = domainTokenizer();
    const episode = readmeEpisode();
    const full = toTrainingDialogue(episode, t);
    const stepStart = (r: typeof full, step: number) =>
      r.spans.find((s) => s.role === 'user' && s.step === step)?.start ?? -1;
    const header = stepStart(full, 0);
    const lastStep = full.ids.length - stepStart(full, 2);
    const middle = stepStart(full, 2) - stepStart(full, 1);

    const one = toTrainingDialogue(episode, t, { maxTokens: full.ids.length - 1 });
    expect(one.droppedSteps).toBe(1);
    expect(one.ids).toEqual([...full.ids.slice(0, header), ...full.ids.slice(stepStart(full, 1))]);
    expect(one.images.map((s) => s.position)).toEqual(
      full.images.map((s) =>
        s.position < header ? s.position : s.position - (stepStart(full, 1) - header),
      ),
    );

    const tight = toTrainingDialogue(episode, t, { maxTokens: header + lastStep + middle - 1 });
    expect(tight.droppedSteps).toBe(2);
    expect(tight.ids).toEqual([
      ...full.ids.slice(0, header),
      ...full.ids.slice(stepStart(full, 2)),
    ]);
    expect(tight.text.startsWith(full.text.slice(0, full.text.indexOf('<|user|>')))).toBe(true);

    expect(toTrainingDialogue(episode, t, { maxTokens: header + lastStep }).droppedSteps).toBe(2);
    expect(
      errorCode(() => toTrainingDialogue(episode, t, { maxTokens: header + lastStep - 1 })),
    ).toBe('DIALOGUE_CONTEXT_TOO_LONG');
  });
});
