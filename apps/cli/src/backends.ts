import type { GraphSessionOptions } from '@actllm/graph';
import { CliError } from './errors.js';

export const BACKENDS = ['onnx', 'tfjs'] as const;
export type BackendName = (typeof BACKENDS)[number];

const PACKAGES: Readonly<Record<BackendName, string>> = {
  onnx: '@actllm/backend-onnx',
  tfjs: '@actllm/backend-tfjs',
};

function missing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND';
}

/**
 * Registers a backend by importing its package (importing registers it with core's
 * registry). Dynamic, so a backend that is not installed is a clear error, not a crash at
 * start-up.
 */
export async function loadBackend(name: BackendName): Promise<void> {
  try {
    if (name === 'onnx') await import('@actllm/backend-onnx');
    else await import('@actllm/backend-tfjs');
  } catch (error) {
    if (!missing(error)) throw error;
    throw new CliError(
      'CLI_BACKEND_MISSING',
      `the ${name} backend is not installed; install it with \`npm install ${PACKAGES[name]}\` or pick another with --backend.`,
      { cause: error },
    );
  }
}

/** Loads every backend that is installed (for `info`); returns those that are not. */
export async function loadInstalledBackends(): Promise<BackendName[]> {
  const absent: BackendName[] = [];
  for (const name of BACKENDS) {
    try {
      await loadBackend(name);
    } catch (error) {
      if (!(error instanceof CliError)) throw error;
      absent.push(name);
    }
  }
  return absent;
}

/** The graph front door's options for `--backend`, `--device` and `--threads`. */
export function sessionOptions(o: {
  backend: BackendName;
  device?: string;
  threads?: number;
}): GraphSessionOptions {
  return {
    backend: o.backend,
    ...(o.device ? { device: o.device } : {}),
    ...(o.threads !== undefined ? { threads: o.threads } : {}),
  };
}
