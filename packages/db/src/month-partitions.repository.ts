import { type Kysely, sql } from 'kysely';
import type { Database, Db, DbOrTransaction } from './database.ts';

/**
 * The tables partitioned by London month (migration 16), with their partition key: `events` on
 * `occurred_at` (bounds at London midnight of each month's first day), `daily_aggregates` on `day`.
 */
export const MONTH_PARTITIONED_TABLES = ['events', 'daily_aggregates'] as const;
export type MonthPartitionedTable = (typeof MONTH_PARTITIONED_TABLES)[number];

export interface MonthPartition {
  readonly table: MonthPartitionedTable;
  /** The partition's table name: `events_2024_01`, or `events_default`. */
  readonly name: string;
  /** `YYYY-MM`, or null for the DEFAULT partition. */
  readonly month: string | null;
}

/** Thrown when a query needs rows of months that retention has dropped. */
export class RetiredMonthsError extends Error {
  override readonly name = 'RetiredMonthsError';
  constructor(
    readonly table: MonthPartitionedTable,
    readonly keptFrom: string,
    /** What needed them: `replay needs every stored event`. */
    readonly needed: string,
  ) {
    super(`${table} of months before ${keptFrom.slice(0, 7)} were dropped by retention; ${needed}`);
  }
}

const MONTH_SUFFIX = /_(\d{4})_(\d{2})$/;

/**
 * Makes the partitions of the given months (`YYYY-MM`) where missing, moving any rows the DEFAULT
 * partition holds for them; returns the names of those it made. Months are taken in the reporting
 * time zone (`zone`), which fixes the bounds of `events` partitions.
 */
export async function ensureMonthPartitions(
  db: DbOrTransaction,
  table: MonthPartitionedTable,
  months: readonly string[],
  zone: string,
): Promise<string[]> {
  const created: string[] = [];
  for (const month of [...new Set(months)].sort()) {
    const result = await sql<{ created: boolean }>`
      select rollcall_ensure_month_partition(${table}, ${`${month}-01`}::date, ${zone}) as created`.execute(db);
    if (result.rows[0]?.created === true) created.push(`${table}_${month.replace('-', '_')}`);
  }
  return created;
}

/** The partitions of a table, months in order, the DEFAULT partition last. */
export async function listMonthPartitions(
  db: DbOrTransaction,
  table: MonthPartitionedTable,
): Promise<MonthPartition[]> {
  const result = await sql<{ name: string }>`
    select c.relname as name from pg_inherits i join pg_class c on c.oid = i.inhrelid
    where i.inhparent = ${table}::regclass order by 1`.execute(db);
  const partitions = result.rows.map((row): MonthPartition => {
    const match = MONTH_SUFFIX.exec(row.name);
    return { table, name: row.name, month: match ? `${match[1]}-${match[2]}` : null };
  });
  return [...partitions.filter((p) => p.month !== null), ...partitions.filter((p) => p.month === null)];
}

/** Rows in a table's DEFAULT partition: months that had no partition of their own when written. */
export async function countDefaultPartitionRows(db: DbOrTransaction, table: MonthPartitionedTable): Promise<number> {
  const result = await sql<{ n: string }>`select count(*) as n from ${sql.table(`${table}_default`)}`.execute(db);
  return Number(result.rows[0]?.n ?? 0);
}

/** The first month (`YYYY-MM-01`) a table still holds in full, or null when retention never dropped any. */
export async function readRetentionHorizon(db: DbOrTransaction, table: MonthPartitionedTable): Promise<string | null> {
  const row = await db
    .selectFrom('partition_retention')
    .select('kept_from')
    .where('table_name', '=', table)
    .executeTakeFirst();
  return row?.kept_from ?? null;
}

export interface RetentionOutcome {
  readonly table: MonthPartitionedTable;
  readonly keptFrom: string;
  /** Partitions dropped, oldest first. */
  readonly dropped: readonly string[];
  /** Rows of months before `keptFrom` deleted from the DEFAULT partition (old history that had no partition). */
  readonly defaultRowsDeleted: number;
}

/**
 * Retention: drops the partitions of months before `keptFrom` (`YYYY-MM-01`) as whole tables,
 * and deletes the few rows of those months the DEFAULT partition holds. For `events`, the stored
 * counts of what goes are kept per feed, force and month first (`retired_event_counts`), so the
 * accounting check still adds up; `event_ids` keeps their identity, so an old event offered again
 * is still a duplicate rather than stored anew. Records the horizon (`partition_retention`), which
 * later reads check. One transaction: the drops and the counts commit together.
 */
export async function dropMonthPartitionsBefore(
  db: Db,
  table: MonthPartitionedTable,
  keptFrom: string,
  zone: string,
): Promise<RetentionOutcome> {
  if (!/^\d{4}-\d{2}-01$/.test(keptFrom))
    throw new RangeError(`keptFrom must be a month's first day (got ${keptFrom})`);
  return db.transaction().execute(async (trx) => {
    const old = (await listMonthPartitions(trx, table)).filter(
      (partition) => partition.month !== null && `${partition.month}-01` < keptFrom,
    );
    const inDefault =
      table === 'events'
        ? sql`occurred_at < (${keptFrom}::date::timestamp at time zone ${zone})`
        : sql`day < ${keptFrom}::date`;
    if (table === 'events') {
      for (const partition of old) await retireEventCounts(trx, sql.table(partition.name), sql`true`, zone);
      await retireEventCounts(trx, sql.table('events_default'), inDefault, zone);
    }
    for (const partition of old) await sql`drop table ${sql.table(partition.name)}`.execute(trx);
    const deleted = await sql`delete from ${sql.table(`${table}_default`)} where ${inDefault}`.execute(trx);
    await sql`
      insert into partition_retention (table_name, kept_from) values (${table}, ${keptFrom}::date)
      on conflict (table_name) do update set kept_from = greatest(partition_retention.kept_from, excluded.kept_from), changed_at = now()`.execute(
      trx,
    );
    return {
      table,
      keptFrom,
      dropped: old.map((partition) => partition.name),
      defaultRowsDeleted: Number(deleted.numAffectedRows ?? 0),
    };
  });
}

async function retireEventCounts(
  trx: Kysely<Database>,
  source: ReturnType<typeof sql.table>,
  where: ReturnType<typeof sql>,
  zone: string,
): Promise<void> {
  await sql`
    insert into retired_event_counts (feed, force_id, month, events)
    select feed, force_id, date_trunc('month', occurred_at at time zone ${zone})::date, count(*)
    from ${source} where ${where} group by 1, 2, 3
    on conflict (feed, force_id, month) do update set events = retired_event_counts.events + excluded.events`.execute(
    trx,
  );
}

/**
 * Refuses work that needs every stored event (replay) once retention has dropped event months:
 * lifecycles span months and years (a circulation from 2022 counts in 2024), so folding what is
 * left would give other figures than the ones live processing wrote.
 */
export async function assertEventsNotRetired(db: DbOrTransaction, what: string): Promise<void> {
  const keptFrom = await readRetentionHorizon(db, 'events');
  if (keptFrom !== null) throw new RetiredMonthsError('events', keptFrom, `${what} needs every stored event`);
}
