import { FEEDS, type FeedEvent } from '@rollcall/contract';
import {
  checkAccounting,
  listMonthPartitions,
  migrateToLatest,
  migrateUpTo,
  readEventTotalsByFeed,
} from '@rollcall/db';
import { simulateForceMonth } from '@rollcall/simulator';
import { createTestDatabaseMigratedTo } from '@rollcall/testing';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readDerivedState } from './support/derived-state.ts';
import { PipelineHarness } from './support/pipeline-harness.ts';

/**
 * Migration 16 moves a database with history into month partitions (issue 16). The history is
 * loaded through the real pipeline (queues, workers, publication) into a database of the current
 * schema, and its every table the pipeline writes is copied, row for row, into a database built
 * as release 15 left it (migrations up to 15 only): the copy with history. Migration 16 then runs
 * on the copy: every count, aggregate, entity and the snapshot's content hash must be what the
 * pipeline produced, each row in its London month's partition, and event identity must survive
 * the move (the same events offered again are duplicates, not stored twice).
 */
const FORCE = 'avon-and-somerset';
const MONTHS = ['2023-11', '2023-12', '2024-01'];
const AS_OF = '2024-01-31';
/**
 * What the workers write; `events` and `daily_aggregates` have the same columns before and after
 * 16, but for the content hash `events` held until migration 17 (copied from `event_ids`) and
 * the whole event as one `body` until migration 18 (its envelope and payload joined again).
 */
const PIPELINE_TABLES = [
  'events',
  'entities',
  'daily_aggregates',
  'monthly_aggregates',
  'daily_feed_stats',
  'event_accounting',
  'rejected_events',
  'ingest_parts',
  'pipeline_markers',
];

/** An event whole again as jsonb, from its columns, envelope and payload (migration 18 undone). */
const wholeEvent = sql`(jsonb_build_object('eventId', event_id, 'feed', feed, 'type', type, 'forceId', force_id)
  || envelope::jsonb || case when payload is null then '{}'::jsonb else jsonb_build_object('payload', payload::jsonb) end)`;

let live: PipelineHarness;
let copy: PipelineHarness;
const history: FeedEvent[] = [];
beforeAll(async () => {
  live = await PipelineHarness.start();
  for (const [index, month] of MONTHS.entries()) {
    const events = simulateForceMonth({ forceId: FORCE, month, seed: 40 + index, scale: 0.05 });
    for (const feed of FEEDS) history.push(...events[feed]);
  }
  await live.offerEvents(history);
  // Some of it again: duplicates in the accounting.
  await live.offerEvents(history.slice(0, 500));
  await live.drain();
  await live.stopWorkers();

  const old = await createTestDatabaseMigratedTo('2026-12-05-15-ingest-manifest');
  copy = await PipelineHarness.start({ database: old, startWorkers: false });
  for (const table of PIPELINE_TABLES) {
    const source =
      table === 'events'
        ? sql`(select e.*, i.content_hash, ${wholeEvent} as body
               from events e join event_ids i using (feed, event_id))`
        : sql.table(table);
    const rows = await sql<{
      rows: unknown;
    }>`select coalesce(json_agg(t), '[]') as rows from ${source} t`.execute(live.db);
    await sql`insert into ${sql.table(table)} select * from json_populate_recordset(null::${sql.table(table)}, ${JSON.stringify(rows.rows[0]?.rows)}::json)`.execute(
      copy.db,
    );
  }
}, 300_000);
afterAll(async () => {
  await live.close();
  await copy.close();
});

/** The stored type of a column. */
const columnType = async (db: PipelineHarness['db'], table: string, column: string) =>
  (
    await sql<{ type: string }>`
      select format_type(atttypid, atttypmod) as type
      from pg_attribute where attrelid = ${table}::regclass and attname = ${column}`.execute(db)
  ).rows[0]?.type;

/**
 * Every stored event as a document (key order and spacing aside), in one digest: its `body` up to
 * migration 18, its envelope and payload from it.
 */
const bodiesDigest = async (db: PipelineHarness['db']) => {
  const body = (await columnType(db, 'events', 'body')) ? sql`body::jsonb` : wholeEvent;
  const { rows } = await sql<{ digest: string }>`
    select md5(string_agg((${body})::text, '|' order by feed, event_id)) as digest from events`.execute(db);
  return rows[0]?.digest;
};

const count = async (db: PipelineHarness['db'], table: string) =>
  Number((await sql<{ n: string }>`select count(*) as n from ${sql.table(table)}`.execute(db)).rows[0]?.n);

