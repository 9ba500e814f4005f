import { type Kysely, sql } from 'kysely';

/**
 * The manifest of imported data.police.uk stop-and-search files: one row per force-month, what
 * its latest edition held, and a history of what each edition changed. Frozen: later changes are
 * new migrations.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('police_uk_imports')
    .addColumn('force_id', 'text', (c) => c.notNull())
    .addColumn('month', 'text', (c) => c.notNull().check(sql`month ~ '^[0-9]{4}-(0[1-9]|1[0-2])$'`))
    // sha256 of the file's bytes as last imported (a re-saved file with the same rows differs here
    // but not in row_hashes).
    .addColumn('file_sha256', 'text', (c) => c.notNull())
    .addColumn('rows', 'integer', (c) => c.notNull())
    // Content hash of each data row of the latest edition: row_hashes[i] is position i (1-based).
    .addColumn('row_hashes', sql`text[]`, (c) => c.notNull())
    // Per position, the hash of the row a `stop-search.recorded` was queued for (null: none yet,
    // the row was rejected) and the hash of the latest event queued for it (recorded or amended).
    // Longer than row_hashes when an edition dropped rows: those records stay counted downstream
    // (the feed has no retraction), and a later edition that brings the position back is compared
    // with what was sent, not with nothing.
    .addColumn('recorded_hashes', sql`text[]`, (c) => c.notNull())
    .addColumn('applied_hashes', sql`text[]`, (c) => c.notNull())
    // Per position, the revision whose import queued that latest event: amendment ids carry it, so
    // a re-send repeats the same id.
    .addColumn('applied_revisions', sql`integer[]`, (c) => c.notNull())
    .addColumn('revision', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('first_imported_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('imported_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('police_uk_imports_pkey', ['force_id', 'month'])
    .addCheckConstraint('police_uk_imports_rows', sql`rows = cardinality(row_hashes)`)
    .addCheckConstraint(
      'police_uk_imports_sent',
      sql`cardinality(recorded_hashes) = cardinality(applied_hashes) and cardinality(applied_revisions) = cardinality(applied_hashes)
          and cardinality(applied_hashes) >= rows`,
    )
    .execute();

  // One row per edition that changed something (revision 1 is the first import: every position
  // is added). Positions are 1-based, as in the record ids.
  await db.schema
    .createTable('police_uk_import_revisions')
    .addColumn('force_id', 'text', (c) => c.notNull())
    .addColumn('month', 'text', (c) => c.notNull())
    .addColumn('revision', 'integer', (c) => c.notNull())
    .addColumn('file_sha256', 'text', (c) => c.notNull())
    .addColumn('rows', 'integer', (c) => c.notNull())
    .addColumn('changed_positions', sql`integer[]`, (c) => c.notNull())
    .addColumn('added_positions', sql`integer[]`, (c) => c.notNull())
    .addColumn('removed_positions', sql`integer[]`, (c) => c.notNull())
    .addColumn('imported_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('police_uk_import_revisions_pkey', ['force_id', 'month', 'revision'])
    .addForeignKeyConstraint('police_uk_import_revisions_import', ['force_id', 'month'], 'police_uk_imports', [
      'force_id',
      'month',
    ])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['police_uk_import_revisions', 'police_uk_imports'])
    await db.schema.dropTable(table).ifExists().execute();
}
