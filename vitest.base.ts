import { defineConfig, type ViteUserConfig } from 'vitest/config';

/**
 * The test setup every package shares: tests in test/, a 60 s limit per test, coverage of
 * src/ (reported when a package runs `vitest run --coverage`, failing under 90% of lines).
 */
export function packageTests(test: NonNullable<ViteUserConfig['test']> = {}) {
  return defineConfig({
    test: {
      include: ['test/**/*.test.ts'],
      // Tests never time anything; a generous limit keeps a loaded 2-core CI machine from
      // failing a slow but correct test (nx runs several packages' suites at once).
      testTimeout: 60_000,
      coverage: {
        provider: 'v8',
        include: ['src/**/*.ts'],
        reporter: ['text-summary', 'json-summary'],
        thresholds: { lines: 90 },
      },
      ...test,
    },
  });
}
