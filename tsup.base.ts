import { defineConfig, type Options } from 'tsup';

/**
 * The build every package shares: ESM + CJS + declarations for both, from src/index.ts.
 * A package passes only what differs (extra entries, a worker file, ...).
 */
export function packageBuild(options: Options = {}) {
  return defineConfig({
    entry: ['src/index.ts'],
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    clean: true,
    target: 'node20',
    ...options,
  });
}
