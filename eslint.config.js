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
    // A failing assert.ok(x) with no message makes Node build the "expression evaluated to a
    // falsy value" message by re-reading and parsing the source file; under tsx's module hooks
    // that parse can spin for many minutes in a long .ts file (nodejs/node#52962), so a broken
    // test hangs CI instead of failing. A message argument skips the parse entirely. (Flat config
    // does not merge rule options: a later entry setting no-restricted-syntax for these files would
    // replace this one, so add its selectors here instead.)
    files: ['**/*.ts'],
    rules: {
      'no-restricted-syntax': ['error',
        {
          selector: "CallExpression[callee.object.name='assert'][callee.property.name='ok'][arguments.length=1]",
          message: 'give assert.ok a message: without one, a failing call makes Node parse the source file to build the message, which under tsx can hang the test for minutes (nodejs/node#52962)',
        },
        {
          selector: "CallExpression[callee.name='assert'][arguments.length=1]",
          message: 'give assert() a message: without one, a failing call makes Node parse the source file to build the message, which under tsx can hang the test for minutes (nodejs/node#52962)',
        },
        {
          selector: "MemberExpression[object.type='MetaProperty'][property.name=/^(dirname|filename)$/]",
          message: 'import.meta.dirname and .filename came in Node 20.11, and Lanes runs on 20.9: use fileURLToPath(new URL(\'.\', import.meta.url))',
        },
      ],
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
