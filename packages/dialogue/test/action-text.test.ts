import { describe, expect, it } from 'vitest';
import { Rng, isActllmError, type Action } from '@actllm/core';
import { binToken, compactVocabulary } from '@actllm/descriptor';
import {
  actionToText,
  actionVocabulary,
  parseActionText,
  quantizeAction,
} from '../src/action-text.js';

function randomAction(rng: Rng): Action {
  const pose = () => ({ x: rng.next(), y: rng.next(), theta: rng.float(-Math.PI, Math.PI) });
  return { kind: rng.pick(['pick_place', 'push'] as const), from: pose(), to: pose() };
}

describe('action text', () => {
  it('writes kind, pose 0 and pose 1 as bin tokens', () => {
    const action: Action = {
      kind: 'pick_place',
      from: { x: 0.31, y: 0.64, theta: 0 },
      to: { x: 0.7, y: 0.27, theta: Math.PI / 2 },
    };
    expect(actionToText(action)).toBe(
      '<act> pick_place <x_31> <y_64> <r_0> <x_70> <y_27> <r_6> </act>',
    );
    expect(actionToText(action, { bins: 10, rotationBins: 4 })).toBe(
      '<act> pick_place <x_3> <y_6> <r_0> <x_7> <y_2> <r_1> </act>',
    );
  });

  it('round-trips exactly at bin resolution, for any resolution', () => {
    const rng = new Rng(8);
    for (let i = 0; i < 500; i++) {
      const options = { bins: rng.int(1, 300), rotationBins: rng.int(1, 72) };
      const action = randomAction(rng);
      const quantized = quantizeAction(action, options);
      const parsed = parseActionText(actionToText(action, options), options);
      expect(parsed).toEqual({ ok: true, action: quantized });
      // A quantized action is a fixed point: text -> action -> text is the identity.
      expect(actionToText(quantized, options)).toBe(actionToText(action, options));
      expect(Math.abs(quantized.from.x - action.from.x)).toBeLessThanOrEqual(
        0.5 / options.bins + 1e-12,
      );
    }
  });

  it('shares position tokens with the descriptor and lists its own', () => {
    const scene = new Set(compactVocabulary(100));
    expect(scene.has(binToken('x', 99)) && scene.has(binToken('y', 0))).toBe(true);
    expect(actionVocabulary({ rotationBins: 4 })).toEqual([
      '<act>',
      '</act>',
      '<r_0>',
      '<r_1>',
      '<r_2>',
      '<r_3>',
    ]);
  });

  it('reports the offending token of malformed text without throwing', () => {
    const good = '<act> push <x_1> <y_2> <r_3> <x_4> <y_5> <r_6> </act>';
    const cases: [string, number][] = [
      ['', 0],
      ['push <x_1>', 0],
      ['<act> grasp <x_1> <y_2> <r_3> <x_4> <y_5> <r_6> </act>', 1],
      ['<act> push <y_1> <y_2> <r_3> <x_4> <y_5> <r_6> </act>', 2],
      ['<act> push <x_1> <x_2> <r_3> <x_4> <y_5> <r_6> </act>', 3],
      ['<act> push <x_1> <y_2> <r_30> <x_4> <y_5> <r_6> </act>', 4],
      ['<act> push <x_1> <y_2> <r_3> <x_100> <y_5> <r_6> </act>', 5],
      ['<act> push <x_1> <y_2> <r_3> <x_4> <y_5> <r_6>', 8],
      [`${good} <act>`, 9],
      ['<act> push <x_01> <y_2> <r_3> <x_4> <y_5> <r_6> </act>', 2],
    ];
    expect(parseActionText(good).ok).toBe(true);
    for (const [text, index] of cases) {
      const parsed = parseActionText(text);
      expect(parsed.ok, text).toBe(false);
      if (!parsed.ok) expect(parsed.tokenIndex, text).toBe(index);
    }
  });

  it('refuses invalid actions and resolutions with typed errors', () => {
    const bad = {
      kind: 'pick_place',
      from: { x: 2, y: 0, theta: 0 },
      to: { x: 0, y: 0, theta: 0 },
    } as Action;
    const code = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return isActllmError(e) ? e.code : 'untyped';
      }
      return 'no error';
    };
    expect(code(() => actionToText(bad))).toBe('DIALOGUE_INVALID_ACTION');
    expect(code(() => parseActionText('<act>', { bins: 0 }))).toBe('DIALOGUE_INVALID_OPTIONS');
    expect(code(() => actionVocabulary({ rotationBins: 1.5 }))).toBe('DIALOGUE_INVALID_OPTIONS');
  });
});
