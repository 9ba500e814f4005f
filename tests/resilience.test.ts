import { createCalendar } from '@rollcall/calendar';
import { loadConfig } from '@rollcall/config';
import { createDatabase, readAccounting } from '@rollcall/db';
import { buildApi } from '@rollcall/api';
import { createFeedWorkers, replayAggregates } from '@rollcall/store';
import { testIngestContext } from '@rollcall/testing';
import { createLogger, createSilentLogger } from '@rollcall/logger';
import { createRedisConnection, feedQueueName, QueueFactory, waitForRedisReady } from '@rollcall/queue';
import type { Worker } from 'bullmq';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { answeredCalls } from './support/call-events.ts';
import { resetPipelineTables } from './support/derived-state.ts';
import { PipelineHarness } from './support/pipeline-harness.ts';
import { TcpProxy, viaProxy } from './support/tcp-proxy.ts';

const QUEUE = feedQueueName('call-handling');
let harness: PipelineHarness;
const cleanups: (() => Promise<unknown> | unknown)[] = [];

beforeEach(async () => {
  harness ??= await PipelineHarness.start({ startWorkers: false });
  await resetPipelineTables(harness.db);
  await harness.queues.queue(QUEUE).obliterate({ force: true });
});
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  await harness.stopWorkers();
});
afterAll(async () => {
  await harness?.close();
});

