import { describe, expect, it } from 'vitest';
import type { EpisodeRecord } from '@actllm/core';
import { buildScene } from '@actllm/descriptor';
import { episodeToConversation, toTrainingDialogue } from '../src/episode.js';
import { DEFAULT_SCENE_CHANGED_NOTE, type AssistantTurn } from '../src/turns.js';
import { readmeEpisode, syntheticEpisode } from './fixtures.js';
import { domainTokenizer, errorCode } from './helpers.js';

describe('episode -> dialogue', () => {
  it('gives every step its ground-truth scene x_t, next x_{t+1} and act a_t', () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const record = syntheticEpisode(seed);
      const turns = episodeToConversation(record).turns;
      const assistants = turns.filter((t): t is AssistantTurn => t.role === 'assistant');
      const frames = [...record.steps.map((s) => s.observation), record.final];
      expect(assistants).toHaveLength(record.steps.length);
      assistants.forEach((turn, t) => {
        expect(turn.step).toBe(t);
        expect(turn.scene).toEqual(buildScene(frames[t]!.objects));
        expect(turn.next).toEqual(buildScene(frames[t + 1]!.objects));
        expect(turn.act).toBe(record.steps[t]!.action);
      });
      expect(turns.slice(0, 2).map((t) => t.role)).toEqual(['system', 'instruction']);
    }
  });

  it('takes next from afterAction when the scene was disturbed after the step', () => {
    const record = syntheticEpisode(7);
    const [first, ...rest] = record.steps;
    const pushed = first!.observation.objects.map((o, i) =>
      i === 0 ? { ...o, pose: { ...o.pose, x: o.pose.x < 0.5 ? 0.9 : 0.1 } } : o,
    );
    const disturbed: EpisodeRecord<string> = {
      ...record,
      steps: [{ ...first!, afterAction: pushed }, ...rest],
    };
    const assistants = episodeToConversation(disturbed).turns.filter(
      (t): t is AssistantTurn => t.role === 'assistant',
    );
    expect(assistants[0]!.next).toEqual(buildScene(pushed));
    // The disturbed scene itself is the next observation, which the model sees as `scene`.
    const observed = buildScene(record.steps[1]?.observation.objects ?? record.final.objects);
    expect(assistants[0]!.next).not.toEqual(observed);
    if (assistants[1]) expect(assistants[1].scene).toEqual(observed);
  });

  it('applies the descriptor options, the views and the notes it is given', () => {
    const record = readmeEpisode();
    const turns = episodeToConversation(record, {
      frame: 'top',
      bins: 50,
      size: true,
      views: ['front'],
      note: (t) => (t === 1 ? DEFAULT_SCENE_CHANGED_NOTE : undefined),
      system: 'Be brief.',
    }).turns;
    const first = turns.find((t): t is AssistantTurn => t.role === 'assistant')!;
    expect(first.scene).toEqual(
      buildScene(record.steps[0]!.observation.objects, { frame: 'top', bins: 50, size: true }),
    );
    expect(turns[0]).toEqual({ role: 'system', text: 'Be brief.' });
    const users = turns.filter((t) => t.role === 'user');
    expect(users.map((u) => Object.keys(u.views))).toEqual([['front'], ['front'], ['front']]);
    expect(users.map((u) => u.note)).toEqual([undefined, DEFAULT_SCENE_CHANGED_NOTE, undefined]);
    const rendered = toTrainingDialogue(record, domainTokenizer(), { frame: 'top', size: true });
    expect(rendered.text).toContain('<view_top>');
    expect(rendered.unknownWords).toEqual([]);
  });

  it('refuses episodes it cannot describe, with the step in the message', () => {
    const record = readmeEpisode();
    const badAction = {
      ...record,
      steps: [{ ...record.steps[0]!, action: { ...record.steps[0]!.action, kind: 'grab' } }],
    };
    const badName = {
      ...record,
      final: { ...record.final, objects: [{ ...record.final.objects[0]!, shape: 'two words' }] },
    };
    expect(
      errorCode(() => episodeToConversation(badAction as unknown as EpisodeRecord<string>)),
    ).toBe('DIALOGUE_INVALID_EPISODE');
    expect(() => episodeToConversation(badName)).toThrow(/final frame/);
    expect(errorCode(() => episodeToConversation(record, { views: ['side' as 'top'] }))).toBe(
      'DIALOGUE_INVALID_OPTIONS',
    );
    expect(errorCode(() => episodeToConversation(record, { frame: 'top', theta: true }))).toBe(
      'DIALOGUE_INVALID_OPTIONS',
    );
    expect(errorCode(() => episodeToConversation(record, { frame: 'side' as 'top' }))).toBe(
      'DIALOGUE_INVALID_OPTIONS',
    );
  });
});
