import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['__tests__/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    clearMocks: true,
    reporters: ['default', './scripts/count-reporter.ts'],
    // `npm run coverage`. Counts the code the tests run in-process: the end-to-end tests run
    // the bundle in a child process, which V8 coverage of this process does not see.
    coverage: {
      provider: 'v8',
      include: ['src/**/*.ts'],
      reporter: ['text-summary', 'text', 'html'],
    },
  },
})
