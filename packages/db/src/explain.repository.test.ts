import { createTestDatabase, type TestDatabase } from '../test/index.ts';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  countEventsByDay,
  readAggregateDayRows,
  readEventsReceivedAfter,
  readSnapshotPublishedAt,
} from './explain.repository.ts';

let test: TestDatabase;
const FORCE = 'avon-and-somerset';

const received = new Map<string, string>();
const row = (
  eventId: string,
  occurredAt: string,
  receivedAt: string,
  overrides: { feed?: string; forceId?: string; type?: string } = {},
) => (
  received.set(eventId, receivedAt),
  {
    feed: overrides.feed ?? 'dvpo',
    event_id: eventId,
    type: overrides.type ?? 'dvpo.applied',
    force_id: overrides.forceId ?? FORCE,
    occurred_at: occurredAt,
    entity_kind: 'protection-case',
    entity_id: eventId,
    envelope: JSON.stringify({ eventId }),
    payload: JSON.stringify({ subjectRef: 'psn_0123456789abcdef0123456789abcdef' }),
  }
);

beforeAll(async () => {
  test = await createTestDatabase();
  await test.db
    .insertInto('events')
    .values([
      // 30 June 23:30 UTC is 1 July 00:30 in London (BST): a July event.
      row('e-1', '2022-06-30T23:30:00Z', '2022-07-02T09:00:00Z'),
      row('e-2', '2022-07-01T12:00:00Z', '2022-07-02T10:00:00Z', { type: 'dvpo.decided' }),
      row('e-3', '2022-07-02T08:00:00Z', '2022-07-05T10:00:00Z'),
      row('e-4', '2022-06-30T22:59:59Z', '2022-07-06T10:00:00Z'),
      row('other-feed', '2022-07-01T12:00:00Z', '2022-07-06T10:00:00Z', {
        feed: 'stop-search',
        type: 'stop-search.recorded',
      }),
      row('other-force', '2022-07-01T12:00:00Z', '2022-07-06T10:00:00Z', { forceId: 'wiltshire' }),
    ])
    .execute();
  // received_at is the insert's now(); the tests set the times stored themselves.
  for (const [eventId, at] of received)
    await sql`update events set received_at = ${at}::timestamptz where event_id = ${eventId}`.execute(test.db);
  await test.db
    .insertInto('daily_aggregates')
    .values([
      { force_id: FORCE, day: '2022-06-30', metric: 'dvpo.applied', dim: '', value: 5 },
      { force_id: FORCE, day: '2022-07-01', metric: 'dvpo.applied', dim: '', value: 2 },
      { force_id: FORCE, day: '2022-07-01', metric: 'dvpo.decided', dim: 'granted', value: 1 },
      { force_id: FORCE, day: '2022-07-02', metric: 'dvpo.applied', dim: '', value: 0 },
      { force_id: FORCE, day: '2022-07-03', metric: 'dvpo.applied', dim: '', value: 3 },
      { force_id: 'wiltshire', day: '2022-07-01', metric: 'dvpo.applied', dim: '', value: 9 },
    ])
    .execute();
});
afterAll(async () => {
  await test.destroy();
});

describe('readAggregateDayRows', () => {
  it('gives the non-zero rows of the force, metrics and days asked for, by day', async () => {
    expect(
      await readAggregateDayRows(test.db, {
        forceId: FORCE,
        from: '2022-07-01',
        to: '2022-07-03',
        metrics: ['dvpo.applied'],
      }),
    ).toEqual([
      { day: '2022-07-01', metric: 'dvpo.applied', dim: '', value: 2 },
      { day: '2022-07-03', metric: 'dvpo.applied', dim: '', value: 3 },
    ]);
    expect(
      await readAggregateDayRows(test.db, {
        forceId: FORCE,
        from: null,
        to: '2022-07-01',
        metrics: ['dvpo.applied', 'dvpo.decided'],
      }),
    ).toEqual([
      { day: '2022-06-30', metric: 'dvpo.applied', dim: '', value: 5 },
      { day: '2022-07-01', metric: 'dvpo.applied', dim: '', value: 2 },
      { day: '2022-07-01', metric: 'dvpo.decided', dim: 'granted', value: 1 },
    ]);
    expect(await readAggregateDayRows(test.db, { forceId: FORCE, from: null, to: '2022-07-31', metrics: [] })).toEqual(
      [],
    );
  });
});

