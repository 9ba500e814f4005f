import { sql } from 'kysely';
import type { DbOrTransaction } from './database.ts';
import { jsonRecordset } from './json-recordset.ts';

export interface FeedStatsDelta {
  readonly forceId: string;
  readonly feed: string;
  readonly day: string;
  readonly events: number;
  /** ISO instant of the latest `occurredAt` among these events. */
  readonly latestOccurredAt: string;
}

/** Adds stored-event counts per force, feed and London day; keeps the latest occurrence seen. */
export async function addToDailyFeedStats(db: DbOrTransaction, rows: readonly FeedStatsDelta[]): Promise<void> {
  if (rows.length === 0) return;
  await sql`
    insert into daily_feed_stats (force_id, feed, day, events, latest_occurred_at)
    select * from ${jsonRecordset(rows, [
      ['force_id', 'text', (r) => r.forceId],
      ['feed', 'text', (r) => r.feed],
      ['day', 'date', (r) => r.day],
      ['events', 'bigint', (r) => r.events],
      ['latest_occurred_at', 'timestamptz', (r) => r.latestOccurredAt],
    ])}
    on conflict (force_id, feed, day) do update set
      events = daily_feed_stats.events + excluded.events,
      latest_occurred_at = greatest(daily_feed_stats.latest_occurred_at, excluded.latest_occurred_at)`.execute(db);
}

/** Replaces all feed stats with `rows` (replay). */
export async function replaceDailyFeedStats(db: DbOrTransaction, rows: readonly FeedStatsDelta[]): Promise<void> {
  await db.deleteFrom('daily_feed_stats').execute();
  for (let start = 0; start < rows.length; start += 50_000)
    await addToDailyFeedStats(db, rows.slice(start, start + 50_000));
}

export interface FeedMonthCoverage {
  readonly forceId: string;
  readonly feed: string;
  /** `YYYY-MM`. */
  readonly month: string;
  readonly events: number;
}

/** Stored events per force, feed and month up to a day: a month absent here is missing data. */
export async function readFeedCoverage(
  db: DbOrTransaction,
  query: { forceIds: readonly string[] | null; from: string; to: string },
): Promise<FeedMonthCoverage[]> {
  const result = await sql<{ force_id: string; feed: string; month: string; events: number }>`
    select force_id, feed, to_char(day, 'YYYY-MM') as month, sum(events)::bigint as events
    from daily_feed_stats
    where day between ${query.from}::date and ${query.to}::date
      ${query.forceIds === null ? sql`` : sql`and force_id = any(${sql.val([...query.forceIds])}::text[])`}
    group by 1, 2, 3`.execute(db);
  return result.rows.map((row) => ({ forceId: row.force_id, feed: row.feed, month: row.month, events: row.events }));
}

export interface FeedInputs {
  readonly feed: string;
  readonly events: number;
  readonly latestOccurredAt: Date | null;
}

/** Events stored per feed for a force that occurred up to the end of `to`, and the latest of them. */
export async function readFeedInputs(db: DbOrTransaction, forceId: string, to: string): Promise<FeedInputs[]> {
  const rows = await db
    .selectFrom('daily_feed_stats')
    .select((eb) => ['feed', eb.fn.sum<number>('events').as('events'), eb.fn.max('latest_occurred_at').as('latest')])
    .where('force_id', '=', forceId)
    .where('day', '<=', to)
    .groupBy('feed')
    .execute();
  return rows.map((row) => ({ feed: row.feed, events: Number(row.events), latestOccurredAt: row.latest ?? null }));
}

export async function readAllFeedStats(db: DbOrTransaction): Promise<FeedStatsDelta[]> {
  const rows = await db
    .selectFrom('daily_feed_stats')
    .selectAll()
    .orderBy('force_id')
    .orderBy('feed')
    .orderBy('day')
    .execute();
  return rows.map((row) => ({
    forceId: row.force_id,
    feed: row.feed,
    day: row.day,
    events: row.events,
    latestOccurredAt: row.latest_occurred_at.toISOString(),
  }));
}
