import { defineConfig } from 'vitest/config';

// Tests of the repository's own scripts (boundary check); packages have their own configs.
export default defineConfig({
  test: { root: import.meta.dirname, include: ['*.test.mjs'] },
});
