import { createSilentLogger } from '@rollcall/logger';
import { createTestRedis } from '@rollcall/testing';
import type { Job } from 'bullmq';
import { afterAll, describe, expect, it } from 'vitest';
import { QueueFactory } from './queue-factory.ts';
import { NIGHTLY_QUEUE } from './queue-names.ts';
import { createRedisConnection } from './redis-connection.ts';
import { createWorker } from './worker-factory.ts';

const redis = createTestRedis();
const log = createSilentLogger();
const producer = createRedisConnection(redis.url, { role: 'producer' });
const workerConnection = createRedisConnection(redis.url, { role: 'worker' });
const queues = new QueueFactory({ connection: producer, prefix: redis.prefix, log });
afterAll(async () => {
  await queues.close();
  producer.disconnect();
  workerConnection.disconnect();
  await redis.destroy();
});

describe('createWorker on a queue of the catalog', () => {
  it('runs the handler of each job name, and fails a job of a name the queue does not carry without retrying it', async () => {
    const seen: string[] = [];
    const worker = createWorker(
      NIGHTLY_QUEUE,
      {
        'nightly-run': async (job: Job<unknown, string, 'nightly-run'>) => {
          seen.push(`${job.name} ${JSON.stringify(job.data)}`);
          return 'ran';
        },
      },
      { connection: workerConnection, prefix: redis.prefix, log, concurrency: 1 },
    );
    const listener = queues.events(NIGHTLY_QUEUE);
    try {
      await Promise.all([worker.waitUntilReady(), listener.events.waitUntilReady()]);
      await queues.add('nightly-run', NIGHTLY_QUEUE, { trigger: 'manual' }, { jobId: 'known' });
      const known = await queues.queue(NIGHTLY_QUEUE).getJob('known');
      expect(await known!.waitUntilFinished(listener.events, 10_000)).toBe('ran');

      // Added behind the catalog's back, as another producer could.
      const stray = await queues.queue(NIGHTLY_QUEUE).add('nightly-rerun', { trigger: 'manual' }, { jobId: 'stray', attempts: 5 });
      await expect(stray.waitUntilFinished(listener.events, 10_000)).rejects.toThrow('no handler for job "nightly-rerun" on queue scheduler.nightly');
      const failed = await queues.queue(NIGHTLY_QUEUE).getJob('stray');
      // Unrecoverable: one attempt of the five, failed at once.
      expect(failed?.attemptsMade).toBe(1);
      expect(await failed?.getState()).toBe('failed');
      expect(seen).toEqual(['nightly-run {"trigger":"manual"}']);
    } finally {
      await worker.close();
      await listener.close();
    }
  });
});
