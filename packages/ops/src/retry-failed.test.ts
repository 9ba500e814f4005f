import { afterAll, describe, expect, it } from 'vitest';
import { createOpsTestKit, eventsOf } from '../test/ops-test-kit.ts';
import { retryFailedJobs } from './retry-failed.ts';

const kit = createOpsTestKit();
afterAll(() => kit.close());

describe('retryFailedJobs', () => {
  it('re-queues failed jobs oldest first, up to the limit, and they complete once the cause is fixed', async () => {
    const queue = kit.queue('feed.dvpo');
    let databaseUp = false;
    const worker = kit.worker<{ n: number }>('feed.dvpo', async () => {
      if (!databaseUp) throw new Error('database unavailable');
      return 'stored';
    });
    await worker.waitUntilReady();

    const failed = eventsOf(worker, 'failed', 3);
    // One worker, one job at a time: they fail in the order they were added.
    for (const n of [1, 2, 3]) await queue.add('feed-batch', { n }, { jobId: `batch-${n}`, attempts: 1 });
    await failed;
    expect(await queue.getJobCounts('failed', 'completed')).toEqual({ failed: 3, completed: 0 });
    // Kept for people to inspect: the reason, and the stack of each failed attempt.
    for (const job of await queue.getFailed()) {
      expect(job.failedReason).toBe('database unavailable');
      expect(job.stacktrace).toHaveLength(1);
      expect(job.stacktrace?.[0]).toMatch(/^Error: database unavailable\n {4}at /);
    }

    databaseUp = true;
    const firstTwo = eventsOf(worker, 'completed', 2);
    expect(await retryFailedJobs(queue, { limit: 2 })).toEqual({
      retried: 2,
      jobIds: ['batch-1', 'batch-2'],
      skipped: [],
    });
    await firstTwo;
    expect(await queue.getJobCounts('failed', 'completed')).toEqual({ failed: 1, completed: 2 });
    // Attempts start again, so a retried job gets its full retries if it fails again.
    expect((await queue.getJob('batch-1'))?.attemptsMade).toBe(1);

    const rest = eventsOf(worker, 'completed', 1);
    expect(await retryFailedJobs(queue)).toEqual({ retried: 1, jobIds: ['batch-3'], skipped: [] });
    await rest;
    expect(await queue.getJobCounts('failed', 'completed')).toEqual({ failed: 0, completed: 3 });
    expect(await retryFailedJobs(queue)).toEqual({ retried: 0, jobIds: [], skipped: [] });
  });
});
