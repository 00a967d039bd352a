/**
 * The backend registry, with onnxruntime-common's semantics (js/common/lib/backend-impl.ts):
 *
 * - `registerBackend(name, backend, priority)`: a higher priority is tried first; ties go
 *   to the earlier registration. A negative priority registers a backend that is only
 *   used when named explicitly. Registering a name again with a higher priority replaces
 *   the entry, with a lower one is ignored, with the same one and another object throws.
 * - `init` runs lazily, once per backend, shared by concurrent callers; its success or
 *   failure is remembered, so a broken backend is not retried.
 * - `resolveBackend` walks the candidates (all by priority, or the given names in order),
 *   skips those without the requested capability or whose init fails, and returns the
 *   first that works. When none does, the error lists every backend tried and why.
 *
 * The registry lives on `globalThis` under a `Symbol.for` key, so two copies of core
 * (ESM and CJS builds, or two installed versions) share it.
 */
import { ActllmError, InvalidArgumentError } from './errors.js';
import { requireKnownKeys } from './checks.js';
import type { Backend, BackendCapability, BackendCapabilities } from './backend.js';

const REGISTRY_KEY = Symbol.for('@actllm/core.backend-registry');
/** Bumped when the stored shape changes; copies of core with another version refuse to share it. */
const REGISTRY_VERSION = 1;

type InitState =
  | { readonly kind: 'idle' }
  | { readonly kind: 'initializing'; readonly promise: Promise<void> }
  | { readonly kind: 'ready' }
  | { readonly kind: 'failed'; readonly reason: string };

interface Entry {
  readonly name: string;
  readonly backend: Backend;
  readonly priority: number;
  readonly order: number;
  init: InitState;
}

interface Registry {
  readonly version: number;
  readonly entries: Map<string, Entry>;
  nextOrder: number;
}

function registry(): Registry {
  const store = globalThis as unknown as Record<symbol, Registry | undefined>;
  let r = store[REGISTRY_KEY];
  if (r === undefined) {
    r = { version: REGISTRY_VERSION, entries: new Map(), nextOrder: 0 };
    store[REGISTRY_KEY] = r;
  } else if (r.version !== REGISTRY_VERSION) {
    throw new ActllmError(
      'BACKEND_REGISTRY_INCOMPATIBLE',
      `Two incompatible versions of @actllm/core are loaded (registry versions ${r.version} and ${REGISTRY_VERSION}); deduplicate them with \`npm dedupe\`.`,
    );
  }
  return r;
}

/** Why a backend was passed over. */
export type SkipReason = 'not_registered' | 'missing_capability' | 'init_failed';

export interface BackendAttempt {
  readonly name: string;
  readonly reason: SkipReason;
  readonly message: string;
}

/** No backend could serve the request; `attempts` says what was tried and why each was skipped. */
export class BackendUnavailableError extends ActllmError<'BACKEND_UNAVAILABLE'> {
  readonly attempts: readonly BackendAttempt[];

  constructor(capability: BackendCapability | undefined, attempts: readonly BackendAttempt[]) {
    const wanted = capability ? `a backend that can ${capability}` : 'a backend';
    const tried =
      attempts.length === 0
        ? 'No backend is registered.'
        : `Tried: ${attempts.map((a) => `${a.name} (${a.message})`).join('; ')}.`;
    super(
      'BACKEND_UNAVAILABLE',
      `No ${wanted} is available. ${tried} Install and import a backend package (for example @actllm/backend-onnx or @actllm/backend-tfjs), or fix the failure above.`,
    );
    this.attempts = attempts;
  }
}

function assertBackend(name: string, backend: Backend, priority: number): void {
  const problem =
    typeof name !== 'string' || name.length === 0
      ? 'its name must be a non-empty string'
      : !Number.isFinite(priority)
        ? `its priority must be a finite number, got ${priority}`
        : typeof backend !== 'object' || backend === null
          ? 'it must be an object'
          : typeof backend.init !== 'function' || typeof backend.createSession !== 'function'
            ? 'it must implement init() and createSession()'
            : typeof backend.capabilities !== 'object' || backend.capabilities === null
              ? 'it must declare its capabilities'
              : backend.capabilities.train && typeof backend.createTrainer !== 'function'
                ? 'it declares the train capability but has no createTrainer()'
                : undefined;
  if (problem) {
    throw new ActllmError(
      'BACKEND_INVALID',
      `Cannot register backend "${String(name)}": ${problem}.`,
    );
  }
}

