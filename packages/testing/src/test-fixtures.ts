import { test as base } from 'vitest';
import { createTestDatabase } from '@rollcall/db/testing';
import { createTestRedis } from '@rollcall/queue/testing';

/**
 * vitest's `test`, with the resources every integration test needs as file-scoped fixtures: made
 * on first use in a file, shared by its tests, cleaned up when the file ends, so a test file says
 * what it uses instead of repeating `beforeAll`/`afterAll` wiring. Packages extend it with their
 * own (`@rollcall/store/worker-fixture`: running feed workers and a producer).
 *
 *   import { test } from '@rollcall/testing';
 *   test('stores an event', async ({ database }) => { ... database.db ... });
 *
 * - `database`: a migrated database of the file's own (cloned from the run's template), dropped after.
 * - `queuePrefix`: a Redis queue prefix of the file's own; its keys are deleted after.
 */
// vitest reads which fixtures a fixture uses from its first parameter's destructuring: `{}` is none.
/* eslint-disable no-empty-pattern */
export const test = base
  .extend('database', { scope: 'file' }, async ({}, { onCleanup }) => {
    const database = await createTestDatabase();
    onCleanup(() => database.destroy());
    return database;
  })
  .extend('queuePrefix', { scope: 'file' }, async ({}, { onCleanup }) => {
    const redis = createTestRedis();
    onCleanup(() => redis.destroy());
    return redis;
  });
