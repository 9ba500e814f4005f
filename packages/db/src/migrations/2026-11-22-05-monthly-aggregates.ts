import { type Kysely, sql } from 'kysely';

/**
 * Monthly sums of the daily aggregates, kept in the same transaction as them. A snapshot reads
 * whole months from here and only the days of its two partial months (the as-of month, and the
 * same month a year earlier) from the daily table, so its cost follows the number of months and
 * metrics, not the number of rows a long history accumulates per day.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('monthly_aggregates')
    .addColumn('force_id', 'text', (c) => c.notNull())
    // First day of the London month.
    .addColumn('month', 'date', (c) => c.notNull())
    .addColumn('metric', 'text', (c) => c.notNull())
    .addColumn('dim', 'text', (c) => c.notNull())
    .addColumn('value', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('monthly_aggregates_pkey', ['force_id', 'month', 'metric', 'dim'])
    .execute();
  // Existing deployments: fill it from the daily table.
  await sql`
    insert into monthly_aggregates (force_id, month, metric, dim, value)
    select force_id, date_trunc('month', day)::date, metric, dim, sum(value)
    from daily_aggregates group by 1, 2, 3, 4 having sum(value) <> 0`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('monthly_aggregates').ifExists().execute();
}