/** Registers a backend under `name`. See the module comment for the priority rules. */
export function registerBackend(name: string, backend: Backend, priority: number): void {
  assertBackend(name, backend, priority);
  const r = registry();
  const current = r.entries.get(name);
  if (current) {
    if (current.priority > priority) return;
    if (current.priority === priority) {
      if (current.backend === backend) return;
      throw new ActllmError(
        'BACKEND_CONFLICT',
        `Backend "${name}" is already registered with priority ${priority} by another implementation; register with a different priority or name.`,
      );
    }
  }
  r.entries.set(name, { name, backend, priority, order: r.nextOrder++, init: { kind: 'idle' } });
}

export type BackendStatus = 'registered' | 'initializing' | 'ready' | 'failed';

export interface BackendInfo {
  readonly name: string;
  readonly priority: number;
  readonly capabilities: BackendCapabilities;
  readonly status: BackendStatus;
  /** The remembered init failure. */
  readonly error?: string;
}

function byPriority(a: Entry, b: Entry): number {
  return b.priority - a.priority || a.order - b.order;
}

/** Every registered backend, highest priority first, with its init status. */
export function listBackends(): BackendInfo[] {
  return [...registry().entries.values()].sort(byPriority).map((e) => {
    const status = e.init.kind === 'idle' ? 'registered' : e.init.kind;
    const info: BackendInfo = {
      name: e.name,
      priority: e.priority,
      capabilities: e.backend.capabilities,
      status,
    };
    return e.init.kind === 'failed' ? { ...info, error: e.init.reason } : info;
  });
}

/** Runs the backend's init once; concurrent callers share one promise. */
async function initialize(entry: Entry): Promise<string | undefined> {
  if (entry.init.kind === 'ready') return undefined;
  if (entry.init.kind === 'failed') return entry.init.reason;
  if (entry.init.kind === 'idle') {
    const promise = Promise.resolve().then(() => entry.backend.init(entry.name));
    entry.init = { kind: 'initializing', promise };
    promise.then(
      () => (entry.init = { kind: 'ready' }),
      (e: unknown) =>
        (entry.init = { kind: 'failed', reason: e instanceof Error ? e.message : String(e) }),
    );
  }
  try {
    await (entry.init as { promise: Promise<void> }).promise;
    return undefined;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}

export interface ResolveOptions {
  /** Only backends with this capability are considered. */
  readonly capability?: BackendCapability;
  /**
   * Backends to try, in this order (including ones registered with a negative priority).
   * Default: every backend with a non-negative priority, highest first.
   */
  readonly names?: readonly string[];
}

export interface ResolvedBackend {
  readonly name: string;
  readonly backend: Backend;
}

const CAPABILITIES: readonly BackendCapability[] = ['infer', 'train'];

/** A typo in `capability` or `names` would otherwise resolve some other backend, or none. */
function checkResolveOptions(options: unknown): void {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new InvalidArgumentError(
      'resolveBackend options must be an object { capability?, names? }.',
    );
  }
  requireKnownKeys(options, ['capability', 'names'], 'resolveBackend');
  const { capability, names } = options as ResolveOptions;
  if (capability !== undefined && !CAPABILITIES.includes(capability)) {
    throw new InvalidArgumentError(
      `resolveBackend: capability ${JSON.stringify(capability)} is not one of ${CAPABILITIES.join(', ')}.`,
    );
  }
  const isNames = Array.isArray(names) && names.every((n) => typeof n === 'string' && n !== '');
  if (names !== undefined && !isNames) {
    throw new InvalidArgumentError(
      "resolveBackend: names is an array of backend names, such as ['onnx'].",
    );
  }
}

/** The first usable backend for the request; throws {@link BackendUnavailableError} when there is none. */
export async function resolveBackend(options: ResolveOptions = {}): Promise<ResolvedBackend> {
  checkResolveOptions(options);
  const r = registry();
  const names =
    options.names ??
    [...r.entries.values()]
      .filter((e) => e.priority >= 0)
      .sort(byPriority)
      .map((e) => e.name);
  const attempts: BackendAttempt[] = [];
  for (const name of names) {
    const entry = r.entries.get(name);
    if (!entry) {
      attempts.push({
        name,
        reason: 'not_registered',
        message: 'not registered: import its package first',
      });
      continue;
    }
    if (options.capability && !entry.backend.capabilities[options.capability]) {
      attempts.push({
        name,
        reason: 'missing_capability',
        message: `cannot ${options.capability}`,
      });
      continue;
    }
    const failure = await initialize(entry);
    if (failure === undefined) return { name, backend: entry.backend };
    attempts.push({ name, reason: 'init_failed', message: `init failed: ${failure}` });
  }
  throw new BackendUnavailableError(options.capability, attempts);
}
