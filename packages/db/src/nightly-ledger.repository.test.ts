import { createTestDatabase, type TestDatabase } from '../test/index.ts';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  claimNightlyRun,
  listNightlyRuns,
  markNightlyRunFailed,
  markNightlyRunSucceeded,
  readNightlyLedgerBounds,
  readNightlyLedgerView,
  readNightlyRun,
  recordSkippedNightlyRuns,
  type NightlyPublication,
} from './nightly-ledger.repository.ts';

let test: TestDatabase;
beforeAll(async () => {
  test = await createTestDatabase();
});
afterAll(async () => {
  await test.destroy();
});
beforeEach(async () => {
  await test.db.deleteFrom('nightly_runs').execute();
});

const NOW = Date.parse('2022-06-14T02:30:00Z');
const claim = (asOf: string, takeOverRunning = false) =>
  claimNightlyRun(test.db, asOf, { trigger: 'schedule', now: NOW, takeOverRunning });
const outcome = (asOf: string): NightlyPublication => ({
  forceId: 'kent',
  asOf,
  snapshotId: `s-${asOf}`,
  revision: 1,
  created: true,
});

describe('claimNightlyRun', () => {
  it('claims a new date as running, attempt 1', async () => {
    const result = await claim('2022-06-13');
    expect(result.claimed).toBe(true);
    expect(result.run).toMatchObject({
      asOf: '2022-06-13',
      state: 'running',
      attempts: 1,
      trigger: 'schedule',
      startedAt: new Date(NOW),
    });
  });

  it('gives a date to exactly one of many concurrent claims', async () => {
    const results = await Promise.all(Array.from({ length: 6 }, () => claim('2022-06-13')));
    expect(results.filter((r) => r.claimed)).toHaveLength(1);
    expect(results.filter((r) => !r.claimed).map((r) => r.run?.state)).toEqual(Array(5).fill('running'));
    expect((await readNightlyRun(test.db, '2022-06-13'))?.attempts).toBe(1);
  });

  it('never claims a succeeded date again, not even when taking over', async () => {
    await claim('2022-06-13');
    expect(
      await markNightlyRunSucceeded(test.db, '2022-06-13', {
        attempt: 1,
        now: NOW + 1_000,
        published: [outcome('2022-06-13')],
      }),
    ).toBe(true);
    expect(await claim('2022-06-13', true)).toMatchObject({ claimed: false, run: { state: 'succeeded', attempts: 1 } });
    const run = await readNightlyRun(test.db, '2022-06-13');
    expect(run).toMatchObject({
      state: 'succeeded',
      finishedAt: new Date(NOW + 1_000),
      error: null,
      published: [outcome('2022-06-13')],
    });
  });

  it('claims a failed date again, counting the attempt and clearing the old error', async () => {
    await claim('2022-06-13');
    await markNightlyRunFailed(test.db, '2022-06-13', { attempt: 1, now: NOW, published: [], error: 'kent: boom' });
    expect(await readNightlyRun(test.db, '2022-06-13')).toMatchObject({
      state: 'failed',
      error: 'kent: boom',
      attempts: 1,
    });
    const again = await claimNightlyRun(test.db, '2022-06-13', {
      trigger: 'startup',
      now: NOW + 60_000,
      takeOverRunning: false,
    });
    expect(again).toMatchObject({
      claimed: true,
      run: { state: 'running', attempts: 2, trigger: 'startup', error: null, finishedAt: null },
    });
  });

  it('takes over a running date only when asked (under the nightly lock), fencing the old attempt out', async () => {
    await claim('2022-06-13');
    expect((await claim('2022-06-13')).claimed).toBe(false);
    expect(await claim('2022-06-13', true)).toMatchObject({ claimed: true, run: { attempts: 2 } });
    // The first attempt, had it survived, can no longer record anything.
    expect(await markNightlyRunSucceeded(test.db, '2022-06-13', { attempt: 1, now: NOW, published: [] })).toBe(false);
    expect(await markNightlyRunSucceeded(test.db, '2022-06-13', { attempt: 2, now: NOW, published: [] })).toBe(true);
  });
});

describe('recordSkippedNightlyRuns', () => {
  it('records missing dates, turns failed ones into skipped keeping their error, and leaves succeeded alone', async () => {
    await claim('2022-06-02');
    await markNightlyRunSucceeded(test.db, '2022-06-02', { attempt: 1, now: NOW, published: [] });
    await claim('2022-06-03');
    await markNightlyRunFailed(test.db, '2022-06-03', { attempt: 1, now: NOW, published: [], error: 'kent: boom' });
    await claim('2022-06-04');

    const options = { trigger: 'schedule', now: NOW, reason: 'beyond the limit', takeOverRunning: false } as const;
    expect(
      await recordSkippedNightlyRuns(test.db, ['2022-06-01', '2022-06-02', '2022-06-03', '2022-06-04'], options),
    ).toBe(2);
    // Idempotent: a skipped date stays as it is.
    expect(await recordSkippedNightlyRuns(test.db, ['2022-06-01', '2022-06-03'], options)).toBe(0);

    const runs = await listNightlyRuns(test.db, { from: '2022-06-01', to: '2022-06-04' });
    expect(runs.map((r) => [r.asOf, r.state, r.attempts, r.error])).toEqual([
      ['2022-06-04', 'running', 1, null],
      ['2022-06-03', 'skipped', 1, 'beyond the limit; last attempt: kent: boom'],
      ['2022-06-02', 'succeeded', 1, null],
      ['2022-06-01', 'skipped', 0, 'beyond the limit'],
    ]);
  });
});

describe('readNightlyLedgerBounds', () => {
  it('reads the latest success and the first recorded date', async () => {
    expect(await readNightlyLedgerBounds(test.db)).toEqual({ latestSucceeded: null, firstRecorded: null });
    await claim('2022-06-10');
    expect(await readNightlyLedgerBounds(test.db)).toEqual({ latestSucceeded: null, firstRecorded: '2022-06-10' });
    await markNightlyRunSucceeded(test.db, '2022-06-10', { attempt: 1, now: NOW, published: [] });
    await claim('2022-06-11');
    expect(await readNightlyLedgerBounds(test.db)).toEqual({
      latestSucceeded: '2022-06-10',
      firstRecorded: '2022-06-10',
    });
  });
});

describe('readNightlyLedgerView', () => {
  it('reads the successes from the window on and the unfinished dates before it', async () => {
    const fail = async (asOf: string) => {
      await claim(asOf);
      await markNightlyRunFailed(test.db, asOf, { attempt: 1, now: NOW, published: [], error: 'kent: boom' });
    };
    const succeed = async (asOf: string) => {
      await claim(asOf);
      await markNightlyRunSucceeded(test.db, asOf, { attempt: 1, now: NOW, published: [] });
    };
    await succeed('2022-06-01');
    await fail('2022-06-02');
    await claim('2022-06-03'); // left running by a run that died
    await recordSkippedNightlyRuns(test.db, ['2022-06-04'], {
      trigger: 'schedule',
      now: NOW,
      reason: 'beyond the limit',
      takeOverRunning: false,
    });
    await succeed('2022-06-07');
    await fail('2022-06-08');
    await succeed('2022-06-09');
    expect(await readNightlyLedgerView(test.db, '2022-06-07')).toEqual({
      latestSucceeded: '2022-06-09',
      firstRecorded: '2022-06-01',
      succeeded: ['2022-06-07', '2022-06-09'],
      unfinished: ['2022-06-02', '2022-06-03'],
    });
  });
});
