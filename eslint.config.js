// Lint rules beyond the recommended sets keep the layering of DESIGN.md checkable:
// domain libs stay free of Nest and I/O, production code never loads test kits, and
// stored events never become domain events through an unchecked cast.
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import { defineConfig, globalIgnores } from 'eslint/config';
import tseslint from 'typescript-eslint';

const DOMAIN_LIBS = ['eventsourcing', 'investigations', 'chat', 'audit', 'analysis'];
const TEST_CODE = ['**/*.spec.ts', 'test/**', '**/testing/**', '**/*.testing.ts', '**/*.contract.ts'];

/** What only tests may load: the production build leaves these files out. */
const testKits = {
  paths: [
    { name: '#eventsourcing/testing', message: 'Test kits are for specs only; the production build leaves them out.' },
    { name: '@jest/globals', message: 'Jest is for specs only.' },
  ],
  patterns: [
    {
      group: ['**/testing/**', '**/*.testing.js', '**/*.contract.js'],
      message: 'Test kits are for specs only; the production build leaves them out.',
    },
  ],
};

const IO_MESSAGE =
  'Domain libs have no I/O and no framework: take what you need through a port, adapters live in libs/platform.';
/** Frameworks, adapters and Node's I/O modules, in both spellings of the builtins. */
const domainForbidden = {
  paths: [
    '#platform',
    'pg',
    'better-sqlite3',
    'ws',
    'socket.io',
    'socket.io-client',
    'nats',
    'express',
    'ioredis',
    ...['fs', 'fs/promises', 'net', 'http', 'https', 'http2', 'child_process'].flatMap((m) => [m, `node:${m}`]),
  ].map((name) => ({ name, message: IO_MESSAGE })),
  patterns: [
    {
      group: ['@nestjs/*', '@nats-io/*', '@kurrent/*', '**/libs/platform/**', '**/platform/src/**'],
      message: IO_MESSAGE,
    },
  ],
};

/**
 * Promise mistakes need type information, which costs more than the rest of the lint put
 * together: `npm run lint:typed` runs these on production code, `npm run lint` does not.
 */
const typeAware = process.env.LINT_TYPED
  ? [
      {
        files: ['apps/**/*.ts', 'libs/**/*.ts', 'bench/**/*.ts', 'scripts/**/*.ts'],
        ignores: TEST_CODE,
        languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
        rules: {
          '@typescript-eslint/no-floating-promises': 'error',
          '@typescript-eslint/no-misused-promises': 'error',
          '@typescript-eslint/await-thenable': 'error',
        },
      },
    ]
  : [];

const merge = (...restrictions) => ({
  paths: restrictions.flatMap((r) => r.paths),
  patterns: restrictions.flatMap((r) => r.patterns),
});

const DOUBLE_CAST = {
  selector: "TSAsExpression[expression.type='TSAsExpression'][expression.typeAnnotation.type='TSUnknownKeyword']",
  message: 'No `as unknown as`: check the value (a zod schema or a type guard) instead of asserting its type.',
};

export default defineConfig([
  globalIgnores(['dist/', 'packages/*/dist/', 'node_modules/', 'data/', 'coverage/']),
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2023, sourceType: 'module' },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // tsc's noUnusedLocals/noUnusedParameters already fail the build on these.
      '@typescript-eslint/no-unused-vars': 'off',
    },
  },
  {
    // Config files and scripts run on Node.
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: {
      globals: {
        console: 'readonly',
        process: 'readonly',
        URL: 'readonly',
        fetch: 'readonly',
        AbortSignal: 'readonly',
      },
    },
  },
  {
    files: ['**/*.ts'],
    ignores: TEST_CODE,
    rules: {
      'no-restricted-imports': ['error', testKits],
      'no-restricted-syntax': ['error', DOUBLE_CAST],
    },
  },
  {
    // Benchmarks drive the same fakes as the tests (a local OpenAI-compatible server).
    files: ['bench/**/*.ts'],
    rules: { 'no-restricted-imports': 'off' },
  },
  {
    files: DOMAIN_LIBS.map((lib) => `libs/${lib}/src/**/*.ts`),
    ignores: ['**/*.spec.ts'],
    rules: { 'no-restricted-imports': ['error', domainForbidden] },
  },
  {
    files: DOMAIN_LIBS.map((lib) => `libs/${lib}/src/**/*.ts`),
    ignores: TEST_CODE,
    rules: { 'no-restricted-imports': ['error', merge(domainForbidden, testKits)] },
  },
  ...typeAware,
  prettier,
]);
