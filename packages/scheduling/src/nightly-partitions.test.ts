import { insertNewEvents, listMonthPartitions, readRetentionHorizon } from '@rollcall/db';
import { createSilentLogger } from '@rollcall/logger';
import { createTestDatabase, type TestDatabase } from '@rollcall/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordingPublisher } from '../test/nightly-test-kit.ts';
import { maintainMonthPartitions } from './nightly-partitions.ts';
import { runNightly } from './run-nightly.ts';

let test: TestDatabase;
beforeAll(async () => {
  test = await createTestDatabase();
});
afterAll(async () => {
  await test.destroy();
});

const monthsOf = async (table: 'events' | 'daily_aggregates') =>
  (await listMonthPartitions(test.db, table)).map((partition) => partition.month);

describe('the nightly upkeep of month partitions', () => {
  it('makes this month and the next three ahead, on the London calendar, from the nightly run', async () => {
    const publisher = recordingPublisher();
    // 31 January 2031 23:30 UTC is still January in London (GMT).
    await runNightly({
      db: test.db,
      forces: ['kent'],
      timeZone: 'Europe/London',
      catchUpDays: 1,
      publish: publisher.publish,
      reviseStale: publisher.reviseStale,
      now: () => Date.parse('2031-01-31T23:30:00Z'),
      log: createSilentLogger(),
      trigger: 'schedule',
    });
    for (const table of ['events', 'daily_aggregates'] as const)
      expect(await monthsOf(table)).toEqual(expect.arrayContaining(['2031-01', '2031-02', '2031-03', '2031-04']));
    expect(await monthsOf('events')).not.toContain('2031-05');
  });

  it('moves rows out of DEFAULT when their month is made, and drops whole months for retention', async () => {
    // An event of June 2032, before its partition exists: kept in DEFAULT.
    await insertNewEvents(test.db, [
      {
        feed: 'dvpo',
        eventId: 'ahead-1',
        type: 'dvpo.applied',
        forceId: 'kent',
        occurredAt: '2032-06-02T12:00:00Z',
        entityKind: 'protection-case',
        entityId: 'case-1',
        contentHash: 'h',
        body: {},
      },
    ]);
    const log = createSilentLogger();
    const policy = { monthsAhead: 1, keepMonths: { events: 2, daily_aggregates: null } };
    const first = await maintainMonthPartitions(test.db, {
      now: Date.parse('2032-05-15T12:00:00Z'),
      timeZone: 'Europe/London',
      policy,
      log,
    });
    expect(first.created).toEqual({
      events: ['events_2032_05', 'events_2032_06'],
      daily_aggregates: ['daily_aggregates_2032_05', 'daily_aggregates_2032_06'],
    });
    expect(first.defaultRows).toEqual({ events: 0, daily_aggregates: 0 });
    // Keeping two months (April and May 2032) drops every older events month, daily ones untouched.
    expect(first.retention.map((outcome) => [outcome.table, outcome.keptFrom, outcome.dropped])).toEqual([
      ['events', '2032-04-01', expect.arrayContaining(['events_2031_01', 'events_2031_04'])],
    ]);
    expect((await monthsOf('events')).filter((month) => month !== null && month < '2032-04')).toEqual([]);
    expect(await monthsOf('daily_aggregates')).toContain('2031-01');
    expect(await readRetentionHorizon(test.db, 'events')).toBe('2032-04-01');

    // The same night again: nothing to do.
    const again = await maintainMonthPartitions(test.db, {
      now: Date.parse('2032-05-15T13:00:00Z'),
      timeZone: 'Europe/London',
      policy,
      log,
    });
    expect(again).toEqual({
      created: { events: [], daily_aggregates: [] },
      retention: [],
      defaultRows: first.defaultRows,
    });
  });
});
