import { sql } from 'kysely';
import type { DbOrTransaction } from './database.ts';
import { jsonRecordset, type RecordsetColumn } from './json-recordset.ts';
import { readRetentionHorizon, RetiredMonthsError } from './month-partitions.repository.ts';

export interface AggregateDelta {
  readonly forceId: string;
  /** London day, `YYYY-MM-DD`. */
  readonly day: string;
  readonly metric: string;
  readonly dim: string;
  readonly value: number;
}

/** A daily aggregate row as a bulk statement's parameter carries it. */
const DAILY_COLUMNS: readonly RecordsetColumn<AggregateDelta>[] = [
  ['force_id', 'text', (d) => d.forceId],
  ['day', 'date', (d) => d.day],
  ['metric', 'text', (d) => d.metric],
  ['dim', 'text', (d) => d.dim],
  ['value', 'bigint', (d) => d.value],
];

/**
 * Adds deltas to the daily aggregates and to their monthly sums, in one statement: the monthly
 * rows are summed by PostgreSQL from the same parameter, so the deltas travel and are parsed once.
 * Keys must be unique within the call (PostgreSQL refuses to update a row twice in one INSERT ...
 * ON CONFLICT), and callers sort them so concurrent writers lock daily rows in the same order; the
 * monthly rows are locked in the order of the statement's sort, the same for every writer.
 */
export async function addToAggregates(db: DbOrTransaction, deltas: readonly AggregateDelta[]): Promise<void> {
  if (deltas.length === 0) return;
  await sql`
    with deltas as materialized (
      select * from ${jsonRecordset(deltas, DAILY_COLUMNS)}
    ),
    daily as (
      insert into daily_aggregates (force_id, day, metric, dim, value)
      select force_id, day, metric, dim, value from deltas
      on conflict (force_id, day, metric, dim) do update set value = daily_aggregates.value + excluded.value
    )
    insert into monthly_aggregates (force_id, month, metric, dim, value)
    select force_id, date_trunc('month', day)::date, metric, dim, sum(value)
    from deltas
    group by 1, 2, 3, 4
    having sum(value) <> 0
    order by 1, 2, 3, 4
    on conflict (force_id, month, metric, dim) do update set value = monthly_aggregates.value + excluded.value`.execute(
    db,
  );
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
    .$call((q) => (range.from === null ? q : q.where('day', '>=', range.from)))
    .$call((q) => (range.to === null ? q : q.where('day', '<=', range.to)))
    .execute();
  for (let start = 0; start < rows.length; start += 50_000) {
    await sql`
      insert into daily_aggregates (force_id, day, metric, dim, value)
      select * from ${jsonRecordset(rows.slice(start, start + 50_000), DAILY_COLUMNS)}`.execute(db);
  }
  // The monthly sums of every month the range touches, recomputed from the daily rows.
  const fromMonth = range.from === null ? null : `${range.from.slice(0, 7)}-01`;
  await db
    .deleteFrom('monthly_aggregates')
    .$call((q) => (fromMonth === null ? q : q.where('month', '>=', fromMonth)))
    .$call((q) => (range.to === null ? q : q.where('month', '<=', range.to)))
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
  return rows.map((row) => ({
    forceId: row.force_id,
    day: row.month,
    metric: row.metric,
    dim: row.dim,
    value: row.value,
  }));
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
    .$call((q) => (range.from == null ? q : q.where('day', '>=', range.from)))
    .$call((q) => (range.to == null ? q : q.where('day', '<=', range.to)))
    .$call((q) =>
      range.forceIds === undefined ? q : q.where('force_id', 'in', range.forceIds.length > 0 ? range.forceIds : ['']),
    )
    .orderBy('force_id')
    .orderBy('day')
    .orderBy('metric')
    .orderBy('dim')
    .execute();
  return rows.map((row) => ({
    forceId: row.force_id,
    day: row.day,
    metric: row.metric,
    dim: row.dim,
    value: row.value,
  }));
}

/** A span of London days whose aggregates are summed: a period of a snapshot. */
export interface AggregateWindow {
  /** Names the sums in the result (a period id). */
  readonly id: string;
  /** First day, or null for all history up to `to`. */
  readonly from: string | null;
  /** Last day, inclusive. */
  readonly to: string;
  /** Only these metrics (all when absent). */
  readonly metrics?: readonly string[];
}

export interface WindowSum {
  readonly windowId: string;
  readonly forceId: string;
  readonly metric: string;
  readonly dim: string;
  readonly value: number;
}

