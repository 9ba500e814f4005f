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
 * Adds deltas to the daily aggregates and to their monthly sums, one statement each. Keys must
 * be unique within the call (PostgreSQL refuses to update a row twice in one INSERT ... ON
 * CONFLICT), and callers sort them so concurrent writers lock rows in the same order.
 */
export async function addToAggregates(db: DbOrTransaction, deltas: readonly AggregateDelta[]): Promise<void> {
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
  const monthly = new Map<string, AggregateDelta>();
  for (const delta of deltas) {
    const month = `${delta.day.slice(0, 7)}-01`;
    const key = `${delta.forceId}\u0001${month}\u0001${delta.metric}\u0001${delta.dim}`;
    const existing = monthly.get(key);
    monthly.set(key, { ...delta, day: month, value: (existing?.value ?? 0) + delta.value });
  }
  const monthlyRows = [...monthly.entries()]
    .filter(([, row]) => row.value !== 0)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, row]) => row);
  if (monthlyRows.length === 0) return;
  await sql`
    insert into monthly_aggregates (force_id, month, metric, dim, value)
    select * from ${jsonRecordset(monthlyRows, [
      ['force_id', 'text', (d) => d.forceId],
      ['month', 'date', (d) => d.day],
      ['metric', 'text', (d) => d.metric],
      ['dim', 'text', (d) => d.dim],
      ['value', 'bigint', (d) => d.value],
    ])}
    on conflict (force_id, month, metric, dim) do update set value = monthly_aggregates.value + excluded.value`.execute(db);
}

/**
 * Replaces the daily aggregates of the given days (all forces) with `rows`, and recomputes the
 * monthly sums of the months they touch: the write side of replay.
 */
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
    await sql`
      insert into daily_aggregates (force_id, day, metric, dim, value)
      select * from ${jsonRecordset(rows.slice(start, start + 50_000), [
        ['force_id', 'text', (d) => d.forceId],
        ['day', 'date', (d) => d.day],
        ['metric', 'text', (d) => d.metric],
        ['dim', 'text', (d) => d.dim],
        ['value', 'bigint', (d) => d.value],
      ])}`.execute(db);
  }
  // The monthly sums of every month the range touches, recomputed from the daily rows.
  const fromMonth = range.from === null ? null : `${range.from.slice(0, 7)}-01`;
  await db
    .deleteFrom('monthly_aggregates')
    .$if(fromMonth !== null, (q) => q.where('month', '>=', fromMonth!))
    .$if(range.to !== null, (q) => q.where('month', '<=', range.to!))
    .execute();
  await sql`
    insert into monthly_aggregates (force_id, month, metric, dim, value)
    select force_id, date_trunc('month', day)::date, metric, dim, sum(value)
    from daily_aggregates
    where true
      ${fromMonth === null ? sql`` : sql`and day >= ${fromMonth}::date`}
      ${range.to === null ? sql`` : sql`and day < (date_trunc('month', ${range.to}::date) + interval '1 month')::date`}
    group by 1, 2, 3, 4
    having sum(value) <> 0`.execute(db);
}

/** Every non-zero monthly sum, sorted (replay comparisons, tests). */
export async function readMonthlyAggregates(db: DbOrTransaction): Promise<AggregateDelta[]> {
  const rows = await db
    .selectFrom('monthly_aggregates')
    .select(['force_id', 'month', 'metric', 'dim', 'value'])
    .where('value', '<>', 0)
    .orderBy('force_id')
    .orderBy('month')
    .orderBy('metric')
    .orderBy('dim')
    .execute();
  return rows.map((row) => ({ forceId: row.force_id, day: row.month, metric: row.metric, dim: row.dim, value: row.value }));
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
  /** Whether these days are on or before the split day of their month (a period may end mid-month). */
  readonly upToSplitDay: boolean;
  readonly value: number;
}

/** A month read in two parts: its days up to `day`, and the rest. */
export interface MonthSplit {
  /** `YYYY-MM`. */
  readonly month: string;
  readonly day: number;
}

/**
 * Sums of every metric per force and month up to `to`, with the months named in `splits` split
 * at their day (days up to it, and the rest): every period a snapshot needs (month, rolling 12
 * months, financial year, as-at, and the same periods a year earlier) is a union of whole months
 * plus the first part of one month, so these sums are all it reads. Whole months come from the
 * monthly table; only the split months are read day by day, so the cost follows months and
 * metrics, not the rows a long history accumulates. Days after `to` are left out. The month of
 * `to` is always split at its day.
 */
export async function sumAggregatesByMonth(
  db: DbOrTransaction,
  query: { forceIds: readonly string[] | null; to: string; splits: readonly MonthSplit[] },
): Promise<PartialMonthSum[]> {
  const forceFilter = query.forceIds === null ? sql`` : sql`and force_id = any(${sql.val([...query.forceIds])}::text[])`;
  const toMonth = query.to.slice(0, 7);
  const splitDayOf = new Map<string, number>([[toMonth, Number(query.to.slice(8, 10))]]);
  for (const split of query.splits) if (split.month < toMonth) splitDayOf.set(split.month, split.day);
  const whole = await sql<{ force_id: string; metric: string; dim: string; month: string; value: number }>`
    select force_id, metric, dim, to_char(month, 'YYYY-MM') as month, value
    from monthly_aggregates
    where month < ${`${toMonth}-01`}::date ${forceFilter}`.execute(db);
  const months = [...splitDayOf.keys()];
  const early = await sql<{ force_id: string; metric: string; dim: string; month: string; value: number }>`
    select force_id, metric, dim, s.month, sum(value)::bigint as value
    from unnest(${sql.val(months)}::text[], ${sql.val(months.map((month) => splitDayOf.get(month)!))}::int[]) as s(month, split_day)
    join daily_aggregates d on d.day >= (s.month || '-01')::date and d.day < (s.month || '-01')::date + s.split_day
    where d.day <= ${query.to}::date ${forceFilter}
    group by 1, 2, 3, 4`.execute(db);
  const key = (row: { force_id: string; metric: string; dim: string; month: string }) => `${row.force_id}\u0001${row.metric}\u0001${row.dim}\u0001${row.month}`;
  const earlyByKey = new Map(early.rows.map((row) => [key(row), row.value]));
  const sums: PartialMonthSum[] = early.rows.map((row) => ({ forceId: row.force_id, metric: row.metric, dim: row.dim, month: row.month, upToSplitDay: true, value: row.value }));
  for (const row of whole.rows) {
    // A whole month that is also split contributes only its days after the split day here.
    const split = splitDayOf.has(row.month);
    const value = split ? row.value - (earlyByKey.get(key(row)) ?? 0) : row.value;
    if (value !== 0) sums.push({ forceId: row.force_id, metric: row.metric, dim: row.dim, month: row.month, upToSplitDay: !split, value });
  }
  return sums;
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
