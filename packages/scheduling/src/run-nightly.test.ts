import { addDays } from '@rollcall/calendar';
import { createSilentLogger } from '@rollcall/logger';
import { createTestDatabase, type TestDatabase } from '@rollcall/testing';
import { sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { NightlyRunBusyError, NightlyRunFailedError } from './nightly-errors.ts';
import {
  claimNightlyRun,
  listNightlyRuns,
  markNightlyRunFailed,
  markNightlyRunSucceeded,
  readNightlyRun,
  recordSkippedNightlyRuns,
} from '@rollcall/db';
import { withNightlyLock } from './nightly-lock.ts';
import { nextNightlyFires } from './nightly-scheduler.ts';
import { deferred, type RecordingPublisher, recordingPublisher } from '../test/nightly-test-kit.ts';
import { type RunNightlyOptions, runNightly } from './run-nightly.ts';

const LONDON = 'Europe/London';
const FORCES = ['kent', 'essex'];

let test: TestDatabase;
let publisher: RecordingPublisher;
beforeAll(async () => {
  test = await createTestDatabase();
});
afterAll(async () => {
  await test.destroy();
});
beforeEach(async () => {
  await test.db.deleteFrom('nightly_runs').execute();
  publisher = recordingPublisher();
});

/** A run at a fixed instant (the injected clock), with the defaults of the configuration. */
const runAt = (iso: string, overrides: Partial<RunNightlyOptions> = {}) =>
  runNightly({
    db: test.db,
    forces: FORCES,
    timeZone: LONDON,
    catchUpDays: 7,
    publish: publisher.publish,
    reviseStale: publisher.reviseStale,
    now: () => Date.parse(iso),
    log: createSilentLogger(),
    trigger: 'schedule',
    ...overrides,
  });

/** Records `asOf` as already succeeded, as a past run would have. */
const succeeded = async (asOf: string): Promise<void> => {
  await claimNightlyRun(test.db, asOf, {
    trigger: 'schedule',
    now: Date.parse(`${asOf}T23:00:00Z`),
    takeOverRunning: false,
  });
  await markNightlyRunSucceeded(test.db, asOf, { attempt: 1, now: Date.parse(`${asOf}T23:00:00Z`), published: [] });
};

const both = (asOf: string): string[] => FORCES.map((force) => `${force}@${asOf}`);
const statesOf = async () => (await listNightlyRuns(test.db)).reverse().map((run) => `${run.asOf} ${run.state}`);

// 03:30 BST on 14 June 2022.
const JUNE_14_0330 = '2022-06-14T02:30:00Z';

describe('runNightly', () => {
  it('publishes yesterday for every force on an empty ledger, then revises stale snapshots once', async () => {
    const report = await runAt(JUNE_14_0330);
    expect(publisher.calls).toEqual(both('2022-06-13'));
    expect(publisher.reviseCalls.count).toBe(1);
    expect(report).toMatchObject({ trigger: 'schedule', skipped: [], revised: [], reviseError: null });
    expect(report.dates).toEqual([
      {
        asOf: '2022-06-13',
        state: 'succeeded',
        attempt: 1,
        error: null,
        published: FORCES.map((forceId) => ({
          forceId,
          asOf: '2022-06-13',
          snapshotId: `snap-${forceId}-2022-06-13`,
          revision: 1,
          created: true,
        })),
      },
    ]);
    expect(await readNightlyRun(test.db, '2022-06-13')).toMatchObject({
      state: 'succeeded',
      attempts: 1,
      startedAt: new Date(JUNE_14_0330),
      finishedAt: new Date(JUNE_14_0330),
      published: report.dates[0]?.published,
    });
    // The nightly lock went with the run: no pooled connection is handed back holding it.
    const locks = await sql<{
      n: number;
    }>`select count(*)::int as n from pg_locks l join pg_database d on d.oid = l.database
      where l.locktype = 'advisory' and d.datname = current_database()`.execute(test.db);
    expect(locks.rows[0]?.n).toBe(0);
  });

  describe('fired twice for the same date', () => {
    it('publishes once when the fires come one after the other', async () => {
      await runAt(JUNE_14_0330);
      const second = await runAt('2022-06-14T02:30:05Z', { trigger: 'startup' });
      expect(publisher.calls).toEqual(both('2022-06-13'));
      expect(second.dates).toEqual([]);
      expect(await readNightlyRun(test.db, '2022-06-13')).toMatchObject({
        state: 'succeeded',
        attempts: 1,
        trigger: 'schedule',
      });
    });

    it('publishes once when the fires run at the same time', async () => {
      const reports = await Promise.all([runAt(JUNE_14_0330), runAt(JUNE_14_0330, { trigger: 'startup' })]);
      expect(publisher.calls).toEqual(both('2022-06-13'));
      expect(reports.flatMap((r) => r.dates.map((d) => d.state))).toEqual(['succeeded']);
      expect(await readNightlyRun(test.db, '2022-06-13')).toMatchObject({ state: 'succeeded', attempts: 1 });
    });

    it('makes the second fire wait for the first, mid-date, and then find nothing to do', async () => {
      const held = deferred();
      const entered = deferred<string>();
      publisher.beforeReturn = async (call) => {
        entered.resolve(call);
        await held.promise;
      };
      const first = runAt(JUNE_14_0330);
      expect(await entered.promise).toBe('kent@2022-06-13');
      const second = runAt(JUNE_14_0330, { trigger: 'startup' });
      // The first run holds the lock and the date: the ledger says so while the second waits.
      expect((await readNightlyRun(test.db, '2022-06-13'))?.state).toBe('running');
      held.resolve();
      const [a, b] = await Promise.all([first, second]);
      expect(a.dates.map((d) => d.state)).toEqual(['succeeded']);
      expect(b.dates).toEqual([]);
      expect(publisher.calls).toEqual(both('2022-06-13'));
    });

    it('gives up waiting after lockWaitMs with a retryable NightlyRunBusyError', async () => {
      await withNightlyLock(test.db, {}, async () => {
        await expect(runAt(JUNE_14_0330, { lockWaitMs: 100 })).rejects.toBeInstanceOf(NightlyRunBusyError);
      });
      expect(publisher.calls).toEqual([]);
      expect(await listNightlyRuns(test.db)).toEqual([]);
    });
  });

  it('catches up three days down, oldest first, on the next fire', async () => {
    await succeeded('2022-06-10');
    const report = await runAt(JUNE_14_0330);
    expect(publisher.calls).toEqual([...both('2022-06-11'), ...both('2022-06-12'), ...both('2022-06-13')]);
    expect(report.dates.map((d) => `${d.asOf} ${d.state}`)).toEqual([
      '2022-06-11 succeeded',
      '2022-06-12 succeeded',
      '2022-06-13 succeeded',
    ]);
    expect(await statesOf()).toEqual([
      '2022-06-10 succeeded',
      '2022-06-11 succeeded',
      '2022-06-12 succeeded',
      '2022-06-13 succeeded',
    ]);
    expect(publisher.reviseCalls.count).toBe(1);
  });

  it('after ten days down with a limit of 7, publishes the newest 7 oldest first and records 3 as skipped', async () => {
    await succeeded('2022-06-03');
    const report = await runAt(JUNE_14_0330);
    const run = ['2022-06-07', '2022-06-08', '2022-06-09', '2022-06-10', '2022-06-11', '2022-06-12', '2022-06-13'];
    expect(publisher.calls).toEqual(run.flatMap(both));
    expect(report.skipped).toEqual(['2022-06-04', '2022-06-05', '2022-06-06']);
    expect(await statesOf()).toEqual([
      '2022-06-03 succeeded',
      '2022-06-04 skipped',
      '2022-06-05 skipped',
      '2022-06-06 skipped',
      ...run.map((asOf) => `${asOf} succeeded`),
    ]);
    expect((await readNightlyRun(test.db, '2022-06-04'))?.error).toBe('more than 7 days behind (catch-up limit)');
    // The next night publishes just the new day: the skipped ones lie behind the latest success.
    publisher.calls.length = 0;
    await runAt('2022-06-15T02:30:00Z');
    expect(publisher.calls).toEqual(both('2022-06-14'));
  });

  it('attempts every force and every date when one fails, and the retry runs the failed date again', async () => {
    await succeeded('2022-06-10');
    // The first force of the date fails: the second is still published.
    publisher.failOn = 'kent@2022-06-12';
    const error = await runAt(JUNE_14_0330).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(NightlyRunFailedError);
    const { report } = error as NightlyRunFailedError;
    expect((error as Error).message).toBe(
      'nightly run as of 2022-06-12 failed (attempt 1): kent: cannot publish kent@2022-06-12: aggregates unavailable',
    );
    // The date after the failed one is published too: one bad date does not hold yesterday back.
    expect(report.dates.map((d) => `${d.asOf} ${d.state}`)).toEqual([
      '2022-06-11 succeeded',
      '2022-06-12 failed',
      '2022-06-13 succeeded',
    ]);
    expect(publisher.calls).toEqual([...both('2022-06-11'), ...both('2022-06-12'), ...both('2022-06-13')]);
    expect(await readNightlyRun(test.db, '2022-06-12')).toMatchObject({
      state: 'failed',
      attempts: 1,
      error: 'kent: cannot publish kent@2022-06-12: aggregates unavailable',
      published: [
        { forceId: 'essex', asOf: '2022-06-12', snapshotId: 'snap-essex-2022-06-12', revision: 1, created: true },
      ],
    });
    expect((await readNightlyRun(test.db, '2022-06-13'))?.state).toBe('succeeded');
    expect(publisher.reviseCalls.count).toBe(1);

    // The job's retry, a few seconds later: the failed date again, though a later one succeeded.
    publisher.failOn = undefined;
    publisher.calls.length = 0;
    const retry = await runAt('2022-06-14T02:30:07Z');
    expect(publisher.calls).toEqual(both('2022-06-12'));
    expect(retry.dates.map((d) => `${d.asOf} ${d.state} ${d.attempt}`)).toEqual(['2022-06-12 succeeded 2']);
    expect(await readNightlyRun(test.db, '2022-06-12')).toMatchObject({ state: 'succeeded', attempts: 2, error: null });
  });

  it('lists every failed date and force in the error', async () => {
    await succeeded('2022-06-11');
    publisher.failOn = (call) => call === 'essex@2022-06-12' || call.endsWith('@2022-06-13');
    const error = (await runAt(JUNE_14_0330).catch((err: unknown) => err)) as NightlyRunFailedError;
    expect(error.message).toBe(
      'nightly run as of 2022-06-12 failed (attempt 1): essex: cannot publish essex@2022-06-12: aggregates unavailable; ' +
        'nightly run as of 2022-06-13 failed (attempt 1): kent: cannot publish kent@2022-06-13: aggregates unavailable; essex: cannot publish essex@2022-06-13: aggregates unavailable',
    );
    expect(publisher.calls).toEqual([...both('2022-06-12'), ...both('2022-06-13')]);
  });

  it('runs a date that failed while a later one succeeded on the next night, not only the new day', async () => {
    // As a run may leave the ledger: the 12th failed, the 13th succeeded after it.
    await succeeded('2022-06-11');
    await claimNightlyRun(test.db, '2022-06-12', {
      trigger: 'schedule',
      now: Date.parse(JUNE_14_0330),
      takeOverRunning: false,
    });
    await markNightlyRunFailed(test.db, '2022-06-12', {
      attempt: 1,
      now: Date.parse(JUNE_14_0330),
      published: [],
      error: 'kent: boom',
    });
    await succeeded('2022-06-13');
    const report = await runAt('2022-06-15T02:30:00Z');
    expect(report.dates.map((d) => `${d.asOf} ${d.state} ${d.attempt}`)).toEqual([
      '2022-06-12 succeeded 2',
      '2022-06-14 succeeded 1',
    ]);
    expect(publisher.calls).toEqual([...both('2022-06-12'), ...both('2022-06-14')]);
  });

  it('runs skipped dates that are back inside the window once the catch-up limit is raised', async () => {
    await succeeded('2022-06-03');
    await recordSkippedNightlyRuns(test.db, ['2022-06-04', '2022-06-05', '2022-06-06'], {
      trigger: 'schedule',
      now: Date.parse(JUNE_14_0330),
      reason: 'more than 7 days behind (catch-up limit)',
      takeOverRunning: false,
    });
    for (const asOf of [
      '2022-06-07',
      '2022-06-08',
      '2022-06-09',
      '2022-06-10',
      '2022-06-11',
      '2022-06-12',
      '2022-06-13',
    ])
      await succeeded(asOf);
    const report = await runAt('2022-06-14T02:30:10Z', { catchUpDays: 14 });
    expect(report.dates.map((d) => `${d.asOf} ${d.state} ${d.attempt}`)).toEqual([
      '2022-06-04 succeeded 1',
      '2022-06-05 succeeded 1',
      '2022-06-06 succeeded 1',
    ]);
  });

  it('records a failed date that fell out of the window as skipped, keeping its last error', async () => {
    await succeeded('2022-06-02');
    await claimNightlyRun(test.db, '2022-06-03', {
      trigger: 'schedule',
      now: Date.parse('2022-06-04T02:30:00Z'),
      takeOverRunning: false,
    });
    await markNightlyRunFailed(test.db, '2022-06-03', {
      attempt: 1,
      now: Date.parse('2022-06-04T02:30:00Z'),
      published: [],
      error: 'kent: boom',
    });
    for (const asOf of [
      '2022-06-04',
      '2022-06-05',
      '2022-06-06',
      '2022-06-07',
      '2022-06-08',
      '2022-06-09',
      '2022-06-10',
      '2022-06-11',
      '2022-06-12',
    ]) {
      await succeeded(asOf);
    }
    // The window of a run on the 14th is the 7th to the 13th.
    const report = await runAt(JUNE_14_0330);
    expect(report.skipped).toEqual(['2022-06-03']);
    expect(report.dates.map((d) => d.asOf)).toEqual(['2022-06-13']);
    expect(await readNightlyRun(test.db, '2022-06-03')).toMatchObject({
      state: 'skipped',
      error: 'more than 7 days behind (catch-up limit); last attempt: kent: boom',
    });
  });

  it('delivers pending snapshots before the dates, and carries on when that fails', async () => {
    const order: string[] = [];
    publisher.beforeReturn = async (call) => {
      order.push(call);
    };
    await runAt(JUNE_14_0330, {
      deliverPending: async () => {
        order.push('deliver');
        throw new Error('SNAPSHOT_DIR not writable');
      },
    });
    expect(order).toEqual(['deliver', ...both('2022-06-13')]);
    expect((await readNightlyRun(test.db, '2022-06-13'))?.state).toBe('succeeded');
  });

  it('retries a first-ever run that failed on the following night too', async () => {
    publisher.failOn = 'kent@2022-06-13';
    await expect(runAt(JUNE_14_0330)).rejects.toBeInstanceOf(NightlyRunFailedError);
    publisher.failOn = undefined;
    publisher.calls.length = 0;
    await runAt('2022-06-15T02:30:00Z');
    expect(publisher.calls).toEqual([...both('2022-06-13'), ...both('2022-06-14')]);
  });

  it('takes over a date left running by a run that died', async () => {
    await succeeded('2022-06-12');
    // A run claimed the 13th and its process was killed: its lock went with its connection.
    await claimNightlyRun(test.db, '2022-06-13', {
      trigger: 'schedule',
      now: Date.parse('2022-06-14T02:30:00Z'),
      takeOverRunning: false,
    });
    const report = await runAt('2022-06-14T02:31:00Z', { trigger: 'startup' });
    expect(report.dates.map((d) => `${d.asOf} ${d.state} ${d.attempt}`)).toEqual(['2022-06-13 succeeded 2']);
    expect(publisher.calls).toEqual(both('2022-06-13'));
  });

  it('fails the run when revising stale snapshots fails, after the dates are recorded', async () => {
    const failing = async (): Promise<never> => {
      throw new Error('heads unreadable');
    };
    const error = await runAt(JUNE_14_0330, { reviseStale: failing }).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(NightlyRunFailedError);
    expect((error as Error).message).toBe('revising stale snapshots failed: heads unreadable');
    expect((await readNightlyRun(test.db, '2022-06-13'))?.state).toBe('succeeded');
    const retry = await runAt('2022-06-14T02:30:07Z');
    expect(retry.dates).toEqual([]);
    expect(publisher.reviseCalls.count).toBe(1);
  });

  describe('across the DST changes', () => {
    it('publishes exactly the previous date at 03:30 London on the spring-forward day', async () => {
      await succeeded('2022-03-25');
      // 2022-03-27 is 23 hours long; 03:30 BST is 02:30 UTC.
      const report = await runAt('2022-03-27T02:30:00Z');
      expect(report.dates.map((d) => d.asOf)).toEqual(['2022-03-26']);
      expect(publisher.calls).toEqual(both('2022-03-26'));
    });

    it('publishes exactly the previous date at 03:30 London on the autumn-back day', async () => {
      await succeeded('2022-10-28');
      // 2022-10-30 is 25 hours long; 03:30 GMT is 03:30 UTC.
      const report = await runAt('2022-10-30T03:30:00Z');
      expect(report.dates.map((d) => d.asOf)).toEqual(['2022-10-29']);
      expect(publisher.calls).toEqual(both('2022-10-29'));
    });

    it('publishes each date once over the scheduler fires of both DST weekends', async () => {
      for (const [from, latest] of [
        ['2022-03-24T12:00:00Z', '2022-03-23'],
        ['2022-10-27T12:00:00Z', '2022-10-26'],
      ] as const) {
        await test.db.deleteFrom('nightly_runs').execute();
        publisher.calls.length = 0;
        await succeeded(latest);
        // The fire instants BullMQ computes for the installed pattern, each run at its instant.
        const fires = nextNightlyFires(Date.parse(from), 5, { cron: '30 3 * * *', timeZone: LONDON });
        for (const fire of fires) await runAt(new Date(fire).toISOString());
        // Five fires, five consecutive dates, the 23- or 25-hour day among them.
        const days = [1, 2, 3, 4, 5].map((n) => addDays(latest, n));
        expect(publisher.calls).toEqual(days.flatMap(both));
      }
    });
  });
});
