import { describe, expect, it } from 'vitest';
import { type Action } from '@actllm/core';
import { buildScene, type SceneDescriptor } from '@actllm/descriptor';
import { parseAssistantText } from '../src/assistant-text.js';
import { quantizeAction } from '../src/action-text.js';
import { renderConversation, segmentMask } from '../src/template.js';
import { Tokenizer } from '../src/tokenizer.js';
import {
  appendTurn,
  assistantTurn,
  conversation,
  instructionTurn,
  systemTurn,
  userTurn,
  type Conversation,
} from '../src/turns.js';
import { object } from './fixtures.js';
import { domainTokenizer, errorCode } from './helpers.js';

const scene: SceneDescriptor = buildScene([
  object('a', 'bowl', 'green', { x: 0.72, y: 0.25, theta: 0 }),
  object('b', 'L-block', 'red', { x: 0.31, y: 0.64, theta: 0.5 }),
]);
const next: SceneDescriptor = buildScene([
  object('a', 'bowl', 'green', { x: 0.72, y: 0.25, theta: 0 }),
  object('b', 'L-block', 'red', { x: 0.7, y: 0.27, theta: 0.5 }),
]);
const act: Action = {
  kind: 'pick_place',
  from: { x: 0.31, y: 0.64, theta: 0.5 },
  to: { x: 0.7, y: 0.27, theta: 0.5 },
};

function twoSteps(): Conversation<string> {
  return conversation<string>([
    systemTurn(),
    instructionTurn('Put the {dragged} into the {base}.', {
      dragged: { kind: 'object', views: { top: 'd.png' }, objects: [] },
      base: { kind: 'object', views: { front: 'bf.png', top: 'bt.png' }, objects: [] },
    }),
    userTurn(0, { front: 'f0.png', top: 't0.png' }),
    assistantTurn(0, scene, next, act),
    userTurn(1, { top: 't1.png', front: 'f1.png' }, 'The scene changed.'),
    assistantTurn(1, next, next, act),
  ]);
}

