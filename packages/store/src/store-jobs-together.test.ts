import { readAccounting, readDailyAggregates } from '@rollcall/db';
import { createSilentLogger } from '@rollcall/logger';
import { testIngestContext } from '@rollcall/testing';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { answered, presented, useEmptiedStoreDatabase, whileEventRefused } from '../test/store-test-kit.ts';
import { addOutcomes, type FeedBatchOutcome, NO_OUTCOME } from './feed-batch-outcome.ts';
import { heldJobs } from './feed-workers.ts';
import { StorageSlots } from './storage-slots.ts';
import { storeFeedBatch } from './store-feed-batch.ts';
import { type FeedJobWork, storeJobsTogether } from './store-jobs-together.ts';

const { database } = useEmptiedStoreDatabase();
const context = testIngestContext();
const log = createSilentLogger();

/** Three small jobs with a duplicate and a conflict across jobs, an invalid event, and a late answer. */
const jobs = (): FeedJobWork[] => [
  { inputs: [presented('c1'), presented('c2'), { junk: true }], source: 'queue q job 1', jobKey: 'q:1:1' },
  {
    inputs: [answered('c1'), presented('c2'), presented('c3'), presented('c1', '2022-03-01T12:00:00Z')],
    source: 'queue q job 2',
    jobKey: 'q:2:1',
  },
  { inputs: [answered('c3'), answered('c9')], source: 'queue q job 3', jobKey: 'q:3:1' },
];

async function storedState() {
  const rejected = await database()
    .db.selectFrom('rejected_events')
    .select(['event_id', 'source'])
    .orderBy('event_id')
    .execute();
  return {
    aggregates: await readDailyAggregates(database().db),
    accounting: await readAccounting(database().db),
    events: (await database().db.selectFrom('events').select('event_id').orderBy('event_id').execute()).map(
      (row) => row.event_id,
    ),
    rejected,
  };
}

describe('storeJobsTogether', () => {
  it('gives each job the outcome it has alone, and the tables what the jobs give one after another', async () => {
    const alone: FeedBatchOutcome[] = [];
    for (const job of jobs())
      alone.push(
        await storeFeedBatch(database().db, { feed: 'call-handling', inputs: job.inputs, source: job.source }, context),
      );
    const oneByOne = await storedState();
    await sql`truncate events, event_ids, entities, daily_aggregates, monthly_aggregates, ingest_parts, daily_feed_stats, event_accounting, rejected_events cascade`.execute(
      database().db,
    );

    const together = await storeJobsTogether(database().db, 'call-handling', jobs(), context, log);
    expect(together).toEqual(alone);
    expect(together.map((outcome) => outcome.offered)).toEqual([3, 4, 2]);
    expect(together[1]).toMatchObject({ stored: 2, duplicate: 1, rejected: 1 });
    // Each rejection keeps the job it came in, as it would alone.
    expect(await storedState()).toEqual(oneByOne);
    expect(oneByOne.rejected.map((row) => row.source).sort()).toEqual(['queue q job 1', 'queue q job 2']);
    const parts = await database()
      .db.selectFrom('ingest_parts')
      .select(['job_key', 'part'])
      .orderBy('job_key')
      .execute();
    expect(parts).toEqual([
      { job_key: 'q:1:1', part: '0' },
      { job_key: 'q:2:1', part: '0' },
      { job_key: 'q:3:1', part: '0' },
    ]);
  });

  it('counts each job once when it is delivered again, alone or together with others', async () => {
    const first = await storeJobsTogether(database().db, 'call-handling', jobs(), context, log);
    const state = await storedState();
    const [job1, job2, job3] = jobs();
    const again = await storeFeedBatch(
      database().db,
      { feed: 'call-handling', inputs: job2!.inputs, source: job2!.source },
      context,
      { jobKey: job2!.jobKey },
    );
    expect(again).toEqual(first[1]);
    const fresh: FeedJobWork = { inputs: [presented('c7')], source: 'queue q job 4', jobKey: 'q:4:1' };
    const mixed = await storeJobsTogether(database().db, 'call-handling', [job3!, fresh, job1!], context, log);
    expect(mixed).toEqual([first[2], { ...NO_OUTCOME, offered: 1, stored: 1 }, first[0]]);
    const after = await storedState();
    expect(after.events).toEqual([...state.events, 'c7-p'].sort());
    expect(after.rejected).toEqual(state.rejected);
    const offered = after.accounting.reduce((sum, row) => sum + row.offered, 0);
    expect(offered).toBe(10);
  });

  it('stores the jobs one by one when PostgreSQL refuses an event, isolating it in its own job', async () => {
    await whileEventRefused(database().db, 'poison-p', async () => {
      const work: FeedJobWork[] = [
        { inputs: [presented('a'), presented('b')], source: 'queue q job 1', jobKey: 'q:1:1' },
        { inputs: [presented('poison'), presented('c')], source: 'queue q job 2', jobKey: 'q:2:1' },
      ];
      const outcomes = await storeJobsTogether(database().db, 'call-handling', work, context, log);
      expect(outcomes).toEqual([
        { ...NO_OUTCOME, offered: 2, stored: 2 },
        { ...NO_OUTCOME, offered: 2, stored: 1, rejected: 1 },
      ]);
      const rejected = await database()
        .db.selectFrom('rejected_events')
        .select(['event_id', 'source', 'reason'])
        .execute();
      expect(rejected).toEqual([
        {
          event_id: 'poison-p',
          source: 'queue q job 2',
          reason: 'storage: the database refused this event (value refused)',
        },
      ]);
      const total = outcomes.reduce(addOutcomes, NO_OUTCOME);
      expect((await readAccounting(database().db)).reduce((sum, row) => sum + row.offered, 0)).toBe(total.offered);
    });
  });

  it('refuses a job that is stored in parts, which must not share a transaction', async () => {
    const big = Array.from({ length: 2_000 }, (_, i) => presented(`big${i}`));
    await expect(
      storeJobsTogether(
        database().db,
        'call-handling',
        [
          { inputs: big, source: 's', jobKey: 'q:1:1' },
          { inputs: [presented('x')], source: 's', jobKey: 'q:2:1' },
        ],
        context,
      ),
    ).rejects.toThrow('a job of 2000 events is stored in parts');
  });
});

