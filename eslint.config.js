// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  // tsup writes its bundled config next to tsup.config.ts while a build runs.
  {
    ignores: [
      '**/dist/**',
      '**/coverage/**',
      '**/node_modules/**',
      '**/.nx/**',
      '**/*.bundled_*.mjs',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // Packages talk through public exports only (ARCHITECTURE.md section 2);
      // scripts/check-boundaries.mjs checks the same thing across the whole graph.
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@actllm/*/src', '@actllm/*/src/*'],
              message: "Import the package's public entry, not its src/.",
            },
          ],
        },
      ],
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
    },
  },
  {
    // Libraries never print: progress and logs go through callbacks or an injected logger.
    files: ['packages/**/src/**/*.ts'],
    rules: { 'no-console': 'error' },
  },
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    ...tseslint.configs.disableTypeChecked,
  },
);