const accounting = async () => (await readAccounting(harness.db)).find((row) => row.feed === 'call-handling');
const storedEvents = async () =>
  Number(
    (
      await harness.db
        .selectFrom('events')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );

/** Resolves once `emitter` has emitted `event` `count` times from now. */
function eventsOf(
  emitter: { on(event: string, listener: () => void): unknown },
  event: string,
  count: number,
): Promise<void> {
  return new Promise((resolve) => {
    let seen = 0;
    emitter.on(event, () => {
      if (++seen === count) resolve();
    });
  });
}

/** Resolves on the next occurrence of a QueueEvents event on the call-handling queue. */
async function nextQueueEvent(name: 'active' | 'completed' | 'delayed') {
  const listener = harness.queues.events(QUEUE);
  cleanups.push(() => listener.close());
  await listener.events.waitUntilReady();
  return new Promise<{ jobId: string }>((resolve) =>
    listener.events.once(name, (event: unknown) => resolve(event as { jobId: string })),
  );
}

describe('graceful shutdown with jobs in flight', () => {
  it('finishes the jobs it holds, takes no new one, and the next worker does the rest: nothing lost, nothing twice', async () => {
    await harness.offerEvents(answeredCalls(5_000), 500); // 20 jobs of 500 events
    const active = nextQueueEvent('active');
    harness.startWorkers(2);
    await active;
    await harness.stopWorkers(); // worker.close(): waits for in-flight jobs, fetches no more
    const {
      active: inFlight = -1,
      waiting = -1,
      completed = -1,
      failed = -1,
    } = await harness.queues.queue(QUEUE).getJobCounts('active', 'waiting', 'completed', 'failed');
    expect(inFlight).toBe(0);
    expect(failed).toBe(0);
    expect(completed).toBeGreaterThanOrEqual(1);
    expect(completed + waiting).toBe(20);
    expect(await storedEvents()).toBe(completed * 500);

    harness.startWorkers(2);
    await harness.drain();
    expect(await accounting()).toMatchObject({ stored: 10_000, duplicate: 0, rejected: 0 });
    expect(await storedEvents()).toBe(10_000);
  });
});

describe('a worker that loses Redis', () => {
  it('waits through an outage of several reconnection attempts, /ready says so, and it resumes by itself', async () => {
    const proxy = await TcpProxy.start('127.0.0.1', Number(new URL(harness.redis.url).port || 6379));
    cleanups.push(() => proxy.close());
    const viaRedisProxy = viaProxy(harness.redis.url, proxy);
    const connection = createRedisConnection(viaRedisProxy, { role: 'worker' });
    cleanups.push(() => connection.disconnect());
    // The API's producer connection, through the same proxy: /ready pings it.
    const producer = createRedisConnection(viaRedisProxy, { role: 'producer' });
    cleanups.push(() => producer.disconnect());
    await waitForRedisReady(producer);
    const log = createSilentLogger();
    const api = buildApi({
      db: harness.db,
      queues: new QueueFactory({ connection: producer, prefix: harness.redis.prefix, log }),
      queueConnection: producer,
      config: loadConfig({
        DATABASE_URL: harness.database.url,
        REDIS_URL: viaRedisProxy,
        QUEUE_PREFIX: harness.redis.prefix,
      }),
      log,
      readinessTimeoutMs: 500,
    });
    cleanups.push(() => api.close());
    const ready = async () => {
      const response = await api.inject({ method: 'GET', url: '/ready' });
      return { status: response.statusCode, message: (response.json() as { message?: string }).message ?? null };
    };
    const workers: Worker[] = createFeedWorkers({
      db: harness.db,
      connection,
      prefix: harness.redis.prefix,
      context: testIngestContext(),
      concurrency: 2,
      log,
      feeds: ['call-handling'],
    });
    cleanups.push(() => Promise.all(workers.map((worker) => worker.close())));

    await harness.offerEvents(answeredCalls(200, 'before'));
    await harness.drain();
    expect(await ready()).toEqual({ status: 200, message: null });

    // Three reconnection attempts refused: with the worker role's growing pause (0.5, 1, 2 s),
    // an outage of about 3.5 s, not a blip the first retry hides.
    const attempts = eventsOf(connection, 'reconnecting', 3);
    proxy.cut();
    await attempts;
    await harness.offerEvents(answeredCalls(300, 'during')); // added straight to Redis while the worker is cut off
    expect((await harness.queues.queue(QUEUE).getJobCounts('waiting')).waiting).toBe(1);
    expect(await ready()).toEqual({ status: 503, message: 'not ready: redis (Redis did not answer PING)' });
    expect(connection.status).not.toBe('ready');

    const back = Promise.all([eventsOf(connection, 'ready', 1), eventsOf(producer, 'ready', 1)]);
    proxy.restore();
    await back;
    expect(await ready()).toEqual({ status: 200, message: null });
    await harness.drain();
    expect(await accounting()).toMatchObject({ stored: 1_000, duplicate: 0, rejected: 0 });
    expect((await harness.queues.queue(QUEUE).getJobCounts('failed')).failed).toBe(0);
  });
});

describe('PostgreSQL going away during ingest', () => {
  it('hands jobs back without using an attempt for as long as the outage lasts, and completes every one when the database is back', async () => {
    const proxy = await TcpProxy.start('127.0.0.1', Number(new URL(harness.database.url).port || 5432));
    cleanups.push(() => proxy.close());
    const db = createDatabase(viaProxy(harness.database.url, proxy), { maxConnections: 2 });
    cleanups.push(() => db.destroy());
    const connection = createRedisConnection(harness.redis.url, { role: 'worker' });
    cleanups.push(() => connection.disconnect());
    // The workers' log, read for the gate's failed probes.
    const failedProbes: number[] = [];
    let onProbe = () => undefined as void;
    const log = createLogger({
      service: 'test',
      level: 'debug',
      destination: {
        write(line: string) {
          const entry = JSON.parse(line) as { msg?: string; probes?: number };
          if (entry.msg === 'PostgreSQL still unreachable' && entry.probes !== undefined) {
            failedProbes.push(entry.probes);
            onProbe();
          }
        },
      },
    });
    const probesFailed = (count: number) =>
      new Promise<void>((resolve) => {
        onProbe = () => {
          if (failedProbes.length >= count) resolve();
        };
      });

    proxy.cut();
    const workers = createFeedWorkers({
      db,
      connection,
      prefix: harness.redis.prefix,
      context: testIngestContext(),
      concurrency: 2,
      log,
      feeds: ['call-handling'],
      // Probes 20 ms apart, doubling to 40 ms: eight of them outlast the jobs' whole retry budget.
      databaseProbe: { initialDelayMs: 20, maxDelayMs: 40 },
    });
    cleanups.push(() => Promise.all(workers.map((worker) => worker.close())));
    const paused = eventsOf(workers[0]!, 'paused', 1);
    const eightFailed = probesFailed(8);
    // A retry budget of 2 attempts 10 ms apart (the catalog's is 10 over 8.5 minutes): charged
    // for the outage, every job would be failed within about 20 ms.
    const queue = harness.queues.queue(QUEUE);
    for (let i = 0; i < 4; i++) {
      await queue.add(
        'feed-batch',
        { events: answeredCalls(100, `outage-${i}`) },
        { attempts: 2, backoff: { type: 'fixed', delay: 10 }, jobId: `outage-${i}` },
      );
    }
    await paused;
    await eightFailed; // at least 20 + 40 x 7 = 300 ms down, 15 budgets over
    expect(failedProbes.slice(0, 8)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(await storedEvents()).toBe(0);
    expect(await queue.getJobCounts('waiting', 'active', 'delayed', 'failed', 'completed')).toEqual({
      waiting: 4,
      active: 0,
      delayed: 0,
      failed: 0,
      completed: 0,
    });
    for (const job of await queue.getWaiting()) expect(job.attemptsMade).toBe(0);

    const resumed = eventsOf(workers[0]!, 'resumed', 1);
    proxy.restore();
    await resumed;
    await harness.drain();
    expect(await queue.getJobCounts('failed', 'completed')).toEqual({ failed: 0, completed: 4 });
    const jobs = await Promise.all([0, 1, 2, 3].map((i) => queue.getJob(`outage-${i}`)));
    expect(jobs.map((job) => [job?.attemptsMade, job?.failedReason ?? null])).toEqual([
      [1, null],
      [1, null],
      [1, null],
      [1, null],
    ]);
    expect(await accounting()).toMatchObject({ stored: 800, duplicate: 0, rejected: 0 });
    const replay = await replayAggregates(harness.db, createCalendar('Europe/London'));
    expect(replay.changedRows).toBe(0);
  });
});
