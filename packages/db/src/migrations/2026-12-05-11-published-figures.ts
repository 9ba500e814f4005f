import { type Kysely, sql } from 'kysely';

/**
 * Figures published by others (police.uk's 999 table, Home Office and HMICFRS tables), kept apart
 * from the force's own measurements: comparisons use them for a force whose own events are not
 * loaded, and reconciliation sets them beside the force's own figure (issue 14).
 *
 * `published_editions`: one row per file loaded, by source and content hash, so loading the same
 * file again changes nothing. `published_figures`: the latest edition's figure per source, force,
 * measure and period, with the edition it came from; a later edition that changes a figure
 * replaces it (the snapshots it moves are marked stale and revised with the reason).
 * Frozen: later changes are new migrations.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('published_editions')
    .addColumn('edition_id', 'serial', (col) => col.primaryKey())
    .addColumn('source', 'text', (col) => col.notNull())
    .addColumn('file_name', 'text', (col) => col.notNull())
    .addColumn('content_sha256', 'text', (col) => col.notNull())
    .addColumn('figures', 'integer', (col) => col.notNull())
    .addColumn('changed_figures', 'integer', (col) => col.notNull())
    .addColumn('imported_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('published_editions_source_content', ['source', 'content_sha256'])
    .execute();
  await db.schema
    .createTable('published_figures')
    .addColumn('source', 'text', (col) => col.notNull())
    .addColumn('force_id', 'text', (col) => col.notNull())
    .addColumn('measure_id', 'text', (col) => col.notNull())
    .addColumn('period_from', 'date', (col) => col.notNull())
    .addColumn('period_to', 'date', (col) => col.notNull())
    .addColumn('numerator', 'double precision')
    .addColumn('denominator', 'double precision')
    .addColumn('value', 'double precision')
    .addColumn('flags', sql`text[]`, (col) => col.notNull().defaultTo(sql`'{}'::text[]`))
    .addColumn('edition_id', 'integer', (col) => col.notNull().references('published_editions.edition_id'))
    .addPrimaryKeyConstraint('published_figures_pkey', ['source', 'force_id', 'measure_id', 'period_from', 'period_to'])
    .execute();
  await db.schema
    .createIndex('published_figures_period')
    .on('published_figures')
    .columns(['measure_id', 'period_to'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('published_figures').execute();
  await db.schema.dropTable('published_editions').execute();
}
