import { createPostgresBackend, Queue, QueueEvents, Worker } from 'bullmq';
import { expect, test } from 'vitest';
import { createTestQueueDatabase } from '../test/index.ts';

test('BullMQ 6 runs a queue, a worker and queue events on PostgreSQL, in a schema of its own', async () => {
  const database = await createTestQueueDatabase();
  const connection = { connectionString: database.url, schema: 'spike_queues', migrate: true, max: 2 };
  const queue = new Queue('spike', { connection }, createPostgresBackend);
  const events = new QueueEvents('spike', { connection }, createPostgresBackend);
  const worker = new Worker(
    'spike',
    async (job) => (job.data as { n: number }).n * 2,
    { connection },
    createPostgresBackend,
  );
  try {
    await Promise.all([queue.waitUntilReady(), events.waitUntilReady(), worker.waitUntilReady()]);
    const job = await queue.add('double', { n: 21 });
    expect(await job.waitUntilFinished(events, 10_000)).toBe(42);
    expect(await queue.getJobCounts('completed', 'waiting', 'failed')).toEqual({ completed: 1, waiting: 0, failed: 0 });
    // Another schema is another namespace: the same queue name there holds nothing.
    const elsewhere = new Queue(
      'spike',
      { connection: { ...connection, schema: 'spike_other' } },
      createPostgresBackend,
    );
    expect(await elsewhere.getJobCounts('completed')).toEqual({ completed: 0 });
    await elsewhere.close();
  } finally {
    await worker.close();
    await events.close();
    await queue.close();
    await database.destroy();
  }
}, 30_000);
