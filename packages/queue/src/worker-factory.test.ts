import { createSilentLogger } from '@rollcall/logger';
import {
  createTestQueueDatabase,
  createTestRedis,
  QUEUE_BACKENDS,
  type TestQueueDatabase,
  testQueueConnection,
} from '../test/index.ts';
import { once } from 'node:events';
import { type Job, Worker } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeQueueConnection, type QueueConnection, readJobFields, workerBackend } from './queue-backend.ts';
import { QueueFactory } from './queue-factory.ts';
import { NIGHTLY_QUEUE } from './queue-names.ts';
import { createRedisConnection } from './redis-connection.ts';
import { createWorker } from './worker-factory.ts';

const redis = createTestRedis();
const log = createSilentLogger();
afterAll(() => redis.destroy());

// Redelivery after a worker's death and unrecoverable jobs, on both queue backends (issue 18).
describe.each(QUEUE_BACKENDS)('on %s queues', (queueBackend) => {
  let database: TestQueueDatabase | undefined;
  let producer: QueueConnection;
  let workerConnection: QueueConnection;
  let queues: QueueFactory;
  beforeAll(async () => {
    database = queueBackend === 'postgres' ? await createTestQueueDatabase() : undefined;
    producer = testQueueConnection(queueBackend, redis, database?.url ?? '', 'producer');
    workerConnection = testQueueConnection(queueBackend, redis, database?.url ?? '', 'worker');
    queues = new QueueFactory({ connection: producer, prefix: redis.prefix, log });
  });
  afterAll(async () => {
    await queues.close();
    await closeQueueConnection(producer);
    await closeQueueConnection(workerConnection);
    await database?.destroy();
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
        const stray = await queues
          .queue(NIGHTLY_QUEUE)
          .add('nightly-rerun', { trigger: 'manual' }, { jobId: 'stray', attempts: 5 });
        await expect(stray.waitUntilFinished(listener.events, 10_000)).rejects.toThrow(
          'no handler for job "nightly-rerun" on queue scheduler.nightly',
        );
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

  describe('createWorker and jobs whose worker dies', () => {
    /**
     * As a worker SIGKILLed mid-job leaves it: the job taken (active, locked for `lockMs`) by a
     * worker that will never renew the lock nor finish it.
     */
    async function takeAndDie(name: string, lockMs: number): Promise<string | undefined> {
      const backend = workerBackend(workerConnection, redis.prefix, 1);
      const dying = new Worker(
        name,
        null,
        { ...backend.options, lockDuration: lockMs, autorun: false },
        backend.factory as never,
      );
      dying.on('error', () => undefined);
      try {
        const taken = await dying.getNextJob('dead-worker-token', { block: false });
        return taken?.id;
      } finally {
        // Closing a worker that processes nothing itself leaves the taken job's lock to expire.
        await dying.close();
      }
    }

    /**
     * A worker of `name` with only its stalled checker running, as in a deployment whose other
     * workers are busy: each death is found by it and the job handed back to wait. `die(jobId, n)`
     * has the job taken and its worker killed n times; `run()` then processes what is left.
     */
    async function survivorOf(name: string, lockMs: number) {
      const listener = queues.events(name);
      const ran: string[] = [];
      const worker = createWorker(name, async (job) => ran.push(job.id!), {
        connection: workerConnection,
        prefix: redis.prefix,
        log,
        concurrency: 1,
        lockDurationMs: lockMs,
        autorun: false,
      });
      await Promise.all([worker.waitUntilReady(), listener.events.waitUntilReady()]);
      await worker.startStalledCheckTimer();
      return {
        events: listener.events,
        ran,
        async die(jobId: string, deaths: number): Promise<void> {
          for (let death = 0; death < deaths; death++) {
            const stalled = once(worker, 'stalled');
            expect(await takeAndDie(name, lockMs)).toBe(jobId);
            expect((await stalled)[0]).toBe(jobId);
          }
        },
        run: () => void worker.run(),
        close: async () => {
          await worker.close();
          await listener.close();
        },
      };
    }

    it('takes a large job over after its worker is SIGKILLed twice, and completes it on its one attempt', async () => {
      const name = 'test.stalls-twice';
      const survivor = await survivorOf(name, 200);
      try {
        const large = await queues.queue(name).add('batch', { n: 1 }, { jobId: 'large', attempts: 1 });
        await survivor.die('large', 2);
        survivor.run();
        expect(await large.waitUntilFinished(survivor.events, 5_000)).toBe(1);
        expect(await readJobFields(queues.queue(name), ['large'], ['stc', 'atm'])).toEqual([['2', '1']]);
        expect(survivor.ran).toEqual(['large']);
      } finally {
        await survivor.close();
      }
    });

    it("fails a job at its 4th worker death with BullMQ's reason, instead of handing it round for ever", async () => {
      const name = 'test.stalls-four-times';
      const survivor = await survivorOf(name, 200);
      try {
        const doomed = await queues.queue(name).add('batch', { n: 2 }, { jobId: 'doomed', attempts: 5 });
        await survivor.die('doomed', 4);
        survivor.run();
        await expect(doomed.waitUntilFinished(survivor.events, 5_000)).rejects.toThrow(
          'job stalled more than allowable limit',
        );
        expect(await readJobFields(queues.queue(name), ['doomed'], ['stc', 'failedReason'])).toEqual([
          ['4', 'job stalled more than allowable limit'],
        ]);
        expect(survivor.ran).toEqual([]);
      } finally {
        await survivor.close();
      }
    });

    it("renews a job's lock four times per lock period, so a busy event loop of up to 3/4 of it keeps the job", async () => {
      const worker = createWorker('test.lock-renewal', async () => undefined, {
        connection: workerConnection,
        prefix: redis.prefix,
        log,
        concurrency: 1,
        lockDurationMs: 30_000,
        autorun: false,
      });
      try {
        expect({
          lockDuration: worker.opts.lockDuration,
          lockRenewTime: worker.opts.lockRenewTime,
          stalledInterval: worker.opts.stalledInterval,
          maxStalledCount: worker.opts.maxStalledCount,
        }).toEqual({
          lockDuration: 30_000,
          lockRenewTime: 7_500,
          stalledInterval: 30_000,
          maxStalledCount: 3,
        });
      } finally {
        // Awaited: on PostgreSQL queues a worker still connecting when afterAll drops the
        // database had its connection terminated under it, an uncaught error in this file.
        await worker.close();
      }
    });
  });
});

/** Queue names outside the catalog, one per test: the tests of queue mechanics take bare processors. */
/**
 * Redis only: BullMQ keeps a job's data there as text that anything can overwrite. On PostgreSQL the
 * data column is jsonb, so a job whose data is not JSON cannot exist there.
 */
describe('createWorker and a job whose data is not JSON (Redis)', () => {
  const producer = createRedisConnection(redis.url, { role: 'producer' });
  const workerConnection = createRedisConnection(redis.url, { role: 'worker' });
  const queues = new QueueFactory({ connection: producer, prefix: redis.prefix, log });
  afterAll(async () => {
    await queues.close();
    producer.disconnect();
    workerConnection.disconnect();
  });

  it('fails the job on its first delivery, naming why, without running the processor or stalling it', async () => {
    const name = 'test.poison';
    const ran: unknown[] = [];
    const stalls: string[] = [];
    const queue = queues.queue(name);
    const job = await queue.add('anything', { events: [] }, { jobId: 'poison', attempts: 5 });
    // As a corrupted key, a foreign producer or a hand edit leaves it: BullMQ's Job.fromJSON
    // throws on it in every worker that takes the job.
    await producer.hset(`${redis.prefix}:${name}:poison`, 'data', '{not json');
    const listener = queues.events(name);
    // A short lock, so that the old behaviour (the job left active, found stalled, taken again,
    // for ever) would show within this test's wait.
    const worker = createWorker(name, async (taken) => ran.push(taken.data), {
      connection: workerConnection,
      prefix: redis.prefix,
      log,
      concurrency: 1,
      lockDurationMs: 300,
    });
    worker.on('stalled', (jobId) => stalls.push(jobId));
    try {
      await listener.events.waitUntilReady();
      await expect(job.waitUntilFinished(listener.events, 5_000)).rejects.toThrow(
        /^job data is not JSON \(Expected property name or '}' in JSON at position 1.*\): failed without running; the stored data is kept for inspection$/,
      );
      const fields = await producer.hmget(`${redis.prefix}:${name}:poison`, 'data', 'atm', 'stc');
      expect({
        state: await queue.getJobState('poison'),
        data: fields[0],
        attemptsMade: fields[1],
        stalls: fields[2],
        ran,
        stalled: stalls,
      }).toEqual({
        state: 'failed',
        data: '{not json',
        attemptsMade: '1',
        stalls: null,
        ran: [],
        stalled: [],
      });
    } finally {
      await worker.close();
      await listener.close();
    }
  });
});
