import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApi } from '@rollcall/api';
import { loadConfig } from '@rollcall/config';
import { exampleEvent } from '@rollcall/contract';
import { readPreReleaseAccess, readRelease } from '@rollcall/db';
import { createSilentLogger } from '@rollcall/logger';
import { checkReleaseCalendar } from '@rollcall/ops';
import { drainSnapshotOutbox, type PublishDeps, publishSnapshot, scheduleRelease } from '@rollcall/publishing';
import { createRedisConnection, QueueFactory, waitForRedisReady } from '@rollcall/queue';
import { deliverDueReleases, runNightly } from '@rollcall/scheduling';
import { storeFeedBatch } from '@rollcall/store';
import {
  createTestDatabase,
  createTestRedis,
  type TestDatabase,
  testIngestContext,
  type TestRedis,
} from '@rollcall/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const FORCE = 'avon-and-somerset';
const log = createSilentLogger();
const token = () => {
  const value = `rc_${randomBytes(24).toString('base64url')}`;
  return { value, sha256: createHash('sha256').update(value).digest('hex') };
};
const reader = token();
const briefed = token();

let test: TestDatabase;
let testRedis: TestRedis;
let redis: ReturnType<typeof createRedisConnection>;
let queues: QueueFactory;
let app: ReturnType<typeof buildApi>;
let dir: string;
let clock = new Date('2022-03-31T12:00:00.000Z');
let deps: PublishDeps;

/** 999 calls presented on `day`, all answered in 5 s. */
const calls = (day: string, count: number, prefix: string) =>
  Array.from({ length: count }, (_, i) => [
    exampleEvent('call.presented', {
      eventId: `${prefix}-${i}-p`,
      occurredAt: `${day}T10:00:00Z`,
      payload: { callId: `${prefix}-${i}`, btTransferSeconds: 0 },
    }),
    exampleEvent('call.answered', {
      eventId: `${prefix}-${i}-a`,
      occurredAt: `${day}T10:00:05Z`,
      payload: { callId: `${prefix}-${i}` },
    }),
  ]).flat();

