import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// Tests of the repository itself: the boundary check, and the examples that are installed
// from packed tarballs (they need the packages built, so `npm test` runs them after nx).
export default defineConfig({
  test: {
    root: fileURLToPath(new URL('..', import.meta.url)),
    include: ['scripts/*.test.mjs', 'examples/*/test/*.test.mjs'],
    testTimeout: 300_000,
  },
});
