import { defineConfig } from 'vitest/config';

/**
 * End-to-end files that go through the feed queues by `PipelineHarness` (or its service
 * environment) without naming a backend: run a second time with every queue in PostgreSQL
 * (issue 18), beside the run on Redis. Files that run on both backends by `describe.each`
 * (worker-crash, cli-end-to-end, the queue and scheduler tests) or that test Redis itself (proxies
 * cutting Redis, Sentinel, Cluster, raw producers writing Redis keys) are not repeated.
 */
const ON_POSTGRES_QUEUES = [
  'tests/fuzzed-events.test.ts',
  'tests/order-independence.test.ts',
  'tests/police-uk-import.test.ts',
  'tests/published-comparisons.test.ts',
  'tests/publishing-outbox.test.ts',
  'tests/replay.test.ts',
  'tests/revision-visible.test.ts',
  'tests/snapshot-measures.test.ts',
];

/**
 * One run over every package, service and the end-to-end suite. Test files that need PostgreSQL or
 * Redis get their own database (cloned from a migrated template) and queue prefix through
 * `@rollcall/testing`, so files run in parallel without seeing each other.
 */
export default defineConfig({
  test: {
    globalSetup: ['packages/testing/src/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // A worker keeps its modules from one file to the next instead of importing them afresh for
    // each: importing was half of every file's time (packages/api: 1.3 s a file, 24 of its 58 s).
    // Measured on the whole suite on this 2-core machine: 538 s isolated, 348 s not, every test
    // passing in both. Safe because nothing a file owns lives in module state: its database and
    // queue prefix come from `createTestDatabase()` / `createTestRedis()` (a random name per call),
    // and a file that changes the environment undoes it (`vi.stubEnv`, `vi.unstubAllEnvs`). The
    // two projects never share a worker, so `queues-on-postgres` keeps its own environment.
    isolate: false,
    reporters: ['default'],
    projects: [
      {
        extends: true,
        test: {
          name: 'rollcall',
          include: [
            'packages/*/src/**/*.test.ts',
            'services/*/src/**/*.test.ts',
            'tooling/*/src/**/*.test.ts',
            'tests/**/*.test.ts',
          ],
        },
      },
      {
        extends: true,
        test: {
          name: 'queues-on-postgres',
          include: ON_POSTGRES_QUEUES,
          env: { ROLLCALL_TEST_QUEUE_BACKEND: 'postgres' },
        },
      },
    ],
  },
});