describe('heldJobs', () => {
  it('holds enough jobs to fill the transactions with 4,000 events, at most ten per transaction', () => {
    expect(heldJobs(2, 100)).toBe(20);
    expect(heldJobs(2, 1_000)).toBe(8);
    expect(heldJobs(1, 1_000)).toBe(4);
    expect(heldJobs(1, 3_000)).toBe(2);
    expect(heldJobs(2, 1)).toBe(20);
    expect(heldJobs(1, 10_000)).toBe(1);
  });
});

describe('StorageSlots', () => {
  /** A store that records the jobs of each transaction and finishes when the test says so. */
  function recordingStore() {
    const calls: { jobKeys: string[]; finish: () => void }[] = [];
    let called: () => void = () => undefined;
    const store = (work: readonly FeedJobWork[]) =>
      new Promise<FeedBatchOutcome[]>((resolve) => {
        calls.push({
          jobKeys: work.map((job) => job.jobKey),
          finish: () => resolve(work.map((job) => ({ ...NO_OUTCOME, offered: job.inputs.length }))),
        });
        called();
      });
    const nextCall = (count: number) =>
      new Promise<void>((resolve) => {
        called = () => {
          if (calls.length >= count) resolve();
        };
        called();
      });
    return { calls, store, nextCall };
  }
  const job = (key: string, size: number): FeedJobWork => ({
    inputs: Array.from({ length: size }, () => ({})),
    source: key,
    jobKey: key,
  });

  it('stores a job at once when a slot is free, and the small jobs that waited meanwhile together', async () => {
    const { calls, store, nextCall } = recordingStore();
    const slots = new StorageSlots(1, { events: 1_000, jobs: 10 }, store);
    const first = slots.store(job('a', 100));
    await nextCall(1);
    const waiting = ['b', 'c', 'd', 'e'].map((key) => slots.store(job(key, key === 'e' ? 900 : 100)));
    expect(calls.map((call) => call.jobKeys)).toEqual([['a']]);
    calls[0]!.finish();
    expect(await first).toMatchObject({ offered: 100 });
    await nextCall(2);
    // b, c and d together (300 events); e would make 1,200, so it waits for the next transaction.
    expect(calls[1]!.jobKeys).toEqual(['b', 'c', 'd']);
    calls[1]!.finish();
    await nextCall(3);
    expect(calls[2]!.jobKeys).toEqual(['e']);
    calls[2]!.finish();
    expect((await Promise.all(waiting)).map((outcome) => outcome.offered)).toEqual([100, 100, 100, 900]);
  });

  it('takes no more jobs together than its cap, however many wait', async () => {
    const { calls, store, nextCall } = recordingStore();
    const slots = new StorageSlots(1, { events: 4_000, jobs: 3 }, store);
    const first = slots.store(job('a', 100));
    await nextCall(1);
    const waiting = ['b', 'c', 'd', 'e', 'f', 'g', 'h'].map((key) => slots.store(job(key, 100)));
    calls[0]!.finish();
    // Seven jobs of 100 wait, 700 events, well under the events' limit: three go, the cap.
    await nextCall(2);
    expect(calls[1]!.jobKeys).toEqual(['b', 'c', 'd']);
    calls[1]!.finish();
    await nextCall(3);
    expect(calls[2]!.jobKeys).toEqual(['e', 'f', 'g']);
    calls[2]!.finish();
    await nextCall(4);
    expect(calls[3]!.jobKeys).toEqual(['h']);
    calls[3]!.finish();
    expect(await first).toMatchObject({ offered: 100 });
    expect((await Promise.all(waiting)).map((outcome) => outcome.offered)).toEqual(Array(7).fill(100));
  });

  it('stores a job of 2,000 (two parts) alone, and fails every job of a transaction that fails', async () => {
    let fail = false;
    const seen: string[][] = [];
    const slots = new StorageSlots(1, { events: 5_000, jobs: 10 }, async (work) => {
      seen.push(work.map((item) => item.jobKey));
      if (fail) throw new Error('PostgreSQL unreachable');
      return work.map(() => NO_OUTCOME);
    });
    await Promise.all([slots.store(job('big', 2_000)), slots.store(job('small', 10))]);
    expect(seen).toEqual([['big'], ['small']]);
    fail = true;
    const results = await Promise.allSettled([slots.store(job('x', 10)), slots.store(job('y', 10))]);
    expect(results.map((result) => result.status)).toEqual(['rejected', 'rejected']);
  });
});
