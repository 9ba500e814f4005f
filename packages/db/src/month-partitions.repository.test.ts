import { createTestDatabase, type TestDatabase } from '../test/index.ts';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addToAccounting, checkAccounting } from './accounting.repository.ts';
import { addToAggregates, sumAggregatesOverWindows, windowSumsQuery } from './aggregates.repository.ts';
import { findContentHashes, insertNewEvents, type NewEvent } from './events.repository.ts';
import {
  assertEventsNotRetired,
  countDefaultPartitionRows,
  dropMonthPartitionsBefore,
  ensureMonthPartitions,
  listMonthPartitions,
  readRetentionHorizon,
  RetiredMonthsError,
} from './month-partitions.repository.ts';

let test: TestDatabase;
beforeAll(async () => {
  test = await createTestDatabase();
});
afterAll(async () => {
  await test.destroy();
});

const event = (eventId: string, occurredAt: string, contentHash = `hash-${eventId}`): NewEvent => ({
  feed: 'dvpo',
  eventId,
  type: 'dvpo.applied',
  forceId: 'avon-and-somerset',
  occurredAt,
  entityKind: 'protection-case',
  entityId: `case-${eventId}`,
  contentHash,
  body: { eventId },
});

/** Which partition holds each event. */
const partitionsOf = async (db: TestDatabase['db']) =>
  Object.fromEntries(
    (
      await sql<{ event_id: string; part: string }>`
        select event_id, tableoid::regclass::text as part from events order by event_id`.execute(db)
    ).rows.map((row) => [row.event_id, row.part]),
  );

/** The partitions a plan reads: the relation names of its scan nodes. */
const scannedRelations = (plan: unknown): string[] => {
  const found = new Set<string>();
  const walk = (node: unknown) => {
    if (typeof node !== 'object' || node === null) return;
    const record = node as Record<string, unknown>;
    if (typeof record['Relation Name'] === 'string') found.add(record['Relation Name']);
    for (const value of Object.values(record)) walk(value);
  };
  walk(plan);
  return [...found].sort();
};

