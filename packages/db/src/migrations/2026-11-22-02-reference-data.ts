import { type Kysely, sql } from 'kysely';

/** Reference data loaded from the repository's files; each load is recorded by content version. */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('reference_versions')
    .addColumn('version', 'text', (c) => c.primaryKey())
    .addColumn('population_vintage', 'text', (c) => c.notNull())
    .addColumn('loaded_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('is_current', 'boolean', (c) => c.notNull().defaultTo(false))
    .execute();
  await sql`create unique index reference_versions_current on reference_versions (is_current) where is_current`.execute(
    db,
  );

  await db.schema
    .createTable('forces')
    .addColumn('force_id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('ons_name', 'text', (c) => c.notNull())
    .addColumn('most_similar_group', sql`text[]`, (c) => c.notNull())
    .addColumn('settings', 'jsonb', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('populations')
    .addColumn('vintage', 'text', (c) => c.notNull())
    .addColumn('force_id', 'text', (c) => c.notNull())
    .addColumn('residents', 'bigint', (c) => c.notNull())
    .addColumn('groups', 'jsonb', (c) => c.notNull())
    .addPrimaryKeyConstraint('populations_pkey', ['vintage', 'force_id'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['populations', 'forces', 'reference_versions'])
    await db.schema.dropTable(table).ifExists().execute();
}
