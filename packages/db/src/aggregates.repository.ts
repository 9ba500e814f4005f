import { sql } from 'kysely';
import type { Kysely, Transaction } from 'kysely';
import { copyIntoTable } from './copy-in.ts';
import { copyOutInSnapshot } from './copy-out.ts';
import type { Database, DbOrTransaction } from './database.ts';
import { jsonRecordset, type RecordsetColumn } from './json-recordset.ts';
import { readRetentionHorizon, RetiredMonthsError } from './month-partitions.repository.ts';
import { type AggregateDelta, type AggregateRowChanges } from './aggregate-keys.ts';
import { AggregateSums } from './aggregate-sums.ts';

/** An aggregate row as a bulk statement's parameter carries it; a monthly row's day is its month's first. */
const aggregateColumns = (dayColumn: 'day' | 'month'): readonly RecordsetColumn<AggregateDelta>[] => [
  ['force_id', 'text', (d) => d.forceId],
  [dayColumn, 'date', (d) => d.day],
  ['metric', 'text', (d) => d.metric],
  ['dim', 'text', (d) => d.dim],
  ['value', 'bigint', (d) => d.value],
];
const DAILY_COLUMNS = aggregateColumns('day');

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

/** A span of London days, each end included; null is open (all days before or after). */
export interface DayRange {
  readonly from: string | null;
  readonly to: string | null;
}

/** The months `range` touches, as days: from the first of its first month to the last of its last. */
export function wholeMonthsOf(range: DayRange): DayRange {
  return {
    from: range.from === null ? null : `${range.from.slice(0, 7)}-01`,
    to: range.to === null ? null : dayBefore(nextMonthStart(range.to)),
  };
}

/**
 * What a replay of `range` replaces, as stored: the non-zero daily rows of every month the range
 * touches (those outside the range stay as they are and count in their months' sums) and those
 * months' non-zero sums.
 */
export interface StoredAggregates {
  /** Summed into sums sharing the rebuilt sums' columns (`AggregateSums.sharingColumns`). */
  readonly daily: AggregateSums;
  readonly monthly: AggregateSums;
}

/** The rows to write so that the daily rows of a range are rebuilt ones and every monthly sum agrees with its days. */
export interface AggregateChanges {
  readonly daily: AggregateRowChanges;
  readonly monthly: AggregateRowChanges;
}

/**
 * The changes that make the daily rows of `range` equal to `rebuilt` (sums of that range's days
 * only) and the monthly sums of the months it touches equal to the sums of their daily rows once
 * changed, including sums that drifted alone.
 *
 * Why the months are summed here and not by PostgreSQL (issue 19): summing every daily row of
 * the months again in SQL, then comparing, took 0.35-0.44 s of a 3.5 s replay of 400,000 events;
 * the rebuilt sums are in memory already, and the stored ones are read while replay folds.
 */
export function aggregateChanges(range: DayRange, stored: StoredAggregates, rebuilt: AggregateSums): AggregateChanges {
  const inRange = (day: string) => (range.from === null || day >= range.from) && (range.to === null || day <= range.to);
  const monthStarts = new Map<string, string>();
  const monthOf = (day: string): string => {
    let month = monthStarts.get(day);
    if (month === undefined) monthStarts.set(day, (month = `${day.slice(0, 7)}-01`));
    return month;
  };
  const monthly = rebuilt.rollUp((day) => {
    if (!inRange(day)) throw new RangeError(`rebuilt aggregate of ${day} is outside the replayed days`);
    return monthOf(day);
  });
  // The stored days outside the range stay as they are, and count in their months' sums.
  stored.daily.rollUp(monthOf, { into: monthly, only: (day) => !inRange(day) });
  return { daily: rebuilt.changesFrom(stored.daily, inRange), monthly: monthly.changesFrom(stored.monthly) };
}

/**
 * Replaces the daily aggregates of the given days (all forces) with `rows` (keys unique), and
 * brings the monthly sums of the months they touch to the sums of their daily rows: replay's
 * write side, for callers with the rows at hand (and, as `writeAggregateChanges` needs, nobody
 * else writing aggregates meanwhile).
 */
export async function replaceDailyAggregates(
  db: DbOrTransaction,
  range: DayRange,
  rows: readonly AggregateDelta[],
): Promise<void> {
  const months = wholeMonthsOf(range);
  const rebuilt = new AggregateSums();
  for (const row of rows) rebuilt.add(row.forceId, row.day, row.metric, row.dim, row.value);
  const stored = { daily: rebuilt.sharingColumns(), monthly: rebuilt.sharingColumns() };
  for (const row of await readDailyAggregates(db, months))
    stored.daily.add(row.forceId, row.day, row.metric, row.dim, row.value);
  for (const row of await readMonthlyAggregates(db, months))
    stored.monthly.add(row.forceId, row.day, row.metric, row.dim, row.value);
  await writeAggregateChanges(db, range, aggregateChanges(range, stored, rebuilt));
}

