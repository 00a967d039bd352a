import { createRequire } from 'node:module';
import * as tf from '@tensorflow/tfjs-core';
// The two runtimes that ship with this package register themselves with tfjs-core on import.
import '@tensorflow/tfjs-backend-cpu';
import { setThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import type { Logger } from '@actllm/core';
import { TfjsBackendError } from './errors.js';

/**
 * Which tfjs runtime runs the kernels. `tensorflow` is libtensorflow through
 * `@tensorflow/tfjs-node-gpu` (CUDA) or `@tensorflow/tfjs-node` (CPU); both register the same
 * tfjs backend name, so only one of them can be loaded in a process.
 */
export type RuntimeName = 'tensorflow-gpu' | 'tensorflow' | 'wasm' | 'cpu';

/** Fastest first: the order the backend picks runtimes in. */
export const RUNTIME_ORDER: readonly RuntimeName[] = [
  'tensorflow-gpu',
  'tensorflow',
  'wasm',
  'cpu',
];

/** The optional peer package that provides each native runtime. */
export const NATIVE_PACKAGES: Readonly<Record<'tensorflow-gpu' | 'tensorflow', string>> = {
  'tensorflow-gpu': '@tensorflow/tfjs-node-gpu',
  tensorflow: '@tensorflow/tfjs-node',
};

/** The tfjs backend name each runtime registers. */
export function tfjsBackendName(runtime: RuntimeName): string {
  return runtime === 'tensorflow-gpu' ? 'tensorflow' : runtime;
}

/** The device a runtime computes on, in core's vocabulary. */
export function deviceOf(runtime: RuntimeName): string {
  return runtime === 'tensorflow-gpu' ? 'cuda' : runtime === 'tensorflow' ? 'cpu' : runtime;
}

/** True when `id` resolves from this package, without loading it. */
export function resolvable(id: string): boolean {
  try {
    createRequire(import.meta.url).resolve(id);
    return true;
  } catch {
    return false;
  }
}

/** Loads a module by a name only known at run time (optional peers are never required). */
export type ModuleLoader = (id: string) => Promise<unknown>;

const dynamicImport: ModuleLoader = (id) => import(id);

/**
 * Loads the first native runtime that is installed and works. Returns the runtimes that can
 * be used, fastest first; wasm and cpu ship with this package and are always there.
 */
export async function detectRuntimes(
  load: ModuleLoader = dynamicImport,
  isInstalled: (id: string) => boolean = resolvable,
): Promise<RuntimeName[]> {
  const found: RuntimeName[] = [];
  for (const runtime of ['tensorflow-gpu', 'tensorflow'] as const) {
    const id = NATIVE_PACKAGES[runtime];
    if (!isInstalled(id)) continue;
    try {
      await load(id);
      found.push(runtime);
      // tfjs-node-gpu also computes on the host CPU; the two cannot be loaded side by side.
      break;
    } catch {
      continue;
    }
  }
  return [...found, 'wasm', 'cpu'];
}

/** Maps a requested device (SessionOptions.device) to a runtime. */
export function runtimeForDevice(device: string): RuntimeName | undefined {
  switch (device.toLowerCase()) {
    case 'cuda':
    case 'gpu':
    case 'tensorflow-gpu':
      return 'tensorflow-gpu';
    case 'native':
    case 'tensorflow':
      return 'tensorflow';
    case 'wasm':
      return 'wasm';
    case 'cpu':
      return 'cpu';
    default:
      return undefined;
  }
}

/**
 * The runtime for a session: the requested one when it is available, else the fastest
 * available one (with a warning through `logger` when a request could not be met).
 */
export function chooseRuntime(
  available: readonly RuntimeName[],
  device: string | undefined,
  logger?: Logger,
): RuntimeName {
  const fastest = RUNTIME_ORDER.find((r) => available.includes(r)) ?? 'cpu';
  if (device === undefined) return fastest;
  const wanted = runtimeForDevice(device);
  if (wanted && available.includes(wanted)) return wanted;
  // tfjs-node-gpu also serves plain CPU requests through libtensorflow.
  if (wanted === 'tensorflow' && available.includes('tensorflow-gpu')) return 'tensorflow-gpu';
  logger?.warn(
    wanted
      ? `@actllm/backend-tfjs: device "${device}" needs ${wanted in NATIVE_PACKAGES ? NATIVE_PACKAGES[wanted as 'tensorflow'] : wanted}, which is not installed; using ${fastest}.`
      : `@actllm/backend-tfjs: unknown device "${device}" (use cuda, native, wasm or cpu); using ${fastest}.`,
  );
  return fastest;
}

/**
 * The cpu backend prints a "install tfjs-node" notice on its first tensor; libraries never
 * print, so the notice is switched off on the backend instance before it is used.
 */
function silenceCpuNotice(): void {
  const cpu = tf.findBackend('cpu') as { firstUse?: boolean } | null;
  if (cpu && 'firstUse' in cpu) cpu.firstUse = false;
}

const started = new Set<RuntimeName>();

/**
 * Makes `runtime` the active tfjs backend. The wasm runtime reads its thread count when it
 * starts; Node has no threaded wasm build, so there it always runs single-threaded (SIMD).
 */
export async function activate(
  runtime: RuntimeName,
  threads: number | undefined,
  logger?: Logger,
): Promise<void> {
  const name = tfjsBackendName(runtime);
  if (runtime === 'wasm' && threads !== undefined) {
    if (started.has('wasm')) {
      logger?.debug?.('@actllm/backend-tfjs: the wasm runtime already started; threads unchanged.');
    } else {
      setThreadsCount(threads);
    }
  }
  // `engine().backendName` reads the active backend without starting one (getBackend would).
  if (tf.engine().backendName !== name) {
    const ok = await tf.setBackend(name);
    if (!ok) {
      throw new TfjsBackendError(
        'TFJS_RUNTIME_UNAVAILABLE',
        `The tfjs ${name} runtime failed to start; pick another device (wasm or cpu).`,
      );
    }
  }
  started.add(runtime);
  silenceCpuNotice();
}
