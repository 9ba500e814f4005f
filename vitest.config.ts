import { defineConfig } from 'vitest/config';

/**
 * One run over every package, service and the end-to-end suite. Test files that need PostgreSQL or
 * Redis get their own database (cloned from a migrated template) and queue prefix through
 * `@rollcall/testing`, so files run in parallel without seeing each other.
 */
export default defineConfig({
  test: {
    include: [
      'packages/*/src/**/*.test.ts',
      'services/*/src/**/*.test.ts',
      'tooling/*/src/**/*.test.ts',
      'tests/**/*.test.ts',
    ],
    globalSetup: ['packages/testing/src/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    reporters: ['default'],
  },
});
