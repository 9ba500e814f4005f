import { sql } from 'kysely';
import type { DbOrTransaction } from './database.ts';
import { jsonRecordset } from './json-recordset.ts';

export interface AggregateDelta {
  readonly forceId: string;
  /** London day, `YYYY-MM-DD`. */
  readonly day: string;
  readonly metric: string;
  readonly dim: string;
  readonly value: number;
}

/**
 * Adds deltas to the daily aggregates in one statement. Keys must be unique within the call
 * (PostgreSQL refuses to update a row twice in one INSERT ... ON CONFLICT), and callers sort them
 * so concurrent writers lock rows in the same order.
 */
export async function addToDailyAggregates(db: DbOrTransaction, deltas: readonly AggregateDelta[]): Promise<void> {
  if (deltas.length === 0) return;
  await sql`
    insert into daily_aggregates (force_id, day, metric, dim, value)
    select * from ${jsonRecordset(deltas, [
      ['force_id', 'text', (d) => d.forceId],
      ['day', 'date', (d) => d.day],
      ['metric', 'text', (d) => d.metric],
      ['dim', 'text', (d) => d.dim],
      ['value', 'bigint', (d) => d.value],
    ])}
    on conflict (force_id, day, metric, dim) do update set value = daily_aggregates.value + excluded.value`.execute(db);
}

/** Replaces the aggregates of the given days (all forces) with `rows`: the write side of replay. */
export async function replaceDailyAggregates(
  db: DbOrTransaction,
  range: { from: string | null; to: string | null },
  rows: readonly AggregateDelta[],
): Promise<void> {
  await db
    .deleteFrom('daily_aggregates')
    .$if(range.from !== null, (q) => q.where('day', '>=', range.from!))
    .$if(range.to !== null, (q) => q.where('day', '<=', range.to!))
    .execute();
  for (let start = 0; start < rows.length; start += 50_000) {
    await addToDailyAggregates(db, rows.slice(start, start + 50_000));
  }
}

/** Every non-zero aggregate row, sorted, optionally for a day range (replay comparisons, tests). */
export async function readDailyAggregates(
  db: DbOrTransaction,
  range: { from?: string | null; to?: string | null; forceIds?: readonly string[] } = {},
): Promise<AggregateDelta[]> {
  const rows = await db
    .selectFrom('daily_aggregates')
    .select(['force_id', 'day', 'metric', 'dim', 'value'])
    .where('value', '<>', 0)
    .$if(range.from != null, (q) => q.where('day', '>=', range.from!))
    .$if(range.to != null, (q) => q.where('day', '<=', range.to!))
    .$if(range.forceIds !== undefined, (q) => q.where('force_id', 'in', range.forceIds!.length > 0 ? range.forceIds! : ['']))
    .orderBy('force_id')
    .orderBy('day')
    .orderBy('metric')
    .orderBy('dim')
    .execute();
  return rows.map((row) => ({ forceId: row.force_id, day: row.day, metric: row.metric, dim: row.dim, value: row.value }));
}

export interface PartialMonthSum {
  readonly forceId: string;
  readonly metric: string;
  readonly dim: string;
  /** `YYYY-MM`. */
  readonly month: string;
  /** Whether these days are on or before `splitDay` of their month (a period may end mid-month). */
  readonly upToSplitDay: boolean;
  readonly value: number;
}

/**
 * Sums of every metric per force, month and half-month: days up to `splitDay` of each month, and
 * the rest. Every period a snapshot needs (month, rolling 12 months, financial year, as-at, and
 * the same periods a year earlier) is a union of whole months plus the first part of one month
 * ending on the as-of day of month, so these sums are all it reads: the cost follows months and
 * metrics, not raw events.
 */
export async function sumAggregatesByHalfMonth(
  db: DbOrTransaction,
  query: { forceIds: readonly string[] | null; to: string; splitDay: number },
): Promise<PartialMonthSum[]> {
  const result = await sql<{ force_id: string; metric: string; dim: string; month: string; early: boolean; value: number }>`
    select force_id, metric, dim, to_char(day, 'YYYY-MM') as month,
           extract(day from day) <= ${query.splitDay} as early, sum(value)::bigint as value
    from daily_aggregates
    where day <= ${query.to}::date
      ${query.forceIds === null ? sql`` : sql`and force_id = any(${sql.val([...query.forceIds])}::text[])`}
    group by 1, 2, 3, 4, 5
    having sum(value) <> 0`.execute(db);
  return result.rows.map((row) => ({
    forceId: row.force_id,
    metric: row.metric,
    dim: row.dim,
    month: row.month,
    upToSplitDay: row.early,
    value: row.value,
  }));
}

/** Sums of every metric per force over an arbitrary day range (custom periods). */
export async function sumAggregatesBetween(
  db: DbOrTransaction,
  query: { forceIds: readonly string[] | null; from: string; to: string },
): Promise<{ forceId: string; metric: string; dim: string; value: number }[]> {
  const result = await sql<{ force_id: string; metric: string; dim: string; value: number }>`
    select force_id, metric, dim, sum(value)::bigint as value
    from daily_aggregates
    where day between ${query.from}::date and ${query.to}::date
      ${query.forceIds === null ? sql`` : sql`and force_id = any(${sql.val([...query.forceIds])}::text[])`}
    group by 1, 2, 3
    having sum(value) <> 0`.execute(db);
  return result.rows.map((row) => ({ forceId: row.force_id, metric: row.metric, dim: row.dim, value: row.value }));
}
