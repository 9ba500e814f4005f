import { test as base } from 'vitest';
import { type ApiTestKit, createApiTestKit, publishExamples, type PublishedExamples } from './api-test-kit.ts';

/**
 * vitest's `test` with an API client as file-scoped fixtures (as `@rollcall/testing`'s `database`
 * and `queuePrefix`): made on first use in a file, shared by its tests, closed when the file ends.
 *
 * - `api`: an API over a database and queue prefix of the file's own, with a token per scope set
 *   (`api.bearer('reader')`); requests go through `api.app.inject`.
 * - `published`: the example snapshots (`publishExamples`: March r1 and r2, April) published in
 *   the file's database, for tests that read snapshots.
 */
// vitest reads which fixtures a fixture uses from its first parameter's destructuring: `{}` is none.
/* eslint-disable no-empty-pattern */
export const test = base
  .extend('api', { scope: 'file' }, async ({}, { onCleanup }): Promise<ApiTestKit> => {
    const kit = await createApiTestKit();
    onCleanup(() => kit.close());
    return kit;
  })
  .extend('published', { scope: 'file' }, async ({ api }): Promise<PublishedExamples> => publishExamples(api.db));
