import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  BackendUnavailableError,
  isActllmError,
  listBackends,
  registerBackend,
  resolveBackend,
  type Backend,
  type BackendCapabilities,
} from '../src/index.js';

const REGISTRY_KEY = Symbol.for('@actllm/core.backend-registry');

function clearRegistry(): void {
  delete (globalThis as Record<symbol, unknown>)[REGISTRY_KEY];
}

interface FakeBackend extends Backend {
  initCalls: number;
}

function fakeBackend(
  caps: Partial<BackendCapabilities> = {},
  init: () => Promise<void> = () => Promise.resolve(),
): FakeBackend {
  const backend: FakeBackend = {
    initCalls: 0,
    capabilities: { infer: true, train: false, devices: ['cpu'], ...caps },
    init: () => {
      backend.initCalls++;
      return init();
    },
    createSession: () => Promise.reject(new Error('not used in registry tests')),
    ...(caps.train ? { createTrainer: () => Promise.reject(new Error('not used')) } : {}),
  };
  return backend;
}

beforeEach(clearRegistry);
afterEach(clearRegistry);

describe('registerBackend', () => {
  it('orders backends by priority, ties by registration order', () => {
    registerBackend('low', fakeBackend(), 1);
    registerBackend('high', fakeBackend(), 10);
    registerBackend('tie-first', fakeBackend(), 5);
    registerBackend('tie-second', fakeBackend(), 5);
    expect(listBackends().map((b) => b.name)).toEqual(['high', 'tie-first', 'tie-second', 'low']);
  });

  it('replaces a name with a higher priority and ignores a lower one', () => {
    const first = fakeBackend();
    const better = fakeBackend();
    const worse = fakeBackend();
    registerBackend('x', first, 1);
    registerBackend('x', better, 2);
    registerBackend('x', worse, 0);
    expect(listBackends()).toHaveLength(1);
    expect(listBackends()[0]?.priority).toBe(2);
  });

  it('accepts the same object twice and refuses another one at the same priority', () => {
    const a = fakeBackend();
    registerBackend('x', a, 1);
    expect(() => registerBackend('x', a, 1)).not.toThrow();
    let caught: unknown;
    try {
      registerBackend('x', fakeBackend(), 1);
    } catch (e) {
      caught = e;
    }
    expect(isActllmError(caught, 'BACKEND_CONFLICT')).toBe(true);
  });

  it.each([
    ['', fakeBackend(), 1, 'name'],
    ['x', fakeBackend(), Number.NaN, 'priority'],
    ['x', null as unknown as Backend, 1, 'object'],
    [
      'x',
      { capabilities: { infer: true, train: false, devices: [] } } as unknown as Backend,
      1,
      'init()',
    ],
    [
      'x',
      {
        init: () => Promise.resolve(),
        createSession: () => Promise.reject(new Error()),
      } as unknown as Backend,
      1,
      'capabilities',
    ],
    [
      'x',
      { ...fakeBackend(), capabilities: { infer: true, train: true, devices: [] } },
      1,
      'createTrainer',
    ],
  ])('refuses an invalid backend (%#)', (name, backend, priority, mentions) => {
    expect(() => registerBackend(name, backend, priority)).toThrow(
      expect.objectContaining({
        code: 'BACKEND_INVALID',
        message: expect.stringContaining(mentions) as unknown,
      }),
    );
  });
});

