import js from '@eslint/js'
import tseslint from 'typescript-eslint'
import { importX, createNodeResolver } from 'eslint-plugin-import-x'

// The layers, top first: each may import only the layers after it (see README, Development).
const LAYERS = ['action', 'report', 'plan', 'artifactory', 'input', 'extract', 'engine', 'net']

/** One zone per layer: the layers above it are out of its reach. */
const layerZones = LAYERS.map((layer, i) => ({
  target: `./src/${layer}`,
  from: [...LAYERS.slice(0, i).map((above) => `./src/${above}`), './src/main.ts'],
  message: `${layer}/ is below ${[...LAYERS.slice(0, i).map((l) => `${l}/`), 'main.ts'].join(', ')}: it must not import them.`,
}))

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/', 'build/', '.bench/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        Buffer: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        URL: 'readonly',
        AbortController: 'readonly',
        AbortSignal: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    // Layers (see README, Development): only src/main.ts and src/action/ talk to the runner;
    // nothing below the action layer reaches back up into it.
    files: ['src/**/*.ts'],
    ignores: ['src/main.ts', 'src/index.ts', 'src/action/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: '@actions/core',
              message: 'Only src/main.ts and src/action/ talk to the runner.',
            },
          ],
          patterns: [
            {
              group: ['**/action/*', '**/main.ts'],
              message: 'The action layer is on top: lower layers never import it.',
            },
          ],
        },
      ],
    },
  },
  {
    // Imports only point down the layers, and never in a circle.
    files: ['src/**/*.ts'],
    plugins: { 'import-x': importX },
    settings: {
      'import-x/resolver-next': [createNodeResolver({ extensions: ['.ts', '.js'] })],
      // no-cycle parses each imported file: with TypeScript's parser, or it silently sees none.
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
      'import-x/extensions': ['.ts', '.js'],
    },
    rules: {
      'import-x/no-restricted-paths': ['error', { zones: layerZones }],
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
    },
  },
  {
    // Tests assert behaviour, not wall-clock time: inject a clock or a sleep instead.
    files: ['__tests__/**/*.ts'],
    rules: {
      'no-restricted-properties': [
        'error',
        {
          object: 'Date',
          property: 'now',
          message: 'Tests do not read the wall clock: inject a clock or a sleep.',
        },
        {
          object: 'performance',
          property: 'now',
          message: 'Tests do not read the wall clock: inject a clock or a sleep.',
        },
      ],
    },
  },
  {
    // extract/ is post-processing below the plan: it may import engine/, net/ and common/ only.
    files: ['src/extract/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: '@actions/core',
              message: 'Only src/main.ts and src/action/ talk to the runner.',
            },
          ],
          patterns: [
            {
              group: [
                '**/plan/*',
                '**/artifactory/*',
                '**/input/*',
                '**/report/*',
                '**/action/*',
                '**/main.ts',
              ],
              message: 'extract/ imports only engine/, net/ and common/.',
            },
          ],
        },
      ],
    },
  },
  {
    // common/ is the bottom layer: it imports no other layer.
    files: ['src/common/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['../*/**', '!../common/**'],
              message: 'common/ imports no other layer.',
            },
          ],
        },
      ],
    },
  },
)
