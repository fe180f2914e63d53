import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

export default tseslint.config(
  { ignores: ['**/node_modules/**', '.tools/**', '.devnet/**', 'frontend/.next/**', 'bench/results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  { languageOptions: { globals: { ...globals.node } } },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    // Consensus code: no wall clock, no randomness (ARCHITECTURE.md, "Determinism").
    files: ['app/src/**/*.ts', 'modules/*/src/**/*.ts'],
    ignores: ['**/*.test.ts', 'app/src/node/**'],
    rules: {
      'no-restricted-properties': ['error',
        { object: 'Date', property: 'now', message: 'consensus code reads time only from the block header' },
        { object: 'Math', property: 'random', message: 'consensus code must be deterministic' },
        { object: 'performance', property: 'now', message: 'consensus code must be deterministic' },
      ],
      'no-restricted-globals': ['error', { name: 'parseFloat', message: 'no floats in consensus code' }],
    },
  },
);