describe('countEventsByDay', () => {
  it('counts the feed’s events per day by the instants given, with the latest time stored', async () => {
    // London days of July 2022 start at 23:00 UTC the day before.
    const span = (day: string, start: string, end: string) => ({ day, start: new Date(start), end: new Date(end) });
    const days = [
      span('2022-06-30', '2022-06-29T23:00:00Z', '2022-06-30T23:00:00Z'),
      span('2022-07-01', '2022-06-30T23:00:00Z', '2022-07-01T23:00:00Z'),
      span('2022-07-02', '2022-07-01T23:00:00Z', '2022-07-02T23:00:00Z'),
      span('2022-07-03', '2022-07-02T23:00:00Z', '2022-07-03T23:00:00Z'),
    ];
    expect(await countEventsByDay(test.db, { forceId: FORCE, feed: 'dvpo', days })).toEqual([
      { day: '2022-06-30', events: 1, latestReceivedAt: new Date('2022-07-06T10:00:00Z') },
      { day: '2022-07-01', events: 2, latestReceivedAt: new Date('2022-07-02T10:00:00Z') },
      { day: '2022-07-02', events: 1, latestReceivedAt: new Date('2022-07-05T10:00:00Z') },
    ]);
    expect(await countEventsByDay(test.db, { forceId: FORCE, feed: 'dvpo', days: [] })).toEqual([]);
  });
});

describe('readEventsReceivedAfter', () => {
  it('lists by id and type the events of the period stored in the window, oldest stored first', async () => {
    const july = {
      forceId: FORCE,
      feed: 'dvpo',
      occurredFrom: new Date('2022-06-30T23:00:00Z'),
      occurredTo: new Date('2022-07-31T23:00:00Z'),
      limit: 10,
    };
    expect(
      await readEventsReceivedAfter(test.db, {
        ...july,
        receivedAfter: new Date('2022-07-02T09:00:00Z'),
        receivedUntil: null,
      }),
    ).toEqual({
      total: 2,
      events: [
        { eventId: 'e-2', type: 'dvpo.decided' },
        { eventId: 'e-3', type: 'dvpo.applied' },
      ],
    });
    expect(
      await readEventsReceivedAfter(test.db, {
        ...july,
        receivedAfter: new Date('2022-07-01T00:00:00Z'),
        receivedUntil: new Date('2022-07-02T10:00:00Z'),
        limit: 1,
      }),
    ).toEqual({
      total: 2,
      events: [{ eventId: 'e-1', type: 'dvpo.applied' }],
    });
    expect(
      await readEventsReceivedAfter(test.db, {
        ...july,
        occurredFrom: null,
        receivedAfter: new Date('2022-07-05T10:00:00Z'),
        receivedUntil: null,
      }),
    ).toEqual({
      total: 1,
      events: [{ eventId: 'e-4', type: 'dvpo.applied' }],
    });
  });
});

describe('readSnapshotPublishedAt', () => {
  it('is the outbox row’s time when there is one, otherwise generated_at; undefined for an unknown snapshot', async () => {
    const snapshot = (id: string) => ({
      snapshot_id: id,
      force_id: FORCE,
      as_of: '2022-07-31',
      revision: Number(id.slice(-1)),
      supersedes: null,
      content_hash: `h-${id}`,
      generated_at: '2022-08-01T02:30:00Z',
      document: JSON.stringify({}),
    });
    await test.db
      .insertInto('snapshots')
      .values([snapshot(`${FORCE}_2022-07-31_r1`), snapshot(`${FORCE}_2022-07-31_r2`)])
      .execute();
    await test.db
      .insertInto('snapshot_outbox')
      .values({
        snapshot_id: `${FORCE}_2022-07-31_r2`,
        force_id: FORCE,
        as_of: '2022-07-31',
        enqueued_at: '2022-08-01T02:30:05Z',
      })
      .execute();
    expect(await readSnapshotPublishedAt(test.db, `${FORCE}_2022-07-31_r1`)).toEqual(new Date('2022-08-01T02:30:00Z'));
    expect(await readSnapshotPublishedAt(test.db, `${FORCE}_2022-07-31_r2`)).toEqual(new Date('2022-08-01T02:30:05Z'));
    expect(await readSnapshotPublishedAt(test.db, `${FORCE}_2022-07-31_r3`)).toBeUndefined();
  });
});
