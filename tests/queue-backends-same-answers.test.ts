import { readFile } from 'node:fs/promises';
import { FEEDS } from '@rollcall/contract';
import { readAccounting } from '@rollcall/db';
import { simulateForceMonth } from '@rollcall/simulator';
import { QUEUE_BACKENDS } from '@rollcall/testing';
import { expect, test } from 'vitest';
import { PipelineHarness } from './support/pipeline-harness.ts';

const FORCE = 'avon-and-somerset';
const FIXTURE = new URL('./fixtures/snapshot-content-hashes.json', import.meta.url);

/**
 * Same answers on every queue backend (issue 18): the inputs of snapshot-content-hash.test.ts go
 * through Redis queues and through PostgreSQL queues, each into a database of its own, and both
 * publish the snapshot whose content hash was recorded there, with the same accounting.
 */
test('the same inputs through Redis queues and PostgreSQL queues publish the same snapshot, byte for byte', async () => {
  const events = simulateForceMonth({ forceId: FORCE, month: '2024-01', seed: 12, scale: 0.1 });
  const results: Record<string, { contentHash: string; entries: number; accounting: unknown }> = {};
  for (const queueBackend of QUEUE_BACKENDS) {
    const harness = await PipelineHarness.start({ queueBackend });
    try {
      for (const feed of FEEDS) await harness.offer(feed, events[feed]);
      await harness.drain();
      const outcome = await harness.publish(FORCE, '2024-01-31');
      results[queueBackend] = {
        contentHash: outcome.document.contentHash,
        entries: outcome.document.measures.length,
        accounting: await readAccounting(harness.db),
      };
    } finally {
      await harness.close();
    }
  }
  const recorded = JSON.parse(await readFile(FIXTURE, 'utf8')) as { contentHash: string; entries: number };
  expect(results.redis).toMatchObject({ contentHash: recorded.contentHash, entries: recorded.entries });
  expect(results.postgres).toEqual(results.redis);
}, 180_000);
