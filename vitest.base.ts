import { defineConfig, type ViteUserConfig } from 'vitest/config';

/**
 * The test setup every package shares: tests in test/, coverage of src/ (reported when a
 * package runs `vitest run --coverage`, failing under 90% of lines).
 */
export function packageTests(test: NonNullable<ViteUserConfig['test']> = {}) {
  return defineConfig({
    test: {
      include: ['test/**/*.test.ts'],
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