/** `YYYY-MM-01` of the month after the day's. */
const nextMonthStart = (day: string): string => {
  const next = new Date(Date.UTC(Number(day.slice(0, 4)), Number(day.slice(5, 7)), 1));
  return next.toISOString().slice(0, 10);
};
const dayAfter = (day: string): string =>
  new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);

/**
 * How a window is read: the whole months inside it from the monthly table, the days before the
 * first of them and after the last from the daily table (half-open ranges, `null` for none).
 */
function partsOfWindow(window: AggregateWindow): { months: [string, string] | null; days: [string, string][] } {
  const end = dayAfter(window.to);
  const wholeFrom =
    window.from === null ? null : window.from.endsWith('-01') ? window.from : nextMonthStart(window.from);
  const wholeTo = nextMonthStart(window.to) === end ? end : `${window.to.slice(0, 8)}01`;
  if (window.from === null || wholeFrom === null)
    return { months: ['0001-01-01', wholeTo], days: wholeTo < end ? [[wholeTo, end]] : [] };
  if (wholeFrom >= wholeTo) return { months: null, days: [[window.from, end]] };
  const days: [string, string][] = [];
  if (window.from < wholeFrom) days.push([window.from, wholeFrom]);
  if (wholeTo < end) days.push([wholeTo, end]);
  return { months: [wholeFrom ?? '0001-01-01', wholeTo], days };
}

/**
 * Sums of every metric per force over each window: the whole months inside a window come from
 * the monthly table and only its other days (the as-of month up to the as-of day, a custom
 * period's ragged ends) from the daily table. Each part is a range of the table's primary key
 * with constant bounds, so PostgreSQL reads exactly those rows whatever its statistics say, and
 * it does the summing: what comes back is one row per window, force, metric and dimension. The
 * work grows with months of history, not with the events behind them. Zero sums are left out.
 */
export async function sumAggregatesOverWindows(
  db: DbOrTransaction,
  query: { forceIds: readonly string[]; windows: readonly AggregateWindow[] },
): Promise<WindowSum[]> {
  if (query.forceIds.length === 0 || query.windows.length === 0) return [];
  await assertDailyDaysKept(db, query.windows);
  const result = await windowSumsQuery(query).execute(db);
  return result.rows.map((row) => ({
    windowId: row.window_id,
    forceId: row.force_id,
    metric: row.metric,
    dim: row.dim,
    value: row.value,
  }));
}

/**
 * A snapshot reading days whose daily partition retention dropped would publish figures short of
 * those days: refused instead (the monthly sums still hold whole months, which is all a snapshot
 * reads before its as-of month and the same month a year earlier).
 */
async function assertDailyDaysKept(db: DbOrTransaction, windows: readonly AggregateWindow[]): Promise<void> {
  const keptFrom = await readRetentionHorizon(db, 'daily_aggregates');
  if (keptFrom === null) return;
  for (const window of windows) {
    const first = partsOfWindow(window).days[0]?.[0];
    if (first !== undefined && first < keptFrom)
      throw new RetiredMonthsError('daily_aggregates', keptFrom, `period ${window.id} needs day ${first}`);
  }
}

/** The statement of `sumAggregatesOverWindows`, apart so that a test can EXPLAIN it (partition pruning). */
export function windowSumsQuery(query: { forceIds: readonly string[]; windows: readonly AggregateWindow[] }) {
  const forces = sql`${sql.val([...query.forceIds])}::text[]`;
  const metricsFilter = (window: AggregateWindow) =>
    window.metrics === undefined ? sql`` : sql`and metric = any(${sql.val([...window.metrics])}::text[])`;
  const selects = query.windows.flatMap((window) => {
    const { months, days } = partsOfWindow(window);
    return [
      ...(months === null
        ? []
        : [
            sql`select ${window.id}::text as window_id, force_id, metric, dim, value from monthly_aggregates
               where force_id = any(${forces}) and month >= ${months[0]}::date and month < ${months[1]}::date ${metricsFilter(window)}`,
          ]),
      ...days.map(
        ([from, to]) => sql`select ${window.id}::text as window_id, force_id, metric, dim, value from daily_aggregates
               where force_id = any(${forces}) and day >= ${from}::date and day < ${to}::date ${metricsFilter(window)}`,
      ),
    ];
  });
  return sql<{ window_id: string; force_id: string; metric: string; dim: string; value: number }>`
    select window_id, force_id, metric, dim, sum(value)::bigint as value
    from (${sql.join(selects, sql` union all `)}) parts
    group by 1, 2, 3, 4
    having sum(value) <> 0`;
}
