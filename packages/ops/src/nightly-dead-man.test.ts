import { type TestDatabase, test } from '@rollcall/testing';
import { describe, expect } from 'vitest';
import { checkNightlyDeadMan } from './nightly-dead-man.ts';

/** Each test starts from an empty ledger in the file's own database (the `database` fixture). */
async function emptyLedger(database: TestDatabase) {
  await database.db.deleteFrom('nightly_runs').execute();
  return database;
}

const HOUR = 3_600_000;
const now = Date.parse('2026-11-22T12:00:00Z');

const run = (test: TestDatabase, asOf: string, state: string, finishedAt: string | null, error: string | null = null) =>
  test.db
    .insertInto('nightly_runs')
    .values({
      as_of: asOf,
      state,
      trigger: 'schedule',
      started_at: finishedAt ?? new Date(now - HOUR).toISOString(),
      finished_at: finishedAt,
      error,
      published: '[]',
    })
    .execute();

describe('checkNightlyDeadMan', () => {
  test('is critical when no run has ever happened', async ({ database }) => {
    const test = await emptyLedger(database);
    expect(await checkNightlyDeadMan(test.db, { deadManHours: 26, now })).toMatchObject({
      status: 'critical',
      lastSuccessAt: null,
      lastSuccessAsOf: null,
      latestRun: null,
      reason: 'no nightly run has ever succeeded (none has run)',
    });
  });

  test('is critical when runs happened but none succeeded', async ({ database }) => {
    const test = await emptyLedger(database);
    await run(test, '2026-11-21', 'failed', '2026-11-22T03:31:00Z', 'connect ECONNREFUSED\n    at stack');
    const result = await checkNightlyDeadMan(test.db, { deadManHours: 26, now });
    expect(result.status).toBe('critical');
    expect(result.reason).toBe('no nightly run has ever succeeded (latest run as of 2026-11-21 is failed)');
  });

  test('is ok when the latest success is within the window', async ({ database }) => {
    const test = await emptyLedger(database);
    await run(test, '2026-11-20', 'succeeded', '2026-11-21T03:31:00Z');
    await run(test, '2026-11-21', 'succeeded', '2026-11-22T03:31:00Z');
    expect(await checkNightlyDeadMan(test.db, { deadManHours: 26, now })).toEqual({
      status: 'ok',
      lastSuccessAt: '2026-11-22T03:31:00.000Z',
      lastSuccessAsOf: '2026-11-21',
      hoursSinceSuccess: (now - Date.parse('2026-11-22T03:31:00Z')) / HOUR,
      latestRun: { asOf: '2026-11-21', state: 'succeeded', finishedAt: '2026-11-22T03:31:00.000Z', error: null },
      failedDates: 0,
      reason: null,
    });
  });

  test('is critical after deadManHours without a success, and ok at exactly the limit', async ({ database }) => {
    const test = await emptyLedger(database);
    await run(test, '2026-11-20', 'succeeded', '2026-11-21T03:31:00Z');
    const finished = Date.parse('2026-11-21T03:31:00Z');
    expect((await checkNightlyDeadMan(test.db, { deadManHours: 26, now: finished + 26 * HOUR })).status).toBe('ok');
    const late = await checkNightlyDeadMan(test.db, { deadManHours: 26, now: finished + 30.5 * HOUR });
    expect(late).toMatchObject({
      status: 'critical',
      reason: 'last successful nightly run (as of 2026-11-20) finished 30.5 h ago (critical after 26 h)',
    });
  });

  test('warns when the latest run failed, even inside the window', async ({ database }) => {
    const test = await emptyLedger(database);
    await run(test, '2026-11-20', 'succeeded', '2026-11-21T03:31:00Z');
    await run(test, '2026-11-21', 'failed', '2026-11-22T03:40:00Z', 'snapshot write failed: ENOSPC\nstack');
    // 24.5 h after the last success: inside the window, so the failure alone decides.
    const morning = Date.parse('2026-11-22T04:00:00Z');
    expect(await checkNightlyDeadMan(test.db, { deadManHours: 26, now: morning })).toMatchObject({
      status: 'warn',
      lastSuccessAsOf: '2026-11-20',
      latestRun: { asOf: '2026-11-21', state: 'failed' },
      reason: 'nightly run as of 2026-11-21 failed and has not succeeded since: snapshot write failed: ENOSPC',
    });
  });

  test('warns about an earlier date that failed even when later dates succeeded after it', async ({ database }) => {
    const test = await emptyLedger(database);
    // A run carries on after a failed date: the latest run succeeds, 2026-11-19 is still unpublished.
    await run(test, '2026-11-19', 'failed', '2026-11-22T03:35:00Z', 'snapshot write failed: ENOSPC');
    await run(test, '2026-11-20', 'failed', '2026-11-22T03:36:00Z', 'snapshot write failed: ENOSPC');
    await run(test, '2026-11-21', 'succeeded', '2026-11-22T03:40:00Z');
    expect(await checkNightlyDeadMan(test.db, { deadManHours: 26, now })).toMatchObject({
      status: 'warn',
      latestRun: { asOf: '2026-11-21', state: 'succeeded' },
      failedDates: 2,
      reason:
        'nightly run as of 2026-11-19 failed (and 1 later date(s)) and has not succeeded since: snapshot write failed: ENOSPC',
    });
  });

  test('names both the silence and the failure when the window has passed too', async ({ database }) => {
    const test = await emptyLedger(database);
    await run(test, '2026-11-20', 'succeeded', '2026-11-21T03:31:00Z');
    await run(test, '2026-11-21', 'failed', '2026-11-22T03:40:00Z', 'snapshot write failed: ENOSPC');
    expect(await checkNightlyDeadMan(test.db, { deadManHours: 26, now })).toMatchObject({
      status: 'critical',
      reason:
        'last successful nightly run (as of 2026-11-20) finished 32.5 h ago (critical after 26 h); ' +
        'nightly run as of 2026-11-21 failed and has not succeeded since: snapshot write failed: ENOSPC',
    });
  });
});
