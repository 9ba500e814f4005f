import { createCalendar } from '@rollcall/calendar';
import { createDatabase, readAccounting } from '@rollcall/db';
import { createFeedWorkers, replayAggregates } from '@rollcall/ingest';
import { testIngestContext } from '@rollcall/ingest/test-context';
import { createSilentLogger } from '@rollcall/logger';
import { createRedisConnection, feedQueueName } from '@rollcall/queue';
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
const storedEvents = async () => Number((await harness.db.selectFrom('events').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).n);

/** Resolves on the next occurrence of a QueueEvents event on the call-handling queue. */
async function nextQueueEvent(name: 'active' | 'completed' | 'delayed') {
  const listener = harness.queues.events(QUEUE);
  cleanups.push(() => listener.close());
  await listener.events.waitUntilReady();
  return new Promise<{ jobId: string }>((resolve) => listener.events.once(name, (event: unknown) => resolve(event as { jobId: string })));
}

describe('graceful shutdown with jobs in flight', () => {
  it('finishes the jobs it holds, takes no new one, and the next worker does the rest: nothing lost, nothing twice', async () => {
    await harness.offerEvents(answeredCalls(5_000), 500); // 20 jobs of 500 events
    const active = nextQueueEvent('active');
    harness.startWorkers(2);
    await active;
    await harness.stopWorkers(); // worker.close(): waits for in-flight jobs, fetches no more
    const { active: inFlight = -1, waiting = -1, completed = -1, failed = -1 } = await harness.queues.queue(QUEUE).getJobCounts('active', 'waiting', 'completed', 'failed');
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
  it('reconnects by itself when Redis comes back and processes what was queued meanwhile', async () => {
    const proxy = await TcpProxy.start('127.0.0.1', Number(new URL(harness.redis.url).port || 6379));
    cleanups.push(() => proxy.close());
    const connection = createRedisConnection(viaProxy(harness.redis.url, proxy), { role: 'worker' });
    cleanups.push(() => connection.disconnect());
    const workers: Worker[] = createFeedWorkers({
      db: harness.db,
      connection,
      prefix: harness.redis.prefix,
      context: testIngestContext(),
      concurrency: 2,
      log: createSilentLogger(),
      feeds: ['call-handling'],
    });
    cleanups.push(() => Promise.all(workers.map((worker) => worker.close())));

    await harness.offerEvents(answeredCalls(200, 'before'));
    await harness.drain();

    const lost = new Promise<void>((resolve) => connection.once('close', () => resolve()));
    proxy.cut();
    await lost;
    await harness.offerEvents(answeredCalls(300, 'during')); // added straight to Redis while the worker is cut off
    expect((await harness.queues.queue(QUEUE).getJobCounts('waiting')).waiting).toBe(1);

    const back = new Promise<void>((resolve) => connection.once('ready', () => resolve()));
    proxy.restore();
    await back;
    await harness.drain();
    expect(await accounting()).toMatchObject({ stored: 1_000, duplicate: 0, rejected: 0 });
  });
});

describe('PostgreSQL going away during ingest', () => {
  it('fails the job without acknowledging it, retries with backoff, and completes once the database is back', async () => {
    const proxy = await TcpProxy.start('127.0.0.1', Number(new URL(harness.database.url).port || 5432));
    cleanups.push(() => proxy.close());
    const db = createDatabase(viaProxy(harness.database.url, proxy), { maxConnections: 2 });
    cleanups.push(() => db.destroy());
    const connection = createRedisConnection(harness.redis.url, { role: 'worker' });
    cleanups.push(() => connection.disconnect());

    proxy.cut();
    // A failed attempt that will be retried moves the job to `delayed` (its backoff).
    const retried = nextQueueEvent('delayed');
    const workers = createFeedWorkers({
      db,
      connection,
      prefix: harness.redis.prefix,
      context: testIngestContext(),
      concurrency: 1,
      log: createSilentLogger(),
      feeds: ['call-handling'],
    });
    cleanups.push(() => Promise.all(workers.map((worker) => worker.close())));
    await harness.offerEvents(answeredCalls(400, 'outage'));
    const { jobId } = await retried; // the attempt failed: the database was unreachable
    expect(await storedEvents()).toBe(0);

    const completed = nextQueueEvent('completed');
    proxy.restore();
    expect((await completed).jobId).toBe(jobId);
    const job = await harness.queues.queue(QUEUE).getJob(jobId);
    expect(job?.attemptsMade).toBeGreaterThanOrEqual(2);
    expect(await accounting()).toMatchObject({ stored: 800, duplicate: 0, rejected: 0 });
    const replay = await replayAggregates(harness.db, createCalendar('Europe/London'));
    expect(replay.changedRows).toBe(0);
  });
});
