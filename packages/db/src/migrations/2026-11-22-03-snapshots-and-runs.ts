import { type Kysely, sql } from 'kysely';

/** Published snapshots (immutable), the head revision per force and date, and the nightly ledger. */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('snapshots')
    .addColumn('snapshot_id', 'text', (c) => c.primaryKey())
    .addColumn('force_id', 'text', (c) => c.notNull())
    .addColumn('as_of', 'date', (c) => c.notNull())
    .addColumn('revision', 'integer', (c) => c.notNull())
    .addColumn('supersedes', 'text', (c) => c.references('snapshots.snapshot_id'))
    .addColumn('content_hash', 'text', (c) => c.notNull())
    .addColumn('generated_at', 'timestamptz', (c) => c.notNull())
    .addColumn('document', 'jsonb', (c) => c.notNull())
    .addUniqueConstraint('snapshots_force_as_of_revision', ['force_id', 'as_of', 'revision'])
    .execute();
  await sql`create index snapshots_force_generated on snapshots (force_id, generated_at desc)`.execute(db);

  // The latest revision per force and date, and whether events that change it have arrived since
  // (set in the same transaction as those events, so a revision is never missed).
  await db.schema
    .createTable('snapshot_heads')
    .addColumn('force_id', 'text', (c) => c.notNull())
    .addColumn('as_of', 'date', (c) => c.notNull())
    .addColumn('snapshot_id', 'text', (c) => c.notNull().references('snapshots.snapshot_id'))
    .addColumn('revision', 'integer', (c) => c.notNull())
    .addColumn('content_hash', 'text', (c) => c.notNull())
    .addColumn('stale_since', 'timestamptz')
    .addColumn('stale_late_events', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('stale_corrected_events', 'bigint', (c) => c.notNull().defaultTo(0))
    .addPrimaryKeyConstraint('snapshot_heads_pkey', ['force_id', 'as_of'])
    .execute();
  await sql`create index snapshot_heads_stale on snapshot_heads (force_id, as_of) where stale_since is not null`.execute(
    db,
  );

  await db.schema
    .createTable('nightly_runs')
    .addColumn('as_of', 'date', (c) => c.primaryKey())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('trigger', 'text', (c) => c.notNull())
    .addColumn('started_at', 'timestamptz')
    .addColumn('finished_at', 'timestamptz')
    .addColumn('error', 'text')
    .addColumn('published', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['nightly_runs', 'snapshot_heads', 'snapshots'])
    await db.schema.dropTable(table).ifExists().execute();
}