describe('migration 16 on a copy of a database with history', () => {
  it('keeps every count, aggregate and the snapshot content hash, with each row in its month partition', async () => {
    const expected = {
      events: await count(live.db, 'events'),
      derived: await readDerivedState(live.db),
      totals: await readEventTotalsByFeed(live.db),
      snapshot: (await live.publish(FORCE, AS_OF)).document.contentHash,
    };
    expect(expected.events).toBeGreaterThan(10_000);
    // The copy, still on release 15's schema, holds exactly the pipeline's state.
    expect(await count(copy.db, 'events')).toBe(expected.events);
    expect(await readDerivedState(copy.db)).toEqual(expected.derived);

    const started = performance.now();
    expect(await migrateToLatest(copy.db)).toEqual([
      '2026-12-05-16-month-partitions',
      '2026-12-06-17-slimmer-events',
      '2026-12-06-18-event-envelope-and-payload',
      '2026-12-06-19-entity-facts-as-json',
    ]);
    const seconds = (performance.now() - started) / 1000;
    console.info(`migration 16 moved ${expected.events} events in ${seconds.toFixed(2)} s`);

    expect(await count(copy.db, 'events')).toBe(expected.events);
    expect(await count(copy.db, 'event_ids')).toBe(expected.events);
    expect(await readDerivedState(copy.db)).toEqual(expected.derived);
    expect(await readEventTotalsByFeed(copy.db)).toEqual(expected.totals);
    // Migration 17: identity and content hash are `event_ids`' alone; `events` is indexed for explain.
    const slimmed = await sql<{ hashes: number; keys: number; indexes: string[] }>`
      select (select count(*)::int from information_schema.columns
              where table_name = 'events' and column_name = 'content_hash') as hashes,
             (select count(*)::int from pg_constraint where conrelid = 'events'::regclass and contype = 'p') as keys,
             (select array_agg(indexname::text) from pg_indexes where tablename = 'events') as indexes`.execute(
      copy.db,
    );
    expect(slimmed.rows[0]).toEqual({ hashes: 0, keys: 0, indexes: ['events_by_force_feed_time'] });
    // Migrations 18 and 19: envelopes, payloads and facts are JSON text, the same documents as the
    // pipeline's own (the facts through readDerivedState below).
    expect(await columnType(copy.db, 'events', 'envelope')).toBe('json');
    expect(await columnType(copy.db, 'events', 'payload')).toBe('json');
    expect(await columnType(copy.db, 'entities', 'facts')).toBe('json');
    expect(await bodiesDigest(copy.db)).toBe(await bodiesDigest(live.db));
    expect((await checkAccounting(copy.db)).filter((row) => row.accountedStored !== row.eventsInTable)).toEqual([]);

    // Each history month has its partition, and nothing of it is in DEFAULT.
    for (const table of ['events', 'daily_aggregates'] as const)
      expect((await listMonthPartitions(copy.db, table)).map((p) => p.month)).toEqual(
        expect.arrayContaining([...MONTHS, null]),
      );
    expect(await count(copy.db, 'events_default')).toBe(0);
    expect(await count(copy.db, 'daily_aggregates_default')).toBe(0);
    const misplaced = await sql<{ n: string }>`
      select count(*) as n from events
      where tableoid::regclass::text <> 'events_' || to_char(occurred_at at time zone 'Europe/London', 'YYYY_MM')`.execute(
      copy.db,
    );
    expect(Number(misplaced.rows[0]?.n)).toBe(0);

    // The snapshot published from the migrated copy: the content hash of the pipeline's own.
    expect((await copy.publish(FORCE, AS_OF)).document.contentHash).toBe(expected.snapshot);

    // Identity survived the move: the whole history offered again is all duplicates.
    copy.startWorkers();
    await copy.offerEvents(history);
    await copy.drain();
    expect(await count(copy.db, 'events')).toBe(expected.events);
    const totalsAfter = await readEventTotalsByFeed(copy.db);
    expect(totalsAfter.map((row) => [row.feed, row.stored])).toEqual(
      expected.totals.map((row) => [row.feed, row.stored]),
    );
    expect(totalsAfter.reduce((sum, row) => sum + row.duplicate, 0)).toBe(
      expected.totals.reduce((sum, row) => sum + row.duplicate, 0) + history.length,
    );
    expect(await readDerivedState(copy.db)).toEqual(expected.derived);
  });

  it('goes back down to release 15 with its data, and up again', async () => {
    await copy.stopWorkers();
    const events = await count(copy.db, 'events');
    const derived = await readDerivedState(copy.db);
    const bodies = await bodiesDigest(copy.db);
    await migrateUpTo(copy.db, '2026-12-05-15-ingest-manifest');
    // Migrations 19 and 18 down: jsonb again, the same documents.
    expect(await columnType(copy.db, 'events', 'body')).toBe('jsonb');
    expect(await columnType(copy.db, 'entities', 'facts')).toBe('jsonb');
    expect(await bodiesDigest(copy.db)).toBe(bodies);
    const partitioned = await sql<{ n: string }>`select count(*) as n from pg_partitioned_table`.execute(copy.db);
    expect(Number(partitioned.rows[0]?.n)).toBe(0);
    expect(await count(copy.db, 'events')).toBe(events);
    // Migration 17 down gave each event its content hash back, from `event_ids`, before 16 dropped it.
    const hashes = await sql<{ n: number }>`select count(distinct content_hash)::int as n from events`.execute(copy.db);
    expect(hashes.rows[0]?.n).toBe(events);
    expect(await readDerivedState(copy.db)).toEqual(derived);
    expect(await migrateToLatest(copy.db)).toEqual([
      '2026-12-05-16-month-partitions',
      '2026-12-06-17-slimmer-events',
      '2026-12-06-18-event-envelope-and-payload',
      '2026-12-06-19-entity-facts-as-json',
    ]);
    expect(await count(copy.db, 'event_ids')).toBe(events);
    expect(await readDerivedState(copy.db)).toEqual(derived);
  });
});
