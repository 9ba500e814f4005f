import { checkAccounting, createDatabase, readAccounting } from '@rollcall/db';
import { createLogger } from '@rollcall/logger';
import { createRedisConnection, feedQueueName } from '@rollcall/queue';
import { Random } from '@rollcall/simulator';
import { createFeedWorkers } from '@rollcall/store';
import { testIngestContext } from '@rollcall/testing';
import type { Worker } from 'bullmq';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { answeredCalls } from './support/call-events.ts';
import { readDerivedState, resetPipelineTables } from './support/derived-state.ts';
import { PipelineHarness } from './support/pipeline-harness.ts';
import { type CutMode, TcpProxy, viaProxy } from './support/tcp-proxy.ts';
import { accountingTotals } from './support/accounting-totals.ts';

/**
 * Faults in flight (issue 15): a connection cut while a job is using it, not before the workers
 * connect. The feed workers run in this process, as in `resilience.test.ts`, against real
 * PostgreSQL and Redis through TCP proxies; each cut falls at a seeded point of the traffic (the
 * n-th query a job sends), five times over, and is restored once the workers have seen it.
 */

const QUEUE = feedQueueName('call-handling');
const EVENTS = answeredCalls(6_000, 'fif'); // 12,000 events
// 30 jobs of one part each, stored two together when they wait (storeJobsTogether, transactions of
// at most 1,000 events here): about 15 transactions, enough queries for five cuts even when every
// held job is stored during each cut.
const EVENTS_PER_JOB = 400;
const JOBS = EVENTS.length / EVENTS_PER_JOB;
const CUTS = 5;
/**
 * A cut falls on the 1st to MAX_QUERIES_BEFORE_CUT-th query sent after the workers resumed: about
 * one transaction's worth (a dozen statements); the jobs must send more queries in all than five
 * cuts use, or the last cut would wait for a query that never comes.
 */
const MAX_QUERIES_BEFORE_CUT = 15;
/** Odd cuts abort the connections (RST: the client reads ECONNRESET), even ones close them (FIN). */
const cutMode = (cut: number): CutMode => (cut % 2 === 1 ? 'reset' : 'close');

let harness: PipelineHarness;
let uninterrupted: {
  derived: Awaited<ReturnType<typeof readDerivedState>>;
  accounting: Awaited<ReturnType<typeof readAccounting>>;
};
const cleanups: (() => Promise<unknown> | unknown)[] = [];

// A worker that loses a connection must not take the process with it. In-process, an unhandled
// 'error' event is an uncaught exception of this test's process: recorded here, and each test
// requires none.
const uncaught: unknown[] = [];
const recordUncaught = (error: unknown) => uncaught.push(error);

beforeAll(async () => {
  process.on('uncaughtException', recordUncaught);
  process.on('unhandledRejection', recordUncaught);
  harness = await PipelineHarness.start({ startWorkers: false });
  // The reference: the same events through the same workers, nothing cut.
  harness.startWorkers(2);
  await harness.offerEvents(EVENTS, EVENTS_PER_JOB);
  await harness.drain();
  await harness.stopWorkers();
  uninterrupted = { derived: await readDerivedState(harness.db), accounting: await readAccounting(harness.db) };
});
beforeEach(async () => {
  uncaught.length = 0;
  await resetPipelineTables(harness.db);
  await harness.queues.queue(QUEUE).obliterate({ force: true });
});
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});
afterAll(async () => {
  await harness?.close();
  process.off('uncaughtException', recordUncaught);
  process.off('unhandledRejection', recordUncaught);
});

/** Resolves once `emitter` has emitted `event` `count` times from now. */
function eventsOf(
  emitter: { on(event: string, listener: () => void): unknown; off(event: string, listener: () => void): unknown },
  event: string,
  count = 1,
): Promise<void> {
  return new Promise((resolve) => {
    let seen = 0;
    const listener = () => {
      if (++seen < count) return;
      emitter.off(event, listener);
      resolve();
    };
    emitter.on(event, listener);
  });
}

/**
 * Calls `action` synchronously on the `n`-th query message ('Q' simple query, 'P' parse) a
 * client sends through `proxy` from now: the client has that query in flight, its answer not yet
 * back, when `action` runs. Resolves after `action`.
 */
function atQuery(proxy: TcpProxy, n: number, action: () => void): Promise<void> {
  return new Promise((resolve) => {
    let seen = 0;
    const stop = proxy.onClientData((chunk) => {
      const type = String.fromCharCode(chunk[0] ?? 0);
      if ((type === 'Q' || type === 'P') && ++seen === n) {
        stop();
        action();
        resolve();
      }
    });
  });
}

/** The feed workers of call-handling in this process, as a worker service starts them. */
function startWorkers(options: {
  databaseUrl: string;
  redisUrl: string;
  onBatch?: () => void;
  onOutage?: (err: unknown) => void;
}) {
  const db = createDatabase(options.databaseUrl, { maxConnections: 4 });
  const connection = createRedisConnection(options.redisUrl, { role: 'worker' });
  // The workers' log, read for the outage gate's warning (one per outage it handled).
  const log = createLogger({
    service: 'test',
    level: 'warn',
    destination: {
      write(line: string) {
        const entry = JSON.parse(line) as { msg?: string; err?: unknown };
        if (entry.msg?.startsWith('PostgreSQL unreachable') === true) options.onOutage?.(entry.err);
      },
    },
  });
  const workers = createFeedWorkers({
    db,
    connection,
    prefix: harness.redis.prefix,
    context: testIngestContext(),
    concurrency: 2,
    eventsPerTransaction: 1_000,
    log,
    feeds: ['call-handling'],
    // Probes 20 ms apart, doubling to 40 ms: the workers resume soon after the proxy is restored.
    databaseProbe: { initialDelayMs: 20, maxDelayMs: 40 },
    ...(options.onBatch && { onBatch: options.onBatch }),
  });
  cleanups.push(async () => {
    await Promise.all(workers.map((worker) => worker.close()));
    connection.disconnect();
    await db.destroy();
  });
  return { workers, connection };
}