/**
 * Writes `changes` (from `aggregateChanges`), and removes the rows of 0 in the range's days and
 * months, as a replacement would: live processing leaves them where deltas cancel.
 *
 * Why only changes (issue 19): a replay that agrees with live processing, the usual case, wrote
 * every aggregate row again, a third of its time; now it writes nothing.
 *
 * Rows not stored when the changes were computed (`added`) are inserted plainly, not upserted,
 * and by COPY (`copyIntoTable`): the caller must keep other writers out until it commits. Replay
 * does (`beginReplay`: the workers' writes wait for `events`, and other replays for its own lock).
 * A first replay over the full benchmark's history adds 765,650 rows; PostgreSQL inserts them in
 * 3.1 s from a table, 5.9 s as an upsert. Outside a transaction, the writes get one of their own.
 */
export async function writeAggregateChanges(
  db: DbOrTransaction,
  range: DayRange,
  changes: AggregateChanges,
): Promise<void> {
  if (!db.isTransaction) return db.transaction().execute((trx) => writeAggregateChanges(trx, range, changes));
  const trx = db as Transaction<Database>;
  for (const [table, dayColumn, tableChanges, days] of [
    ['daily_aggregates', 'day', changes.daily, range],
    ['monthly_aggregates', 'month', changes.monthly, wholeMonthsOf(range)],
  ] as const) {
    await sql`
      delete from ${sql.table(table)} where value = 0
        ${days.from === null ? sql`` : sql`and ${sql.ref(dayColumn)} >= ${days.from}::date`}
        ${days.to === null ? sql`` : sql`and ${sql.ref(dayColumn)} <= ${days.to}::date`}`.execute(trx);
    const columns = aggregateColumns(dayColumn);
    // The key of a row: every column but its value.
    const keyColumns = columns.slice(0, 4);
    for (let start = 0; start < tableChanges.removed.length; start += 50_000) {
      await sql`
        delete from ${sql.table(table)} d
        using ${jsonRecordset(tableChanges.removed.slice(start, start + 50_000), keyColumns)}
        where d.force_id = t.force_id and d.${sql.ref(dayColumn)} = t.${sql.ref(dayColumn)}
          and d.metric = t.metric and d.dim = t.dim`.execute(trx);
    }
    if (tableChanges.set.length > 0) {
      // Through a temporary table filled by COPY, not JSON parameters: a replay after an
      // interpreter changed may set most rows of a measure (every one of 178,858 daily rows set:
      // the writing phase 3.4-3.7 s from parameters of 50,000, 2.4-2.7 s so; the upsert itself
      // is 1.5 s of it, and an `update ... from` the staged rows measured no faster).
      const staged = `${table}_set`;
      await sql`create temporary table ${sql.table(staged)}
        (force_id text, ${sql.ref(dayColumn)} date, metric text, dim text, value bigint) on commit drop`.execute(trx);
      await copyIntoTable(trx, staged, columns, tableChanges.set);
      await sql`
        insert into ${sql.table(table)} (force_id, ${sql.ref(dayColumn)}, metric, dim, value)
        select * from ${sql.table(staged)}
        on conflict (force_id, ${sql.ref(dayColumn)}, metric, dim) do update set value = excluded.value`.execute(trx);
      await sql`drop table ${sql.table(staged)}`.execute(trx);
    }
    await copyIntoTable(trx, table, columns, tableChanges.added);
  }
}

/** Every non-zero monthly sum, sorted, optionally of the months in a day range (replay comparisons, tests). */
export async function readMonthlyAggregates(
  db: DbOrTransaction,
  range: Partial<DayRange> = {},
): Promise<AggregateDelta[]> {
  const rows = await db
    .selectFrom('monthly_aggregates')
    .select(['force_id', 'month', 'metric', 'dim', 'value'])
    .where('value', '<>', 0)
    .$call((q) => (range.from == null ? q : q.where('month', '>=', range.from)))
    .$call((q) => (range.to == null ? q : q.where('month', '<=', range.to)))
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

/**
 * The non-zero daily aggregates of a day range (all days when null), or the monthly sums of the
 * months starting in it, in no order, read with COPY in an exported snapshot on a connection of
 * its own (`copyOutInSnapshot`): replay reads them while it folds the events, and 157,000 rows
 * through `readDailyAggregates` took it 1.8 s.
 */
export async function* copyAggregates(
  db: Kysely<Database>,
  snapshot: string,
  table: 'daily_aggregates' | 'monthly_aggregates',
  range: DayRange,
): AsyncGenerator<AggregateDelta[]> {
  for (const day of [range.from, range.to])
    if (day !== null && !/^\d{4}-\d{2}-\d{2}$/.test(day)) throw new RangeError(`not a day: ${day}`);
  const dayColumn = table === 'daily_aggregates' ? 'day' : 'month';
  yield* copyOutInSnapshot(
    db,
    snapshot,
    // Inlined (COPY takes no parameters): the table is one of two names, the days are checked above.
    `select force_id, ${dayColumn}, metric, dim, value from ${table}
     where value <> 0 ${range.from === null ? '' : `and ${dayColumn} >= '${range.from}'`} ${range.to === null ? '' : `and ${dayColumn} <= '${range.to}'`}`,
    (field) => ({
      forceId: field() ?? '',
      day: field() ?? '',
      metric: field() ?? '',
      dim: field() ?? '',
      value: Number(field()),
    }),
  );
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
const dayBefore = (day: string): string =>
  new Date(Date.parse(`${day}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);

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