const get = (url: string, bearer: string) =>
  app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${bearer}` } });

beforeAll(async () => {
  test = await createTestDatabase();
  testRedis = createTestRedis();
  redis = createRedisConnection(testRedis.url, { role: 'producer' });
  await waitForRedisReady(redis);
  queues = new QueueFactory({ connection: redis, prefix: testRedis.prefix, log });
  dir = await mkdtemp(join(tmpdir(), 'rollcall-release-e2e-'));
  const config = loadConfig({
    DATABASE_URL: test.url,
    REDIS_URL: testRedis.url,
    QUEUE_PREFIX: testRedis.prefix,
    FORCES: FORCE,
    API_TOKENS: JSON.stringify([
      { name: 'dashboard', sha256: reader.sha256, scopes: ['read:snapshots'] },
      { name: 'pcc-office', sha256: briefed.sha256, scopes: ['read:snapshots', 'pre-release'] },
    ]),
  });
  app = buildApi({ db: test.db, queues, queueConnection: redis, config, log, now: () => clock });
  await app.ready();
  deps = {
    db: test.db,
    queues,
    snapshotDir: dir,
    disclosure: { maxSuppressedCount: 4 },
    timeZone: 'Europe/London',
    log,
    now: () => clock,
  };
  await storeFeedBatch(
    test.db,
    { feed: 'call-handling', inputs: calls('2022-03-01', 50, 'mar'), source: 'test' },
    testIngestContext(),
  );
});
afterAll(async () => {
  await app?.close();
  await queues?.close();
  redis?.disconnect();
  await testRedis?.destroy();
  await test?.destroy();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('an embargoed snapshot through the API', () => {
  const R1 = `${FORCE}_2022-03-31_r1`;
  const releaseAt = new Date('2022-04-01T08:30:00.000Z'); // 09:30 London (BST)

  it('is invisible to a read:snapshots token before its release, on every route', async () => {
    await scheduleRelease(test.db, { forceId: FORCE, asOf: '2022-03-31', releaseAt, timeZone: 'Europe/London' }, clock);
    clock = new Date('2022-04-01T02:30:00.000Z');
    await publishSnapshot(deps, FORCE, '2022-03-31');
    clock = new Date('2022-04-01T08:29:59.999Z');
    expect((await get(`/v1/snapshots/${R1}`, reader.value)).statusCode).toBe(404);
    expect((await get(`/v1/snapshots/${R1}?format=csv`, reader.value)).statusCode).toBe(404);
    expect((await get(`/v1/snapshots/latest?forceId=${FORCE}`, reader.value)).statusCode).toBe(404);
    expect((await get(`/v1/snapshots?forceId=${FORCE}`, reader.value)).json()).toMatchObject({
      count: 0,
      total: 0,
      nextCursor: null,
      snapshots: [],
    });
    // The force has no other snapshot: an empty series (as for a force not yet published), without the date.
    const series = await get(`/v1/measures/calls.999.answered_within_10s/series?forceId=${FORCE}`, reader.value);
    expect(series.body).not.toContain('2022-03-31');
    expect(
      (await get(`/v1/measures/calls.999.answered_within_10s/series?forceId=${FORCE}`, briefed.value)).body,
    ).toContain(R1);
    expect(
      (await get(`/v1/snapshots/${R1}/explain?measureId=calls.999.answered_within_10s`, reader.value)).statusCode,
    ).toBe(404);
    expect(await readPreReleaseAccess(test.db, FORCE, '2022-03-31')).toEqual([
      expect.objectContaining({
        tokenName: 'pcc-office',
        snapshotId: R1,
        what: `GET /v1/measures/calls.999.answered_within_10s/series?forceId=${FORCE}`,
        contentHash: null,
      }),
    ]);
  });

  it('is visible to a pre-release token, each fetch logged with who, what and when', async () => {
    const response = await get(`/v1/snapshots/${R1}`, briefed.value);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ snapshotId: R1 });
    expect((await readPreReleaseAccess(test.db, FORCE, '2022-03-31')).slice(1)).toEqual([
      {
        tokenName: 'pcc-office',
        snapshotId: R1,
        forceId: FORCE,
        asOf: '2022-03-31',
        what: `GET /v1/snapshots/${R1}`,
        contentHash: response.json().contentHash,
        accessedAt: clock,
      },
    ]);
  });

  it('is visible to everyone from the release time, with nothing switched', async () => {
    clock = releaseAt;
    expect((await get(`/v1/snapshots/${R1}`, reader.value)).statusCode).toBe(200);
    expect((await get(`/v1/snapshots/latest?forceId=${FORCE}`, reader.value)).json()).toMatchObject({ snapshotId: R1 });
    expect((await get(`/v1/snapshots?forceId=${FORCE}`, reader.value)).json()).toMatchObject({ count: 1, total: 1 });
    // After release a pre-release token's reads are ordinary reads: nothing more is logged.
    await get(`/v1/snapshots/${R1}`, briefed.value);
    expect(await readPreReleaseAccess(test.db, FORCE, '2022-03-31')).toHaveLength(2);
    await deliverDueReleases({ db: test.db, deliver: () => drainSnapshotOutbox(deps), log, now: () => clock });
    expect((await readRelease(test.db, FORCE, '2022-03-31'))?.releasedAt).toEqual(releaseAt);
    expect((await checkReleaseCalendar(test.db, clock.getTime())).status).toBe('ok');
  });
});

describe('a release the nightly run missed', () => {
  const AS_OF = '2022-04-30';
  const releaseAt = new Date('2022-05-01T08:30:00.000Z');

  it('is overdue in status while the scheduler is down, released when it is back, and status warns it was late', async () => {
    clock = new Date('2022-04-30T12:00:00.000Z');
    await scheduleRelease(test.db, { forceId: FORCE, asOf: AS_OF, releaseAt, timeZone: 'Europe/London' }, clock);
    await storeFeedBatch(
      test.db,
      { feed: 'call-handling', inputs: calls('2022-04-05', 30, 'apr'), source: 'test' },
      testIngestContext(),
    );
    // The scheduler is down from before 03:30 until 12:00 on 1 May: nothing ran at 09:30.
    clock = new Date('2022-05-01T11:00:00.000Z');
    const down = await checkReleaseCalendar(test.db, clock.getTime());
    expect(down.status).toBe('warn');
    expect(down.reasons).toEqual([
      `${FORCE} as of ${AS_OF} was due for release at 2022-05-01T08:30:00.000Z and its files and message are not out 150 min later: is the scheduler running, and the date published?`,
    ]);

    clock = new Date('2022-05-01T12:00:00.000Z');
    const report = await runNightly({
      db: test.db,
      forces: [FORCE],
      timeZone: 'Europe/London',
      catchUpDays: 7,
      publish: async (forceId, asOf) => {
        const outcome = await publishSnapshot(deps, forceId, asOf);
        return { forceId, asOf, snapshotId: outcome.snapshotId, revision: outcome.revision, created: outcome.created };
      },
      reviseStale: async () => [],
      deliverPending: () => drainSnapshotOutbox(deps),
      log,
      trigger: 'startup',
      now: () => clock.getTime(),
    });
    expect(report.dates.map((date) => [date.asOf, date.state])).toEqual([[AS_OF, 'succeeded']]);
    expect(existsSync(join(dir, FORCE, AS_OF, `${FORCE}_${AS_OF}_r1.json`))).toBe(true);
    expect((await readRelease(test.db, FORCE, AS_OF))?.releasedAt).toEqual(clock);
    expect((await get(`/v1/snapshots/latest?forceId=${FORCE}`, reader.value)).json()).toMatchObject({
      snapshotId: `${FORCE}_${AS_OF}_r1`,
    });

    const back = await checkReleaseCalendar(test.db, clock.getTime() + 60_000);
    expect(back.status).toBe('warn');
    expect(back.reasons).toEqual([
      `${FORCE} as of ${AS_OF} was released 210 min late, at 2022-05-01T12:00:00.000Z instead of 2022-05-01T08:30:00.000Z (the scheduler missed it)`,
    ]);
    // A day later the warning has done its job.
    expect((await checkReleaseCalendar(test.db, clock.getTime() + 25 * 3_600_000)).status).toBe('ok');
  });
});
