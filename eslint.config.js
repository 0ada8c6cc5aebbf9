// ESLint enforces the layering of DESIGN.md §3 and the bans of STYLE.md.
//   main/core  imports nothing that does I/O (only node:crypto among built-ins), and reads no clock;
//   main/node  never imports electron, main/app or main/cli;
//   renderer   imports only types from the contract (preload/contract.ts), nothing from main/ or Node.
import { builtinModules } from 'node:module';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import pluginVue from 'eslint-plugin-vue';
import vueParser from 'vue-eslint-parser';

const bareBuiltins = builtinModules.filter((name) => !name.startsWith('_') && !name.includes(':'));

/** Built-ins must be imported with the node: prefix (STYLE.md). */
const builtinPaths = bareBuiltins.map((name) => ({
  name,
  message: `Import Node built-ins with the node: prefix: "node:${name}".`,
}));

/** One no-restricted-imports setting per layer: the rule's options do not merge across config objects. */
function restrictImports(patterns = [], paths = []) {
  return {
    '@typescript-eslint/no-restricted-imports': ['error', { paths: [...builtinPaths, ...paths], patterns }],
  };
}

const ioModules = ['better-sqlite3', 'ws', 'electron'];

export default tseslint.config(
  {
    ignores: ['out/**', 'dist/**', 'node_modules/**', '.cache/**', 'test-results/**', 'playwright-report/**', 'test/fixtures/**'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  ...pluginVue.configs['flat/recommended'],
  {
    files: ['**/*.vue'],
    languageOptions: { parser: vueParser, parserOptions: { parser: tseslint.parser, sourceType: 'module' } },
  },
  {
    languageOptions: {
      ecmaVersion: 2023,
      sourceType: 'module',
      globals: {
        process: 'readonly',
        Buffer: 'readonly',
        console: 'readonly',
        URL: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
      },
    },
    rules: {
      // TypeScript checks names; no-undef only misfires on DOM and Node globals.
      'no-undef': 'off',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      'no-restricted-syntax': [
        'error',
        {
          selector: 'ThrowStatement > NewExpression[callee.name="Error"]',
          message: 'Throw an error with a code (CivichainError, or TypeError/RangeError at a trust boundary).',
        },
      ],
      'vue/multi-word-component-names': 'off',
      // Layout is the formatter's business, not the linter's.
      'vue/max-attributes-per-line': 'off',
      'vue/singleline-html-element-content-newline': 'off',
      'vue/multiline-html-element-content-newline': 'off',
      'vue/html-self-closing': 'off',
      'vue/html-indent': 'off',
      'vue/html-closing-bracket-newline': 'off',
      ...restrictImports(),
    },
  },
  {
    files: ['main/**/*.ts', 'preload/**/*.ts', 'renderer/**/*.{ts,vue}'],
    ignores: ['main/cli/**'],
    rules: { 'no-console': 'error' },
  },
  {
    files: ['main/core/**/*.ts'],
    rules: {
      ...restrictImports(
        [
          { group: ['node:*', '!node:crypto'], message: 'main/core is pure: no I/O. Only node:crypto is allowed.' },
          { group: ['**/node/**', '**/app/**', '**/cli/**', '**/preload/**', '**/renderer/**'], message: 'main/core imports no other layer.' },
        ],
        ioModules.map((name) => ({ name, message: 'main/core is pure: no I/O.' })),
      ),
      'no-restricted-properties': [
        'error',
        { object: 'Date', property: 'now', message: 'main/core reads no clock: take the time as an input.' },
        { object: 'Math', property: 'random', message: 'main/core is deterministic: take randomness as an input.' },
      ],
    },
  },
  {
    files: ['main/node/**/*.ts'],
    rules: restrictImports(
      [{ group: ['**/app/**', '**/cli/**', '**/renderer/**'], message: 'main/node imports only main/core and the contract.' }],
      [{ name: 'electron', message: 'main/node never imports electron: it must run headless.' }],
    ),
  },
  {
    files: ['renderer/**/*.{ts,vue}'],
    rules: restrictImports(
      [
        { group: ['node:*'], message: 'The renderer runs in a browser: no Node built-ins.' },
        { group: ['**/main/**'], message: 'The renderer talks to the node only through the API client.' },
        {
          group: ['**/preload/**'],
          allowTypeImports: true,
          message: 'The renderer imports only types from the contract: use `import type`.',
        },
      ],
      ioModules.map((name) => ({ name, message: 'The renderer runs in a browser.' })),
    ),
  },
  {
    files: ['preload/**/*.ts'],
    rules: restrictImports([{ group: ['**/main/**', '**/renderer/**'], message: 'The preload knows only the contract.' }]),
  },
  {
    files: ['scripts/**/*.js', 'bin/**/*.js', 'eslint.config.js'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
