import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readAccounting, readDailyAggregates } from '@rollcall/db';
import { exampleEvent } from '@rollcall/contract';
import { createSilentLogger } from '@rollcall/logger';
import { createRedisConnection, FEED_QUEUE_NAMES, QueueFactory, waitForQueuesDrained } from '@rollcall/queue';
import { createTestDatabase, createTestRedis, type TestDatabase, type TestRedis } from '@rollcall/testing';
import type { Job, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFeedWorkers } from '@rollcall/store';
import { IngestFileError, ingestNdjsonFile } from '@rollcall/importers';
import { testIngestContext } from '@rollcall/testing';

const log = createSilentLogger();
const context = testIngestContext();
let database: TestDatabase;
let redis: TestRedis;
let producer: Redis;
let workerConnection: Redis;
let queues: QueueFactory;
let workers: Worker[] = [];
let dir: string;

beforeAll(async () => {
  database = await createTestDatabase();
  redis = createTestRedis();
  producer = createRedisConnection(redis.url, { role: 'producer' });
  workerConnection = createRedisConnection(redis.url, { role: 'worker' });
  queues = new QueueFactory({ connection: producer, prefix: redis.prefix, log });
  dir = await mkdtemp(join(tmpdir(), 'rollcall-ingest-'));
});

afterAll(async () => {
  await Promise.allSettled(workers.map((worker) => worker.close()));
  await queues.close();
  producer.disconnect();
  workerConnection.disconnect();
  await redis.destroy();
  await database.destroy();
  await rm(dir, { recursive: true, force: true });
});

describe('ingest through the feed queues', () => {
  it('streams a file onto the queue, reports bad lines by number, and the workers store the rest', async () => {
    const call = (id: string, type: 'call.presented' | 'call.answered', at: string) =>
      exampleEvent(type, { eventId: `${id}-${type}`, occurredAt: at, payload: { callId: id } });
    const lines = [
      JSON.stringify(call('c1', 'call.presented', '2022-03-01T10:00:00Z')),
      '{"eventId": "broken",',
      '',
      JSON.stringify(call('c1', 'call.answered', '2022-03-01T10:00:07Z')),
      JSON.stringify({ ...call('c2', 'call.presented', '2022-03-01T10:00:00Z'), occurredAt: '2022-03-01T10:00:00' }),
      JSON.stringify(call('c1', 'call.answered', '2022-03-01T10:00:07Z')),
      JSON.stringify(call('c1', 'call.answered', '2022-03-01T10:00:09Z')),
      ...Array.from({ length: 2_500 }, (_, i) =>
        JSON.stringify(call(`bulk-${i}`, 'call.presented', '2022-03-02T09:00:00Z')),
      ),
    ];
    const path = join(dir, 'calls.ndjson');
    await writeFile(path, `${lines.join('\n')}\n`);

    const progress: number[] = [];
    const summary = await ingestNdjsonFile({
      path,
      feed: 'call-handling',
      db: database.db,
      queues,
      context,
      onProgress: (p) => progress.push(p.bytesRead),
    });
    expect(summary).toMatchObject({ lines: 2_506, accepted: 2_504, rejected: 2, jobs: 3 });
    expect(summary.rejections).toEqual([
      { line: 2, reason: expect.stringMatching(/^not valid JSON/) },
      { line: 5, reason: 'occurredAt: must be an ISO 8601 time with seconds and an explicit offset (Z or ±hh:mm)' },
    ]);
    expect(progress.at(-1)).toBeGreaterThan(0);

    workers = createFeedWorkers({
      db: database.db,
      connection: workerConnection,
      prefix: redis.prefix,
      context,
      concurrency: 2,
      log,
    });
    const drained = await waitForQueuesDrained(queues, FEED_QUEUE_NAMES, { timeoutMs: 60_000 });
    expect(drained.drained).toBe(true);

    const [accounting] = (await readAccounting(database.db)).filter((row) => row.forceId === 'avon-and-somerset');
    // 2,504 queued: 2,502 stored, one exact duplicate, one conflicting answer. Plus the bad
    // line with a readable force (line 5); the unparseable line 2 is filed under force ''.
    expect(accounting).toMatchObject({ stored: 2_502, duplicate: 1, rejected: 2, offered: 2_505 });
    const presented = (await readDailyAggregates(database.db)).filter((row) => row.metric === 'calls.presented');
    expect(presented.map((row) => [row.day, row.value])).toEqual([
      ['2022-03-01', 1],
      ['2022-03-02', 2_500],
    ]);
    const sources = await database.db.selectFrom('rejected_events').select('source').orderBy('id').execute();
    expect(sources.map((row) => row.source)).toEqual([
      'file calls.ndjson line 2',
      'file calls.ndjson line 5',
      expect.stringMatching(/^queue feed\.call-handling job \d+$/),
    ]);
  });

  it('stores a job an upstream producer named otherwise: feeds.md says what a job carries, not its name', async () => {
    const event = exampleEvent('wanted.circulated', { eventId: 'upstream-1' });
    // Added behind the catalog's back, as a producer outside Rollcall would.
    const job = await queues
      .queue('feed.wanted-persons')
      .add('pnc-extract', { events: [event] }, { jobId: 'upstream' });
    const listener = queues.events('feed.wanted-persons');
    try {
      await listener.events.waitUntilReady();
      expect(await job.waitUntilFinished(listener.events, 30_000)).toMatchObject({ offered: 1, stored: 1 });
    } finally {
      await listener.close();
    }
    const stored = await database.db
      .selectFrom('events')
      .select('event_id')
      .where('feed', '=', 'wanted-persons')
      .execute();
    expect(stored).toEqual([{ event_id: 'upstream-1' }]);
  });

  it('stores small jobs that wait for a transaction together, each job with its own outcome', async () => {
    const call = (id: string) =>
      exampleEvent('call.presented', {
        eventId: `${id}-p`,
        occurredAt: '2022-03-03T09:00:00Z',
        payload: { callId: id, btTransferSeconds: 2 },
      });
    const queue = queues.queue('feed.call-handling');
    // Thirty jobs of 20 at once: the workers (2 transactions at a time) take the first alone and
    // hold the rest, which then go several to a transaction.
    const jobs = await queue.addBulk(
      Array.from({ length: 30 }, (_, j) => ({
        name: 'feed-batch',
        data: { events: Array.from({ length: 20 }, (_, i) => call(`small-${j}-${i}`)) },
      })),
    );
    const drained = await waitForQueuesDrained(queues, FEED_QUEUE_NAMES, { timeoutMs: 60_000 });
    expect(drained.drained).toBe(true);
    for (const job of jobs) {
      const finished = await queue.getJob(job.id!);
      expect(finished?.returnvalue).toEqual({
        offered: 20,
        stored: 20,
        duplicate: 0,
        rejected: 0,
        staleSnapshotHeads: 0,
      });
    }
    // A transaction records every job it stored with one commit time (now() is the transaction's).
    const { rows } = await sql<{ jobs: number; transactions: number }>`
      select count(*)::int as jobs, count(distinct committed_at)::int as transactions
      from ingest_parts where job_key = any(${jobs.map((job) => `feed.call-handling:${job.id}:${job.timestamp}`)})`.execute(
      database.db,
    );
    expect(rows[0]?.jobs).toBe(30);
    expect(rows[0]?.transactions).toBeLessThanOrEqual(10);
    const presented = (await readDailyAggregates(database.db)).find(
      (row) => row.metric === 'calls.presented' && row.day === '2022-03-03',
    );
    expect(presented?.value).toBe(600);
  });

  it('fails clearly when the file cannot be read', async () => {
    await expect(
      ingestNdjsonFile({ path: join(dir, 'missing.ndjson'), feed: 'dvpo', db: database.db, queues, context }),
    ).rejects.toThrow(new IngestFileError(`cannot read ${join(dir, 'missing.ndjson')}: no such file`));
  });
});

