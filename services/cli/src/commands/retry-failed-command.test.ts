import { createSilentLogger } from '@rollcall/logger';
import {
  ALL_QUEUE_NAMES,
  closeQueueConnection,
  createWorker,
  type QueueConnection,
  QueueFactory,
  waitForQueueConnection,
} from '@rollcall/queue';
import {
  createTestDatabase,
  createTestRedis,
  QUEUE_BACKENDS,
  type TestDatabase,
  type TestRedis,
  testQueueConnection,
} from '@rollcall/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { capturedIo } from '../captured-io.ts';
import { runCli } from '../run-cli.ts';

let test: TestDatabase;
let redis: TestRedis;
let producer: QueueConnection;
let queues: QueueFactory;
let env: Record<string, string>;

async function retryFailed(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const io = capturedIo(env);
  const code = await runCli(['retry-failed', ...args], io);
  return { code, ...io.output() };
}

// On both queue backends (issue 18).
describe.each(QUEUE_BACKENDS)('on %s queues', (queueBackend) => {
  beforeAll(async () => {
    test = await createTestDatabase();
    redis = createTestRedis();
    producer = testQueueConnection(queueBackend, redis, test.url, 'producer');
    await waitForQueueConnection(producer);
    queues = new QueueFactory({ connection: producer, prefix: redis.prefix, log: createSilentLogger() });
    env = {
      DATABASE_URL: test.url,
      REDIS_URL: redis.url,
      QUEUE_PREFIX: redis.prefix,
      QUEUE_BACKEND: queueBackend,
      LOG_LEVEL: 'silent',
    };
  });
  afterAll(async () => {
    await queues?.queue('feed.dvpo').obliterate({ force: true });
    await queues?.close();
    if (producer) await closeQueueConnection(producer);
    await redis?.destroy();
    await test?.destroy();
  });

  describe('rollcall retry-failed', () => {
    beforeAll(async () => {
      // Three jobs that used up their (one) attempt, failing in the order they were added.
      const connection = testQueueConnection(queueBackend, redis, test.url, 'worker');
      const worker = createWorker(
        'feed.dvpo',
        {
          'feed-batch': async () => {
            throw new Error('database unavailable');
          },
        },
        { connection, prefix: redis.prefix, concurrency: 1, log: createSilentLogger() },
      );
      let failures = 0;
      const failed = new Promise<void>((resolve) =>
        worker.on('failed', () => {
          if (++failures === 3) resolve();
        }),
      );
      for (const n of [1, 2, 3])
        await queues.queue('feed.dvpo').add('feed-batch', { eventId: `e-${n}` }, { jobId: `batch-${n}`, attempts: 1 });
      await failed;
      await worker.close();
      await closeQueueConnection(connection);
    });

    it('re-queues the oldest failures up to --limit, then the rest, and says so on one line each time', async () => {
      const queue = queues.queue('feed.dvpo');
      expect(await retryFailed('--queue', 'feed.dvpo', '--limit', '2')).toEqual({
        code: 0,
        stdout: 'feed.dvpo: re-queued 2 failed job(s) (batch-1, batch-2)\n',
        stderr: '',
      });
      expect(await queue.getJobCounts('failed', 'waiting')).toEqual({ failed: 1, waiting: 2 });
      expect(await retryFailed('--queue', 'feed.dvpo')).toEqual({
        code: 0,
        stdout: 'feed.dvpo: re-queued 1 failed job(s) (batch-3)\n',
        stderr: '',
      });
      expect(await retryFailed('--queue', 'feed.dvpo')).toEqual({
        code: 0,
        stdout: 'feed.dvpo: re-queued 0 failed job(s)\n',
        stderr: '',
      });
      expect(await queue.getJobCounts('failed', 'waiting')).toEqual({ failed: 0, waiting: 3 });
      // Attempts start again from zero: each job gets its full retries.
      expect((await queue.getJob('batch-1'))?.attemptsMade).toBe(0);
    });

    it('refuses an unknown queue, a missing one or a bad limit with exit 2 and a one-line reason', async () => {
      const names = ALL_QUEUE_NAMES.join(', ');
      expect(await retryFailed('--queue', 'feed.traffic')).toEqual({
        code: 2,
        stdout: '',
        stderr: `rollcall --queue must be one of ${names} (got "feed.traffic")\n`,
      });
      expect(await retryFailed()).toEqual({
        code: 2,
        stdout: '',
        stderr: `rollcall --queue must be one of ${names}\n`,
      });
      expect(await retryFailed('--queue', 'feed.dvpo', '--limit', '0')).toEqual({
        code: 2,
        stdout: '',
        stderr: 'rollcall --limit must be a positive whole number (got "0")\n',
      });
      expect(await retryFailed('--queue', 'feed.dvpo', '--all')).toMatchObject({ code: 2, stdout: '' });
    });
  });
});
