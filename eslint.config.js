// One lint configuration for every runtime; the import rules keep each folder in its lane.
import js from '@eslint/js'
import tseslint from 'typescript-eslint'
import vue from 'eslint-plugin-vue'
import boundaries from 'eslint-plugin-boundaries'

export default tseslint.config(
  { ignores: ['out/**', 'node_modules/**', 'test-results/**', 'playwright-report/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  // Formatting is Prettier's job: only the correctness rules of the Vue plugin.
  ...vue.configs['flat/essential'],
  {
    files: ['**/*.vue'],
    languageOptions: { parserOptions: { parser: tseslint.parser } },
    // TypeScript checks names (vue-tsc); ESLint's no-undef does not know DOM types.
    rules: { 'no-undef': 'off' },
  },
  {
    files: ['**/*.mjs', '*.js'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
  },
  {
    // Playwright fixtures take their dependencies by destructuring, even when there are none.
    files: ['test/e2e/**/*.ts', 'test/bench/*.ts', 'test/network/**/*.ts'],
    rules: { 'no-empty-pattern': 'off' },
  },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      'vue/multi-word-component-names': 'off',
      'vue/max-attributes-per-line': 'off',
      'vue/singleline-html-element-content-newline': 'off',
      'vue/html-self-closing': 'off',
    },
  },
  {
    // Code that runs anywhere: no Electron, no Node built-ins, no DOM-bound packages. Which
    // of our own folders each layer may import is the boundaries rule's job below.
    files: ['renderer/core/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            'electron',
            'node:*',
            'fs',
            'path',
            'os',
            'ws',
            'janus-gateway',
            'webrtc-adapter',
            'vue',
            'pinia',
          ],
        },
      ],
    },
  },
  {
    // Layers, checked on resolved paths (so '../../janus/x' cannot slip past a pattern):
    // core imports only core; janus/ stands on core; host/ on core and the preload's types;
    // the app on everything in the renderer; main and preload only on what is free of the DOM.
    files: ['main/**/*.ts', 'preload/**/*.ts', 'renderer/**/*.ts', 'renderer/**/*.vue'],
    plugins: { boundaries },
    settings: {
      'import/resolver': { node: { extensions: ['.ts', '.js', '.vue'] } },
      'boundaries/elements': [
        { type: 'core', pattern: 'renderer/core/**' },
        { type: 'janus', pattern: 'renderer/janus/**' },
        { type: 'host', pattern: 'renderer/host/**' },
        { type: 'app', pattern: 'renderer/app/**' },
        { type: 'main', pattern: 'main/**' },
        { type: 'preload', pattern: 'preload/**' },
      ],
    },
    rules: {
      'boundaries/dependencies': [
        'error',
        {
          default: 'disallow',
          policies: [
            { from: { element: { type: 'core' } }, allow: { to: { element: { type: 'core' } } } },
            {
              from: { element: { type: 'janus' } },
              allow: { to: { element: { types: { anyOf: ['core', 'janus'] } } } },
            },
            {
              from: { element: { type: 'host' } },
              allow: { to: { element: { types: { anyOf: ['core', 'host', 'preload'] } } } },
            },
            {
              from: { element: { type: 'app' } },
              allow: {
                to: { element: { types: { anyOf: ['core', 'janus', 'host', 'app', 'preload'] } } },
              },
            },
            {
              from: { element: { type: 'main' } },
              allow: { to: { element: { types: { anyOf: ['core', 'main', 'preload'] } } } },
            },
            {
              from: { element: { type: 'preload' } },
              allow: { to: { element: { types: { anyOf: ['core', 'preload'] } } } },
            },
            // Packages are the import-pattern rules' concern, not this one's.
            { allow: { to: { module: { origin: 'external' } } } },
            { allow: { to: { module: { origin: 'core' } } } },
          ],
        },
      ],
    },
  },
  {
    // Raw IPC lives only in the IPC wrappers.
    files: ['main/**/*.ts', 'preload/**/*.ts', 'renderer/**/*.ts', 'renderer/**/*.vue'],
    ignores: ['main/ipc.ts', 'preload/index.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: "ImportSpecifier[imported.name='ipcMain']",
          message: 'Use the typed IPC wrapper in main/ipc.ts.',
        },
        {
          selector: "ImportSpecifier[imported.name='ipcRenderer']",
          message: 'Only the preload talks IPC.',
        },
      ],
    },
  },
)