describe('resolveBackend', () => {
  it('returns the highest-priority backend that initializes', async () => {
    registerBackend('a', fakeBackend(), 1);
    registerBackend('b', fakeBackend(), 2);
    expect((await resolveBackend()).name).toBe('b');
  });

  it('calls init lazily and once, shared by concurrent callers', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const b = fakeBackend({}, () => gate);
    registerBackend('slow', b, 1);
    expect(b.initCalls).toBe(0);
    const pending = [resolveBackend(), resolveBackend(), resolveBackend({ names: ['slow'] })];
    await Promise.resolve();
    expect(listBackends()[0]?.status).toBe('initializing');
    release();
    const results = await Promise.all(pending);
    expect(results.every((r) => r.backend === b)).toBe(true);
    expect(b.initCalls).toBe(1);
    expect(listBackends()[0]?.status).toBe('ready');
    await resolveBackend();
    expect(b.initCalls).toBe(1);
  });

  it('remembers a failed init, never retries it, and falls back by priority', async () => {
    const broken = fakeBackend({}, () => Promise.reject(new Error('libfoo.so missing')));
    const fallback = fakeBackend();
    registerBackend('broken', broken, 10);
    registerBackend('fallback', fallback, 1);
    expect((await resolveBackend()).name).toBe('fallback');
    expect((await resolveBackend()).name).toBe('fallback');
    expect(broken.initCalls).toBe(1);
    expect(listBackends()[0]).toMatchObject({
      name: 'broken',
      status: 'failed',
      error: 'libfoo.so missing',
    });
  });

  it('treats a synchronous throw in init like a rejection', async () => {
    const b: Backend = {
      ...fakeBackend(),
      init: () => {
        throw new Error('sync boom');
      },
    };
    registerBackend('sync', b, 1);
    await expect(resolveBackend()).rejects.toThrow(/sync boom/);
  });

  it('reports concurrent callers of a failing init with the same reason', async () => {
    registerBackend(
      'broken',
      fakeBackend({}, () => Promise.reject(new Error('nope'))),
      1,
    );
    const results = await Promise.allSettled([resolveBackend(), resolveBackend()]);
    for (const r of results) {
      expect(r.status).toBe('rejected');
      expect((r as PromiseRejectedResult).reason).toBeInstanceOf(BackendUnavailableError);
      expect(String((r as PromiseRejectedResult).reason)).toMatch(/nope/);
    }
  });

  it('filters by capability without initializing the backends it skips', async () => {
    const inferOnly = fakeBackend({ infer: true, train: false });
    const trainer = fakeBackend({ infer: true, train: true });
    registerBackend('infer-only', inferOnly, 10);
    registerBackend('trainer', trainer, 1);
    expect((await resolveBackend({ capability: 'train' })).name).toBe('trainer');
    expect((await resolveBackend({ capability: 'infer' })).name).toBe('infer-only');
    expect(inferOnly.initCalls).toBe(1);
  });

  it('uses explicitly named backends in the given order, even with negative priority', async () => {
    registerBackend('auto', fakeBackend(), 5);
    registerBackend('hidden', fakeBackend(), -1);
    expect(listBackends().map((b) => b.name)).toEqual(['auto', 'hidden']);
    expect((await resolveBackend()).name).toBe('auto');
    expect((await resolveBackend({ names: ['hidden', 'auto'] })).name).toBe('hidden');
    expect((await resolveBackend({ names: ['missing', 'auto'] })).name).toBe('auto');
  });

  it('never picks a negative-priority backend on its own', async () => {
    registerBackend('hidden', fakeBackend(), -1);
    await expect(resolveBackend()).rejects.toThrow(/No backend is registered/);
  });

  it('lists every backend tried and why it was skipped', async () => {
    registerBackend('infer-only', fakeBackend({ train: false }), 3);
    registerBackend(
      'broken',
      fakeBackend({ train: true }, () => Promise.reject(new Error('no GPU'))),
      2,
    );
    let error: unknown;
    try {
      await resolveBackend({ capability: 'train', names: ['infer-only', 'broken', 'ghost'] });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(BackendUnavailableError);
    const e = error as BackendUnavailableError;
    expect(e.code).toBe('BACKEND_UNAVAILABLE');
    expect(e.attempts).toEqual([
      { name: 'infer-only', reason: 'missing_capability', message: 'cannot train' },
      { name: 'broken', reason: 'init_failed', message: 'init failed: no GPU' },
      {
        name: 'ghost',
        reason: 'not_registered',
        message: 'not registered: import its package first',
      },
    ]);
    expect(e.message).toContain('infer-only (cannot train)');
    expect(e.message).toContain('broken (init failed: no GPU)');
    expect(e.message).toContain('ghost (not registered');
    expect(e.message).toMatch(/Install and import a backend package/);
  });
});

describe('the registry on globalThis', () => {
  it('is shared by two separately loaded copies of core', async () => {
    const copyA = await import('../src/index.js');
    vi.resetModules();
    const copyB = await import('../src/index.js');
    expect(copyB.registerBackend).not.toBe(copyA.registerBackend); // really two module instances

    const b = fakeBackend();
    copyA.registerBackend('shared', b, 1);
    const resolved = await copyB.resolveBackend();
    expect(resolved.backend).toBe(b);
    expect(copyA.listBackends()[0]?.status).toBe('ready');

    // errors from one copy are recognised by the other
    let error: unknown;
    try {
      await copyA.resolveBackend({ names: ['ghost'] });
    } catch (e) {
      error = e;
    }
    expect(copyB.isActllmError(error, 'BACKEND_UNAVAILABLE')).toBe(true);
  });

  it('lets two copies of a backend package register one object through processSingleton', async () => {
    const copyA = await import('../src/index.js');
    vi.resetModules();
    const copyB = await import('../src/index.js');
    // What a backend package's index does on import, once per loaded copy of that package.
    const load = (core: typeof copyA) => {
      const backend = core.processSingleton('test-package.backend', () => fakeBackend());
      core.registerBackend('dual', backend, 1);
      return backend;
    };
    const first = load(copyA);
    expect(load(copyB)).toBe(first);
    expect(copyA.listBackends()).toHaveLength(1);
    expect(copyA.processSingleton('test-package.backend', () => fakeBackend())).toBe(first);
  });

  it('refuses to share a registry stored by an incompatible core version', () => {
    (globalThis as Record<symbol, unknown>)[REGISTRY_KEY] = {
      version: 999,
      entries: new Map(),
      nextOrder: 0,
    };
    expect(() => listBackends()).toThrow(
      expect.objectContaining({ code: 'BACKEND_REGISTRY_INCOMPATIBLE' }),
    );
  });
});