describe('renderConversation', () => {
  it('renders turns, image slots and labels, and its text encodes to its ids', () => {
    const tokenizer = domainTokenizer();
    const r = renderConversation(twoSteps(), tokenizer, { imageTurns: Infinity });
    expect(r.ids).toHaveLength(r.labels.length);
    expect(tokenizer.encode(r.text)).toEqual(r.ids);
    expect(r.unknownWords).toEqual([]);
    expect(r.text.startsWith('<|system|> You control a robot arm')).toBe(true);
    expect(r.text).toContain('<|instruction|> Put the <image> into the <image> <image> . <|end|>');
    expect(r.text).toContain(
      '<|user|> <image> <image> The scene changed. <|end|> <|assistant|> <scene_v1>',
    );
    // Images in text order, views top before front.
    expect(r.images.map((s) => s.image)).toEqual([
      'd.png',
      'bt.png',
      'bf.png',
      't0.png',
      'f0.png',
      't1.png',
      'f1.png',
    ]);
    expect(r.images[3]?.source).toEqual({ turn: 'user', step: 0, view: 'top' });
    for (const slot of r.images) expect(tokenizer.token(r.ids[slot.position]!)).toBe('<image>');
  });

  it('labels scene, next and act (with the closing <|end|>) of each assistant turn', () => {
    const tokenizer = domainTokenizer();
    const r = renderConversation(twoSteps(), tokenizer);
    const assistant = r.spans.filter((s) => s.role === 'assistant');
    expect(assistant.map((s) => s.label)).toEqual([
      'other',
      'scene',
      'next',
      'act',
      'other',
      'scene',
      'next',
      'act',
    ]);
    const text = (s: { start: number; end: number }) =>
      tokenizer.decode(r.ids.slice(s.start, s.end));
    expect(text(assistant[0]!)).toBe('<|assistant|>');
    expect(text(assistant[3]!)).toBe(
      '<act> pick_place <x_31> <y_64> <r_2> <x_70> <y_27> <r_2> </act> <|end|>',
    );
    expect(r.spans.filter((s) => s.role !== 'assistant').every((s) => s.label === 'other')).toBe(
      true,
    );
    const mask = segmentMask(r, 'act');
    expect(mask.reduce((a, b) => a + b, 0)).toBe(2 * 10);
    expect(segmentMask(r, 'scene', 'next', 'act').reduce((a, b) => a + b, 0)).toBe(
      r.labels.filter((l) => l !== 'other').length,
    );
  });

  it('round-trips: every assistant turn decodes and parses back to its quantized content', () => {
    const tokenizer = domainTokenizer();
    const r = renderConversation(twoSteps(), tokenizer);
    const bySteps = [0, 1].map((step) =>
      r.spans.filter((s) => s.role === 'assistant' && s.step === step && s.label !== 'other'),
    );
    const turns = twoSteps().turns.filter((t) => t.role === 'assistant');
    bySteps.forEach((spans, i) => {
      const ids = r.ids.slice(spans[0]!.start, spans[spans.length - 1]!.end);
      const parsed = parseAssistantText(tokenizer.decode(ids));
      const turn = turns[i]!;
      expect(parsed).toEqual({
        ok: true,
        scene: turn.scene,
        next: turn.next,
        act: quantizeAction(turn.act),
      });
    });
  });

  it('puts tokensPerImage image tokens in every slot', () => {
    const tokenizer = domainTokenizer();
    const r = renderConversation(twoSteps(), tokenizer, { tokensPerImage: 4 });
    const image = tokenizer.id('<image>');
    expect(r.images.map((s) => s.length)).toEqual([4, 4, 4, 4, 4]);
    for (const slot of r.images)
      expect(r.ids.slice(slot.position, slot.position + 4)).toEqual([image, image, image, image]);
    expect(r.ids.filter((id) => id === image)).toHaveLength(20);
  });

  it('gives each view its own number of image tokens, and refuses a view that does not exist', () => {
    const tokenizer = domainTokenizer();
    const r = renderConversation(twoSteps(), tokenizer, { tokensPerImage: { top: 6, front: 3 } });
    const image = tokenizer.id('<image>');
    for (const slot of r.images) {
      expect(slot.length).toBe(slot.source.view === 'top' ? 6 : 3);
      expect(
        r.ids.slice(slot.position, slot.position + slot.length).every((id) => id === image),
      ).toBe(true);
    }
    expect(new Set(r.images.map((s) => s.source.view))).toEqual(new Set(['top', 'front']));
    expect(() =>
      renderConversation(twoSteps(), tokenizer, { tokensPerImage: { side: 2 } as never }),
    ).toThrow(expect.objectContaining({ code: 'DIALOGUE_INVALID_OPTIONS' }));
    expect(() => renderConversation(twoSteps(), tokenizer, { tokensPerImage: { top: 0 } })).toThrow(
      expect.objectContaining({ code: 'DIALOGUE_INVALID_OPTIONS' }),
    );
  });

  it('ends with <|assistant|> as the decoding prompt when asked and the last turn is a user turn', () => {
    const tokenizer = domainTokenizer();
    const base = conversation<string>([
      systemTurn('Act.'),
      instructionTurn('Stack all the blocks.'),
      userTurn(0, { top: 't.png' }),
    ]);
    const r = renderConversation(base, tokenizer, { generationPrompt: true });
    expect(r.text).toBe(
      '<|system|> Act. <|end|> <|instruction|> Stack all the blocks. <|end|> <|user|> <image> <|end|> <|assistant|>',
    );
    expect(r.unknownWords).toEqual(['Act']);
    expect(r.ids.filter((id) => id === tokenizer.unkId)).toHaveLength(1);
    const answered = appendTurn(base, assistantTurn(0, scene, next, act));
    expect(
      renderConversation(answered, tokenizer, { generationPrompt: true }).text.endsWith(
        '</act> <|end|>',
      ),
    ).toBe(true);
  });

  it('refuses an instruction that names an asset it lacks', () => {
    const bad = conversation<string>([systemTurn(), instructionTurn('Rearrange to this {scene}.')]);
    expect(errorCode(() => renderConversation(bad, domainTokenizer()))).toBe(
      'DIALOGUE_INVALID_CONVERSATION',
    );
    const noImage = conversation<string>([
      systemTurn(),
      instructionTurn('Rearrange to this {scene}.', {
        scene: { kind: 'scene', views: {}, objects: [] },
      }),
    ]);
    expect(errorCode(() => renderConversation(noImage, domainTokenizer()))).toBe(
      'DIALOGUE_INVALID_CONVERSATION',
    );
  });

  it('refuses a tokenizer without the turn and image tokens', () => {
    expect(errorCode(() => renderConversation(twoSteps(), new Tokenizer({ words: ['red'] })))).toBe(
      'DIALOGUE_INVALID_TOKENIZER',
    );
  });

  it('refuses invalid options', () => {
    const t = domainTokenizer();
    for (const options of [
      { tokensPerImage: 0 },
      { tokensPerImage: Infinity },
      { imageTurns: -1 },
      { maxTokens: 1.5 },
      { bins: 0 },
    ]) {
      expect(errorCode(() => renderConversation(twoSteps(), t, options))).toBe(
        'DIALOGUE_INVALID_OPTIONS',
      );
    }
  });
});

describe('conversation', () => {
  it('accepts the template order and refuses any other', () => {
    const [system, instruction, u0, a0, u1] = twoSteps().turns;
    const ok = [system!, instruction!, u0!, a0!, u1!];
    expect(conversation(ok).turns).toHaveLength(5);
    const bad = [
      [instruction!, system!],
      [system!],
      [system!, instruction!, a0!],
      [system!, instruction!, u0!, u1!],
      [system!, instruction!, u0!, a0!, a0!],
      [system!, instruction!, u0!, system!],
      [system!, instruction!, u1!, a0!],
    ];
    for (const turns of bad)
      expect(errorCode(() => conversation(turns))).toBe('DIALOGUE_INVALID_CONVERSATION');
  });
});