describe('a job that fails as if PostgreSQL were down while select 1 answers', () => {
  it('is handed back uncharged 20 times, then charged, and ends failed after its attempts instead of going round for ever', async () => {
    // Only this test's worker may take the job.
    await Promise.all(workers.splice(0).map((worker) => worker.close()));
    // 57P02 (crash_shutdown) on every insert into the dvpo events: a statement that "crashes the server".
    await sql`create function crash_dvpo_insert() returns trigger language plpgsql as $$
              begin raise exception 'terminating connection due to crash of another server process' using errcode = '57P02'; end $$`.execute(
      database.db,
    );
    await sql`create trigger crash_dvpo_insert before insert on events for each row when (new.feed = 'dvpo') execute function crash_dvpo_insert()`.execute(
      database.db,
    );
    const crashing = createFeedWorkers({
      db: database.db,
      connection: workerConnection,
      prefix: redis.prefix,
      context,
      concurrency: 1,
      log,
      feeds: ['dvpo'],
      databaseProbe: { initialDelayMs: 1, maxDelayMs: 1 },
    });
    try {
      const failedForGood = new Promise<Job>((resolve) =>
        crashing[0]!.on('failed', (job) => {
          if (job && job.attemptsMade >= (job.opts.attempts ?? 1)) resolve(job);
        }),
      );
      await queues.queue('feed.dvpo').add('feed-batch', exampleEvent('dvpo.applied', { eventId: 'crashes-1' }), {
        jobId: 'crashes',
        attempts: 2,
        backoff: { type: 'fixed', delay: 1 },
      });
      await failedForGood;
      const job = await queues.queue('feed.dvpo').getJob('crashes');
      // 20 deliveries handed back, then 2 charged ones.
      expect({ started: job?.attemptsStarted, made: job?.attemptsMade, reason: job?.failedReason }).toEqual({
        started: 22,
        made: 2,
        reason: 'terminating connection due to crash of another server process',
      });
      expect(await queues.queue('feed.dvpo').getJobCounts('failed', 'waiting', 'delayed')).toEqual({
        failed: 1,
        waiting: 0,
        delayed: 0,
      });
    } finally {
      await Promise.all(crashing.map((worker) => worker.close()));
      await sql`drop trigger crash_dvpo_insert on events`.execute(database.db);
      await sql`drop function crash_dvpo_insert()`.execute(database.db);
    }
  });
});