describe('month partitions', () => {
  it('put each event in its London month; months without a partition go to DEFAULT, and move out when one is made', async () => {
    expect(await ensureMonthPartitions(test.db, 'events', ['2024-06', '2024-07'], 'Europe/London')).toEqual([
      'events_2024_06',
      'events_2024_07',
    ]);
    // Made once: asking again makes nothing.
    expect(await ensureMonthPartitions(test.db, 'events', ['2024-06'], 'Europe/London')).toEqual([]);
    await insertNewEvents(test.db, [
      // 30 June 23:30 UTC is 1 July 00:30 in London (BST): a July event.
      event('late-june-utc', '2024-06-30T23:30:00Z'),
      event('june', '2024-06-15T12:00:00Z'),
      event('may', '2024-05-20T12:00:00Z'),
    ]);
    expect(await partitionsOf(test.db)).toEqual({
      'late-june-utc': 'events_2024_07',
      june: 'events_2024_06',
      may: 'events_default',
    });
    expect(await countDefaultPartitionRows(test.db, 'events')).toBe(1);

    // The nightly run makes May after the fact: its row leaves DEFAULT.
    expect(await ensureMonthPartitions(test.db, 'events', ['2024-05'], 'Europe/London')).toEqual(['events_2024_05']);
    expect((await partitionsOf(test.db)).may).toBe('events_2024_05');
    expect(await countDefaultPartitionRows(test.db, 'events')).toBe(0);
    expect((await listMonthPartitions(test.db, 'events')).map((p) => p.month)).toEqual(
      expect.arrayContaining(['2024-05', '2024-06', '2024-07', null]),
    );
  });

  it('store an eventId once even when it is offered again with an instant of another month (a conflict)', async () => {
    const first = await insertNewEvents(test.db, [event('moved', '2024-06-10T12:00:00Z', 'hash-a')]);
    expect(first.size).toBe(1);
    const again = await insertNewEvents(test.db, [event('moved', '2024-07-10T12:00:00Z', 'hash-b')]);
    expect(again.size).toBe(0);
    const rows = await sql<{ n: string }>`select count(*) as n from events where event_id = 'moved'`.execute(test.db);
    expect(Number(rows.rows[0]?.n)).toBe(1);
    expect([...(await findContentHashes(test.db, [{ feed: 'dvpo', eventId: 'moved' }])).values()]).toEqual(['hash-a']);
  });

  it('let a snapshot read only the daily partitions of the months it needs (EXPLAIN: partition pruning)', async () => {
    await ensureMonthPartitions(
      test.db,
      'daily_aggregates',
      ['2023-01', '2023-02', '2023-12', '2024-01', '2024-02'],
      'Europe/London',
    );
    await addToAggregates(test.db, [
      { forceId: 'avon-and-somerset', day: '2023-01-10', metric: 'm', dim: '', value: 1 },
      { forceId: 'avon-and-somerset', day: '2023-12-10', metric: 'm', dim: '', value: 2 },
      { forceId: 'avon-and-somerset', day: '2024-01-10', metric: 'm', dim: '', value: 4 },
    ]);
    // A rolling year to 15 January 2024: whole months from the monthly table, the ragged ends
    // (16-31 January 2023, 1-15 January 2024) from the daily partitions of those two months only.
    const query = {
      forceIds: ['avon-and-somerset'],
      windows: [{ id: 'rolling-12-months', from: '2023-01-16', to: '2024-01-15' }],
    };
    const plan = await sql<{ 'QUERY PLAN': unknown }>`explain (format json) ${windowSumsQuery(query)}`.execute(test.db);
    expect(scannedRelations(plan.rows[0]?.['QUERY PLAN'])).toEqual([
      'daily_aggregates_2023_01',
      'daily_aggregates_2024_01',
      'monthly_aggregates',
    ]);
    expect(await sumAggregatesOverWindows(test.db, query)).toEqual([
      { windowId: 'rolling-12-months', forceId: 'avon-and-somerset', metric: 'm', dim: '', value: 6 },
    ]);
  });

  it('drop whole months for retention, keep the accounting whole, and refuse reads that need what went', async () => {
    await ensureMonthPartitions(test.db, 'events', ['2023-01'], 'Europe/London');
    await insertNewEvents(test.db, [event('old-1', '2023-01-05T12:00:00Z'), event('old-2', '2023-01-06T12:00:00Z')]);
    // An event from before any partition: in DEFAULT, deleted as rows.
    await insertNewEvents(test.db, [event('older', '2022-11-05T12:00:00Z')]);
    const stored = Number(
      (await sql<{ n: string }>`select count(*) as n from events where feed = 'dvpo'`.execute(test.db)).rows[0]?.n,
    );
    await addToAccounting(test.db, [{ feed: 'dvpo', forceId: 'avon-and-somerset', stored, duplicate: 0, rejected: 0 }]);
    const balanced = (await checkAccounting(test.db)).filter((row) => row.feed === 'dvpo');
    expect(balanced.map((row) => row.eventsInTable)).toEqual([stored]);

    const outcome = await dropMonthPartitionsBefore(test.db, 'events', '2024-01-01', 'Europe/London');
    expect(outcome).toEqual({
      table: 'events',
      keptFrom: '2024-01-01',
      dropped: ['events_2023_01'],
      defaultRowsDeleted: 1,
    });
    expect(await readRetentionHorizon(test.db, 'events')).toBe('2024-01-01');
    expect((await listMonthPartitions(test.db, 'events')).some((p) => p.month === '2023-01')).toBe(false);
    // Three rows gone from events, three counted as retired: the check still balances.
    const after = (await checkAccounting(test.db)).filter((row) => row.feed === 'dvpo');
    expect(after.map((row) => [row.accountedStored, row.eventsInTable])).toEqual([[stored, stored]]);
    // Their identity stays: offered again, they are duplicates, not new.
    expect((await insertNewEvents(test.db, [event('old-1', '2023-01-05T12:00:00Z')])).size).toBe(0);
    await expect(assertEventsNotRetired(test.db, 'replay')).rejects.toThrow(
      'events of months before 2024-01 were dropped by retention; replay needs every stored event',
    );

    await dropMonthPartitionsBefore(test.db, 'daily_aggregates', '2023-12-01', 'Europe/London');
    const query = {
      forceIds: ['avon-and-somerset'],
      windows: [{ id: 'rolling-12-months', from: '2023-01-16', to: '2024-01-15' }],
    };
    await expect(sumAggregatesOverWindows(test.db, query)).rejects.toBeInstanceOf(RetiredMonthsError);
    await expect(sumAggregatesOverWindows(test.db, query)).rejects.toThrow(
      'daily_aggregates of months before 2023-12 were dropped by retention; period rolling-12-months needs day 2023-01-16',
    );
    // A period of whole months before the horizon reads the monthly sums only: still answered.
    expect(
      await sumAggregatesOverWindows(test.db, {
        forceIds: ['avon-and-somerset'],
        windows: [{ id: 'calendar-2023', from: '2023-01-01', to: '2023-12-31' }],
      }),
    ).toEqual([{ windowId: 'calendar-2023', forceId: 'avon-and-somerset', metric: 'm', dim: '', value: 3 }]);
  });
});
