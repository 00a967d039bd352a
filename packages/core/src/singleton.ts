import { InvalidArgumentError } from './errors.js';

const SINGLETONS = Symbol.for('@actllm/core.singletons');

/**
 * One value per process for `key`, however many copies of a package are loaded.
 *
 * Node loads a dual package's ESM and CommonJS builds as two separate modules. A backend
 * package that creates its backend object and registers it on import would then register
 * two different objects under one name, which the registry refuses (`BACKEND_CONFLICT`).
 * Creating the object through `processSingleton('@scope/package.backend', ...)` makes every
 * copy register the same object, which the registry accepts. Use a key unique to your
 * package.
 */
export function processSingleton<T>(key: string, create: () => T): T {
  if (typeof key !== 'string' || key === '' || typeof create !== 'function') {
    throw new InvalidArgumentError(
      'processSingleton(key, create) needs a non-empty string key and a function that creates the value.',
    );
  }
  const global = globalThis as unknown as Record<symbol, Map<string, unknown> | undefined>;
  const store = (global[SINGLETONS] ??= new Map<string, unknown>());
  if (!store.has(key)) store.set(key, create());
  return store.get(key) as T;
}
