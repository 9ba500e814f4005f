import { type Kysely, sql } from 'kysely';

/**
 * Small named facts the pipeline keeps about itself in the durable store, such as the epoch of
 * the Redis it last saw (issue 15: a Redis restarted without persistence loses acknowledged jobs
 * silently, and only something outside Redis can notice). Frozen: later changes are new
 * migrations.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('pipeline_markers')
    .addColumn('name', 'text', (col) => col.primaryKey())
    .addColumn('value', 'text', (col) => col.notNull())
    .addColumn('updated_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('pipeline_markers').execute();
}
