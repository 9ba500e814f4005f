import { type Kysely, sql } from 'kysely';

/**
 * The snapshot outbox: one row per published snapshot whose files (SNAPSHOT_DIR) and
 * `snapshot.published` message are still to be written. The row is inserted in the transaction
 * that inserts the snapshot, so a snapshot is never committed without it; the files and the
 * message follow the commit, and the row is marked delivered once both are written. A process
 * that dies in between leaves the row undelivered for the next drain to finish.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('snapshot_outbox')
    .addColumn('snapshot_id', 'text', (c) => c.primaryKey().references('snapshots.snapshot_id'))
    .addColumn('force_id', 'text', (c) => c.notNull())
    .addColumn('as_of', 'date', (c) => c.notNull())
    .addColumn('enqueued_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('delivered_at', 'timestamptz')
    // Failed delivery attempts since it was enqueued, and the latest reason: for people, not logic.
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('last_error', 'text')
    .execute();
  // Drains read only the undelivered rows, oldest first; delivered rows are history.
  await sql`create index snapshot_outbox_undelivered on snapshot_outbox (force_id, enqueued_at) where delivered_at is null`.execute(
    db,
  );
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('snapshot_outbox').ifExists().execute();
}