/**
 * What must hold after any number of cuts: nothing crashed, every job done once, every event once, the same figures.
 */
async function expectUninterruptedOutcome(workers: readonly Worker[]) {
  expect(uncaught).toEqual([]);
  for (const worker of workers) {
    expect(worker.isRunning()).toBe(true);
    expect(worker.closing).toBeUndefined();
  }
  const queue = harness.queues.queue(QUEUE);
  expect(await queue.getJobCounts('completed', 'failed', 'waiting', 'active', 'delayed')).toEqual({
    completed: JOBS,
    failed: 0,
    waiting: 0,
    active: 0,
    delayed: 0,
  });
  // No attempt charged for a fault: a job handed back in an outage, or whose completion waited
  // for Redis, completed on its first charged attempt.
  for (const job of await queue.getCompleted(0, JOBS)) expect([job.id, job.attemptsMade]).toEqual([job.id, 1]);
  // offered = stored + duplicate + rejected, with each event offered once: none stored twice,
  // none counted as a duplicate of its own earlier, interrupted delivery.
  const accounting = await readAccounting(harness.db);
  expect(accountingTotals(accounting)).toEqual({
    offered: EVENTS.length,
    stored: EVENTS.length,
    duplicate: 0,
    rejected: 0,
  });
  expect(accounting).toEqual(uninterrupted.accounting);
  for (const check of await checkAccounting(harness.db)) {
    expect(check.eventsInTable).toBe(check.accountedStored);
    expect(check.rejectedInTable).toBe(check.accountedRejected);
  }
  expect(await readDerivedState(harness.db)).toEqual(uninterrupted.derived);
}

describe('PostgreSQL connection cut while a job is being stored', () => {
  it(
    'the workers survive five cuts at seeded points of the jobs: each job handed back, paused, resumed; every event once; aggregates as uninterrupted',
    { timeout: 30_000 },
    async () => {
      const proxy = await TcpProxy.start('127.0.0.1', Number(new URL(harness.database.url).port || 5432));
      cleanups.push(() => proxy.close());
      const outages: unknown[] = [];
      await harness.offerEvents(EVENTS, EVENTS_PER_JOB);
      const { workers } = startWorkers({
        databaseUrl: viaProxy(harness.database.url, proxy),
        redisUrl: harness.redis.url,
        onOutage: (err) => outages.push(err),
      });
      const [worker] = workers as [Worker];

      const random = new Random(15);
      for (let cut = 1; cut <= CUTS; cut++) {
        const n = random.integer(1, MAX_QUERIES_BEFORE_CUT);
        // The job whose query is cut hands itself back and the outage gate pauses the workers.
        const paused = eventsOf(worker, 'paused');
        await atQuery(proxy, n, () => proxy.cut(cutMode(cut)));
        await paused;
        expect(outages).toHaveLength(cut);
        const resumed = eventsOf(worker, 'resumed');
        proxy.restore();
        await resumed;
      }
      await harness.drain(20_000);

      expect(outages).toHaveLength(CUTS);
      await expectUninterruptedOutcome(workers);
    },
  );
});

describe('Redis connection cut mid-job', () => {
  it(
    'the workers survive five cuts while jobs are being stored, report those jobs complete once Redis is back; every event once; aggregates as uninterrupted',
    { timeout: 30_000 },
    async () => {
      const redisProxy = await TcpProxy.start('127.0.0.1', Number(new URL(harness.redis.url).port || 6379));
      cleanups.push(() => redisProxy.close());
      // PostgreSQL through a proxy that is never cut: its traffic says when a job is being stored.
      const databaseTap = await TcpProxy.start('127.0.0.1', Number(new URL(harness.database.url).port || 5432));
      cleanups.push(() => databaseTap.close());
      let onBatch = () => undefined as void;
      await harness.offerEvents(EVENTS, EVENTS_PER_JOB);
      const { workers, connection } = startWorkers({
        databaseUrl: viaProxy(harness.database.url, databaseTap),
        redisUrl: viaProxy(harness.redis.url, redisProxy),
        onBatch: () => onBatch(),
      });

      const random = new Random(15);
      for (let cut = 1; cut <= CUTS; cut++) {
        const n = random.integer(1, MAX_QUERIES_BEFORE_CUT);
        const lost = eventsOf(connection, 'reconnecting');
        // The job that sent the n-th query goes on storing, and commits while Redis is cut: its
        // completion has to cross the outage.
        let committed!: Promise<void>;
        await atQuery(databaseTap, n, () => {
          redisProxy.cut(cutMode(cut));
          committed = new Promise<void>((resolve) => (onBatch = resolve));
        });
        await Promise.all([lost, committed]);
        const back = eventsOf(connection, 'ready');
        redisProxy.restore();
        await back;
      }
      onBatch = () => undefined;
      await harness.drain(20_000);

      await expectUninterruptedOutcome(workers);
    },
  );
});
