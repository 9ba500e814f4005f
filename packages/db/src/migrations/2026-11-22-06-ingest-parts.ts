import { type Kysely, sql } from 'kysely';

/**
 * One row per committed part of a feed job. A job is stored in up to four transactions; when it
 * is delivered again (its worker died, PostgreSQL went away between two of them, an operator ran
 * retry-failed), the parts already committed are skipped and their recorded outcome reused, so
 * their events are not offered a second time (as duplicates) and their rejections are not kept
 * twice. Written in the same transaction as the part, so the mark and the work cannot disagree.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('ingest_parts')
    // `<queue>:<job id>:<job timestamp>`: stable across deliveries of one job, unique across jobs.
    .addColumn('job_key', 'text', (c) => c.notNull())
    // `2`, or `2.0.1` for a half of a half of part 2 when a refused event was being isolated.
    .addColumn('part', 'text', (c) => c.notNull())
    .addColumn('outcome', 'jsonb', (c) => c.notNull())
    .addColumn('committed_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('ingest_parts_pkey', ['job_key', 'part'])
    .execute();
  await db.schema.createIndex('ingest_parts_committed_at').on('ingest_parts').column('committed_at').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('ingest_parts').ifExists().execute();
}
