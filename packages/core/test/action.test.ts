import { describe, expect, it } from 'vitest';
import {
  InvalidActionError,
  assertValidAction,
  isActllmError,
  validateAction,
  type Action,
} from '../src/index.js';

const good: Action = {
  kind: 'pick_place',
  from: { x: 0.2, y: 0.3, theta: 0 },
  to: { x: 1, y: 0, theta: -1 },
};

describe('validateAction', () => {
  it('accepts both primitives inside the workspace', () => {
    expect(validateAction(good)).toEqual({ ok: true, value: good });
    expect(validateAction({ ...good, kind: 'push' }).ok).toBe(true);
  });

  it.each([
    [null, 'malformed', ''],
    ['pick', 'malformed', ''],
    [{ ...good, kind: 'throw' }, 'unknown_kind', 'kind'],
    [{ ...good, kind: undefined }, 'unknown_kind', 'kind'],
    [{ kind: 'push', to: good.to }, 'malformed', 'from'],
    [{ ...good, from: { x: 0.1, y: 0.1 } }, 'malformed', 'from.theta'],
    [{ ...good, from: { x: '0.1', y: 0.1, theta: 0 } }, 'malformed', 'from.x'],
    [{ ...good, to: { x: Number.NaN, y: 0.1, theta: 0 } }, 'not_finite', 'to.x'],
    [{ ...good, to: { x: 0.1, y: 0.1, theta: Infinity } }, 'not_finite', 'to.theta'],
    [{ ...good, to: { x: 1.01, y: 0.1, theta: 0 } }, 'outside_workspace', 'to'],
    [{ ...good, from: { x: 0.5, y: -0.2, theta: 0 } }, 'outside_workspace', 'from'],
  ])('refuses %j as %s at "%s"', (value, reason, path) => {
    const result = validateAction(value);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error).toBeInstanceOf(InvalidActionError);
    expect(result.error.code).toBe('INVALID_ACTION');
    expect(result.error.reason).toBe(reason);
    expect(result.error.path).toBe(path);
    expect(result.error.message.length).toBeGreaterThan(10);
  });

  it('throws the typed error from assertValidAction', () => {
    expect(() => assertValidAction(good)).not.toThrow();
    let caught: unknown;
    try {
      assertValidAction({ ...good, kind: 'jump' });
    } catch (e) {
      caught = e;
    }
    expect(isActllmError(caught, 'INVALID_ACTION')).toBe(true);
    expect((caught as Error).message).toMatch(/pick_place, push/);
  });
});
