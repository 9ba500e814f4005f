import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exampleEvent } from '@rollcall/contract';
import { findLatestSnapshot, readPreReleaseAccess, readRelease } from '@rollcall/db';
import { createSilentLogger } from '@rollcall/logger';
import { createRedisConnection, QueueFactory, SNAPSHOTS_PUBLISHED_QUEUE, waitForRedisReady } from '@rollcall/queue';
import { storeFeedBatch } from '@rollcall/store';
import {
  createTestDatabase,
  createTestRedis,
  type TestDatabase,
  testIngestContext,
  type TestRedis,
} from '@rollcall/testing';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareSnapshotInputs } from './compare-snapshot-inputs.ts';
import type { PublishDeps } from './publish-deps.ts';
import { publishSnapshot } from './publish-snapshot.ts';
import { admitSnapshots, snapshotReaderOf } from './release-access.ts';
import { ReleaseScheduleError, scheduleRelease } from './release-calendar.ts';
import { parseReleaseTime } from './release-time.ts';
import { drainSnapshotOutbox } from './snapshot-outbox.ts';

const FORCE = 'avon-and-somerset';
const AS_OF = '2022-03-31';
const R1 = `${FORCE}_${AS_OF}_r1`;
const R2 = `${FORCE}_${AS_OF}_r2`;
// 09:30 London on 1 April 2022 is 08:30 UTC: British Summer Time began on 27 March.
const RELEASE_AT = new Date('2022-04-01T08:30:00.000Z');

let test: TestDatabase;
let testRedis: TestRedis;
let redis: ReturnType<typeof createRedisConnection>;
let queues: QueueFactory;
let dir: string;
let clock = new Date('2022-03-31T12:00:00.000Z');
let deps: PublishDeps;
const context = testIngestContext();

/** 999 calls presented on `day`: `fast` answered in 5 s, `slow` in 30 s. */
function calls(day: string, fast: number, slow: number, prefix: string) {
  return Array.from({ length: fast + slow }, (_, i) => {
    const callId = `${prefix}-${i}`;
    const presentedAt = `${day}T10:00:00Z`;
    return [
      exampleEvent('call.presented', {
        eventId: `${callId}-p`,
        occurredAt: presentedAt,
        payload: { callId, btTransferSeconds: 0 },
      }),
      exampleEvent('call.answered', {
        eventId: `${callId}-a`,
        occurredAt: new Date(Date.parse(presentedAt) + (i < fast ? 5_000 : 30_000)).toISOString(),
        payload: { callId },
      }),
    ];
  }).flat();
}

const monthFigure = (document: {
  measures: readonly { measureId: string; period: { id: string }; value: number | null; flags: readonly string[] }[];
}) => document.measures.find((m) => m.measureId === 'calls.999.answered_within_10s' && m.period.id === 'month');
const publishedMessage = (snapshotId: string) => queues.queue(SNAPSHOTS_PUBLISHED_QUEUE).getJob(snapshotId);
const rowsOfDate = async () =>
  (
    await sql<{
      n: string;
    }>`select count(*) as n from snapshots where force_id = ${FORCE} and as_of = ${AS_OF}`.execute(test.db)
  ).rows[0]?.n;
const latestJson = async () =>
  JSON.parse(await readFile(join(dir, FORCE, 'latest.json'), 'utf8')) as { snapshotId: string };

