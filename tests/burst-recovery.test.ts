import type { QueueThresholds } from '@rollcall/config';
import { exampleEvent } from '@rollcall/contract';
import { readAccounting, readDailyAggregates } from '@rollcall/db';
import { collectQueueHealth } from '@rollcall/ops';
import { test } from '@rollcall/store/worker-fixture';
import { describe, expect } from 'vitest';
import { accountingTotals } from './support/accounting-totals.ts';

/**
 * Issue 19: a burst above what the workers take degrades smoothly. The backlog grows and
 * `rollcall status` (the queue health it reports) warns; nothing fails or is retried; once the
 * burst is over the queue drains by itself and the health is ok again.
 */

/** The defaults but for the backlog, which a test-sized burst must cross. */
const thresholds: QueueThresholds = {
  lagWarnSeconds: 120,
  lagCriticalSeconds: 300,
  backlogWarn: 20,
  backlogCritical: 100_000,
  failedWarn: 1,
  failedCritical: 100,
};

const call = (id: string) =>
  exampleEvent('call.presented', {
    eventId: `${id}-p`,
    occurredAt: '2022-03-04T09:00:00Z',
    payload: { callId: id, btTransferSeconds: 2 },
  });

describe('a burst above capacity', () => {
  test('grows the backlog and makes status warn, fails nothing, and recovers by itself', async ({
    database,
    feedQueues,
  }) => {
    const queue = feedQueues.factory.queue('feed.call-handling');
    // 80 jobs of 100 in one go: far more than the workers (holding at most 20 jobs) take at once.
    const jobs = await queue.addBulk(
      Array.from({ length: 80 }, (_, j) => ({
        name: 'feed-batch',
        data: { events: Array.from({ length: 100 }, (_, i) => call(`burst-${j}-${i}`)) },
      })),
    );

    const [during] = await collectQueueHealth([queue], { thresholds });
    expect(during?.backlog).toBeGreaterThanOrEqual(thresholds.backlogWarn);
    expect(during?.status).toBe('warn');
    expect(during?.reasons).toContainEqual(
      expect.stringMatching(/^backlog is \d+ jobs waiting, delayed or prioritized \(warn at 20\)$/),
    );

    await feedQueues.drain();
    const [after] = await collectQueueHealth([queue], { thresholds });
    expect(after).toMatchObject({ backlog: 0, status: 'ok', reasons: [], counts: { failed: 0, completed: 80 } });
    // Nothing was retried: each job completed on its first attempt, with its own counts.
    for (const job of jobs) {
      const finished = await queue.getJob(job.id!);
      expect([finished?.attemptsMade, finished?.returnvalue]).toEqual([
        1,
        { offered: 100, stored: 100, duplicate: 0, rejected: 0, staleSnapshotHeads: 0 },
      ]);
    }
    expect(accountingTotals(await readAccounting(database.db))).toMatchObject({ offered: 8_000, stored: 8_000 });
    const presented = (await readDailyAggregates(database.db)).find((row) => row.metric === 'calls.presented');
    expect(presented?.value).toBe(8_000);
  });
});
