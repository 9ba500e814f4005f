import { loadConfig } from '@rollcall/config';
import { createSilentLogger } from '@rollcall/logger';
import { createWorker, PostgresQueueStore, QueueFactory, queueSchemaFor } from '@rollcall/queue';
import { createTestDatabase, type TestDatabase } from '@rollcall/testing';
import { UnrecoverableError } from 'bullmq';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createMetricsRegistry } from './metrics-registry.ts';
import { collectStatusReport } from './pipeline-status.ts';
import { stalledRecorderFor } from './stalled-counter.ts';

const log = createSilentLogger();
const prefix = 'ops-pgq';
let database: TestDatabase;
let store: PostgresQueueStore;
let queues: QueueFactory;
beforeAll(async () => {
  database = await createTestDatabase();
  store = new PostgresQueueStore(database.url, queueSchemaFor(prefix));
  await store.waitUntilReady(10_000);
  queues = new QueueFactory({ connection: store, prefix, log });
});
afterAll(async () => {
  await queues.close();
  await store.close();
  await database.destroy();
});

/**
 * Issue 18: with the queues in PostgreSQL, what reads them for an operator answers as on Redis:
 * the Prometheus gauges, the status report with a failed job named and its reason, and the
 * stalled-job counter (kept in pipeline markers there, shared by every process).
 */
test('metrics, status and the stalled counter read PostgreSQL queues', async () => {
  const worker = createWorker(
    'feed.dvpo',
    {
      'feed-batch': async (job) => {
        if ((job.data as { n: number }).n === 2) throw new UnrecoverableError('database unavailable');
        return 'stored';
      },
    },
    { connection: store, prefix, log, concurrency: 1 },
  );
  const listener = queues.events('feed.dvpo');
  try {
    await Promise.all([worker.waitUntilReady(), listener.events.waitUntilReady()]);
    const done = await queues.queue('feed.dvpo').add('feed-batch', { n: 1 }, { jobId: 'batch-1' });
    const failing = await queues.queue('feed.dvpo').add('feed-batch', { n: 2 }, { jobId: 'batch-2' });
    expect(await done.waitUntilFinished(listener.events, 10_000)).toBe('stored');
    await expect(failing.waitUntilFinished(listener.events, 10_000)).rejects.toThrow('database unavailable');

    const stalled = stalledRecorderFor(store, database.db, prefix);
    expect(await stalled.record('feed.dvpo', 'batch-1')).toBe(1);
    expect(await stalled.record('feed.dvpo', 'batch-1')).toBe(2);
    expect(await stalled.count('feed.dvpo')).toBe(2);

    const metrics = createMetricsRegistry({ queues: [queues.queue('feed.dvpo')], db: database.db, log, stalled });
    const text = await metrics.registry.metrics();
    expect(text).toContain('rollcall_queue_jobs{queue="feed.dvpo",state="completed"} 1');
    expect(text).toContain('rollcall_queue_jobs{queue="feed.dvpo",state="failed"} 1');
    expect(text).toContain('rollcall_queue_jobs{queue="feed.dvpo",state="waiting"} 0');
    expect(text).toContain('rollcall_queue_stalled_total{queue="feed.dvpo"} 2');
    // No read failed: the scrape-error counter has no sample at all.
    expect(text).not.toMatch(/^rollcall_metrics_scrape_errors_total\{/m);

    const report = await collectStatusReport({
      queues: [queues.queue('feed.dvpo')],
      db: database.db,
      // The defaults an operator gets: the same rules as on Redis queues.
      thresholds: loadConfig({}).queueThresholds,
      deadManHours: 26,
      stalled,
    });
    const [dvpo] = report.queues;
    expect(dvpo).toMatchObject({
      queue: 'feed.dvpo',
      counts: { completed: 1, failed: 1, waiting: 0, active: 0 },
      stalledSeen: 2,
      workers: 1,
      status: 'warn',
      recentFailures: [{ jobId: 'batch-2', name: 'feed-batch', attemptsMade: 1, reason: 'database unavailable' }],
    });
    expect(dvpo?.processingTime.sampled).toBe(1);
    // No Redis epoch to watch: the report has no redis check at all.
    expect(report).not.toHaveProperty('redis');
  } finally {
    await worker.close();
    await listener.close();
  }
});