beforeAll(async () => {
  test = await createTestDatabase();
  testRedis = createTestRedis();
  redis = createRedisConnection(testRedis.url, { role: 'producer' });
  await waitForRedisReady(redis);
  queues = new QueueFactory({ connection: redis, prefix: testRedis.prefix, log: createSilentLogger() });
  dir = await mkdtemp(join(tmpdir(), 'rollcall-release-'));
  deps = {
    db: test.db,
    queues,
    snapshotDir: dir,
    disclosure: { maxSuppressedCount: 4 },
    timeZone: 'Europe/London',
    log: createSilentLogger(),
    now: () => clock,
  };
  await storeFeedBatch(
    test.db,
    { feed: 'call-handling', inputs: calls('2022-03-01', 90, 10, 'mar'), source: 'test' },
    context,
  );
  // The day before is published without an embargo: it is what `latest.*` holds meanwhile.
  await publishSnapshot(deps, FORCE, '2022-03-30');
});
afterAll(async () => {
  await queues?.close();
  redis?.disconnect();
  await testRedis?.destroy();
  await test?.destroy();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('release control', () => {
  it('reads the announced time in London time, summer or winter', () => {
    expect(parseReleaseTime('2022-04-01T09:30', 'Europe/London')).toEqual(RELEASE_AT);
    expect(parseReleaseTime('2027-01-14T09:30', 'Europe/London')).toEqual(new Date('2027-01-14T09:30:00.000Z'));
    expect(() => parseReleaseTime('2027-03-28T01:30', 'Europe/London')).toThrow('does not exist in Europe/London');
    expect(() => parseReleaseTime('14/01/2027 09:30', 'Europe/London')).toThrow('is not a local time YYYY-MM-DDTHH:MM');
  });

  it('refuses a release of a date already published, in the past, or before the day has ended', async () => {
    const request = { forceId: FORCE, asOf: '2022-03-30', releaseAt: RELEASE_AT, timeZone: 'Europe/London' };
    await expect(scheduleRelease(test.db, request, clock)).rejects.toThrow(
      `${FORCE} as of 2022-03-30 is already published (${FORCE}_2022-03-30_r1): a release can be announced only before the date is published`,
    );
    await expect(
      scheduleRelease(test.db, { ...request, asOf: AS_OF, releaseAt: new Date('2022-03-31T11:00:00Z') }, clock),
    ).rejects.toThrow(ReleaseScheduleError);
    await expect(
      scheduleRelease(test.db, { ...request, asOf: AS_OF, releaseAt: new Date('2022-03-31T22:00:00Z') }, clock),
    ).rejects.toThrow('is before the end of 2022-03-31');
    await expect(scheduleRelease(test.db, { ...request, forceId: 'atlantis' }, clock)).rejects.toThrow(
      '"atlantis" is not a force of the reference data',
    );
  });

  it('embargoes the snapshot the nightly run computes: no files, no message, not in latest, hidden from readers', async () => {
    const release = await scheduleRelease(
      test.db,
      { forceId: FORCE, asOf: AS_OF, releaseAt: RELEASE_AT, timeZone: 'Europe/London' },
      clock,
    );
    expect(release).toMatchObject({ forceId: FORCE, asOf: AS_OF, releaseAt: RELEASE_AT, releasedAt: null });
    clock = new Date('2022-04-01T02:30:00.000Z'); // the nightly run, 03:30 London
    const outcome = await publishSnapshot(deps, FORCE, AS_OF);
    expect(outcome).toMatchObject({ snapshotId: R1, revision: 1, created: true, files: null });
    expect(monthFigure(outcome.document)).toMatchObject({ value: 90, flags: [] });
    expect(existsSync(join(dir, FORCE, AS_OF))).toBe(false);
    expect((await latestJson()).snapshotId).toBe(`${FORCE}_2022-03-30_r1`);
    expect(await publishedMessage(R1)).toBeUndefined();
    expect((await findLatestSnapshot(test.db, FORCE, { visibleAt: clock }))?.snapshotId).toBe(`${FORCE}_2022-03-30_r1`);

    const reader = snapshotReaderOf({ name: 'qlik', scopes: ['read:snapshots'] }, clock, `GET /v1/snapshots/${R1}`);
    expect(await admitSnapshots(test.db, reader, [{ snapshotId: R1, forceId: FORCE, asOf: AS_OF }])).toEqual([]);
    expect(await readPreReleaseAccess(test.db, FORCE, AS_OF)).toEqual([]);
    const minister = snapshotReaderOf(
      { name: 'pcc-office', scopes: ['read:snapshots', 'pre-release'] },
      clock,
      `GET /v1/snapshots/${R1}`,
    );
    const seen = await admitSnapshots(test.db, minister, [
      { snapshotId: R1, forceId: FORCE, asOf: AS_OF, contentHash: outcome.document.contentHash },
    ]);
    expect(seen.map((snapshot) => snapshot.snapshotId)).toEqual([R1]);
    expect(await readPreReleaseAccess(test.db, FORCE, AS_OF)).toEqual([
      {
        tokenName: 'pcc-office',
        snapshotId: R1,
        forceId: FORCE,
        asOf: AS_OF,
        what: `GET /v1/snapshots/${R1}`,
        contentHash: outcome.document.contentHash,
        accessedAt: clock,
      },
    ]);
  });

  it('changes the embargoed figures in place when late events arrive before release: no revision, no [r]', async () => {
    await storeFeedBatch(
      test.db,
      { feed: 'call-handling', inputs: calls('2022-03-02', 0, 20, 'late'), source: 'test' },
      context,
    );
    clock = new Date('2022-04-01T05:00:00.000Z');
    const outcome = await publishSnapshot(deps, FORCE, AS_OF);
    expect(outcome).toMatchObject({ snapshotId: R1, revision: 1, created: true });
    expect(outcome.document).toMatchObject({ supersedes: null, revisionOf: null });
    expect(monthFigure(outcome.document)).toMatchObject({ value: 75, flags: [] });
    expect(Number(await rowsOfDate())).toBe(1);
    expect(existsSync(join(dir, FORCE, AS_OF))).toBe(false);
  });

  it('releases at the announced time: files, latest and message from then, and the release recorded', async () => {
    clock = new Date(RELEASE_AT.getTime() - 1);
    expect(await drainSnapshotOutbox(deps)).toEqual([]);
    expect((await findLatestSnapshot(test.db, FORCE, { visibleAt: clock }))?.snapshotId).toBe(`${FORCE}_2022-03-30_r1`);
    clock = RELEASE_AT;
    expect((await findLatestSnapshot(test.db, FORCE, { visibleAt: clock }))?.snapshotId).toBe(R1);
    const delivered = await drainSnapshotOutbox(deps);
    expect(delivered.map((outcome) => [outcome.snapshotId, outcome.error])).toEqual([[R1, null]]);
    const file = JSON.parse(await readFile(join(dir, FORCE, AS_OF, `${R1}.json`), 'utf8'));
    expect(monthFigure(file)).toMatchObject({ value: 75, flags: [] });
    expect((await latestJson()).snapshotId).toBe(R1);
    expect((await publishedMessage(R1))?.data).toMatchObject({ snapshotId: R1 });
    expect((await readRelease(test.db, FORCE, AS_OF))?.releasedAt).toEqual(RELEASE_AT);
    const reader = snapshotReaderOf({ name: 'qlik', scopes: ['read:snapshots'] }, clock, `GET /v1/snapshots/${R1}`);
    expect(await admitSnapshots(test.db, reader, [{ snapshotId: R1, forceId: FORCE, asOf: AS_OF }])).toHaveLength(1);
  });

  it('follows the revisions policy after release, and PostgreSQL refuses to change the released snapshot', async () => {
    await expect(
      sql`update snapshots set content_hash = 'x' where snapshot_id = ${R1}`.execute(test.db),
    ).rejects.toThrow(`snapshot ${R1} is published and cannot be changed`);
    await storeFeedBatch(
      test.db,
      { feed: 'call-handling', inputs: calls('2022-03-03', 20, 0, 'after'), source: 'test' },
      context,
    );
    clock = new Date('2022-04-02T02:30:00.000Z');
    const outcome = await publishSnapshot(deps, FORCE, AS_OF);
    expect(outcome).toMatchObject({ snapshotId: R2, revision: 2, created: true });
    expect(outcome.document.revisionOf).toMatchObject({ supersedes: R1, reasons: { lateEvents: 40 } });
    expect(monthFigure(outcome.document)).toMatchObject({ flags: ['[r]'] });
    expect(existsSync(join(dir, FORCE, AS_OF, `${R2}.json`))).toBe(true);
  });

  it('carries the watermark of its inputs per feed beside the hash, and compares two snapshots on them', async () => {
    const r1 = (
      await sql<{ document: never }>`select document from snapshots where snapshot_id = ${R1}`.execute(test.db)
    ).rows[0]?.document;
    const r2 = (
      await sql<{ document: never }>`select document from snapshots where snapshot_id = ${R2}`.execute(test.db)
    ).rows[0]?.document;
    if (!r1 || !r2) throw new Error('both revisions are stored');
    const accounting = (
      await sql<{
        updated_at: Date;
      }>`select updated_at from event_accounting where feed = 'call-handling' and force_id = ${FORCE}`.execute(test.db)
    ).rows[0];
    expect((r2 as { inputs: { watermarks: unknown } }).inputs.watermarks).toEqual({
      'call-handling': { storedEvents: 280, lastIngestAt: accounting?.updated_at.toISOString() },
      'wanted-persons': { storedEvents: 0, lastIngestAt: null },
      dvpo: { storedEvents: 0, lastIngestAt: null },
      'stop-search': { storedEvents: 0, lastIngestAt: null },
    });
    const comparison = compareSnapshotInputs(r1, r2);
    expect(comparison).toMatchObject({
      before: R1,
      after: R2,
      sameInputs: false,
      sameFigures: false,
      referenceVersion: { same: true },
      codeVersion: { same: true },
    });
    expect(comparison.feeds.find((feed) => feed.feed === 'call-handling')).toMatchObject({
      storedBetween: 40,
      same: false,
      before: { storedEvents: 240, events: 240 },
      after: { storedEvents: 280, events: 280 },
    });
    expect(comparison.feeds.find((feed) => feed.feed === 'dvpo')).toMatchObject({ storedBetween: 0, same: true });
    expect(compareSnapshotInputs(r2, r2)).toMatchObject({ sameInputs: true, sameFigures: true });
  });
});
