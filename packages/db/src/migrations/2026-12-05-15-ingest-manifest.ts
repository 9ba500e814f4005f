import { type Kysely, sql } from 'kysely';

/**
 * What `rollcall ingest` queued, per file and per job (issue 16). A producer whose `add` a Redis
 * primary acknowledged can still lose the job when that primary dies before its replica has it
 * (replication is asynchronous); nothing in Redis then remembers it. PostgreSQL does: each job is
 * recorded here before it is added, and `rollcall status` compares it with the parts the workers
 * committed (`ingest_parts`), so a lost job is named and `rollcall ingest --resume` re-queues it.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('ingest_runs')
    .addColumn('run_id', 'text', (c) => c.primaryKey())
    .addColumn('feed', 'text', (c) => c.notNull())
    .addColumn('file_name', 'text', (c) => c.notNull())
    // SHA-256 of the file's bytes: `--resume` refuses a file that is not the one ingested.
    .addColumn('file_sha256', 'text', (c) => c.notNull())
    .addColumn('started_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    // Set when the whole file was read and every job added; null while running or after a crash.
    .addColumn('finished_at', 'timestamptz')
    .addColumn('lines', 'integer')
    .addColumn('rejected_lines', 'integer')
    .addColumn('jobs', 'integer')
    // Rejected lines up to this one are kept in rejected_events: a resumed run keeps only later ones.
    .addColumn('rejections_through_line', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema
    .createIndex('ingest_runs_file')
    .on('ingest_runs')
    .columns(['file_sha256', 'feed', 'started_at'])
    .execute();
  await db.schema
    .createTable('ingest_run_jobs')
    .addColumn('run_id', 'text', (c) => c.notNull().references('ingest_runs.run_id').onDelete('cascade'))
    .addColumn('job_index', 'integer', (c) => c.notNull())
    .addColumn('job_id', 'text', (c) => c.notNull())
    .addColumn('first_line', 'integer', (c) => c.notNull())
    .addColumn('last_line', 'integer', (c) => c.notNull())
    .addColumn('events', 'integer', (c) => c.notNull())
    // SHA-256 of the job's event ids joined by newlines: a resumed job must be the same job.
    .addColumn('event_ids_sha256', 'text', (c) => c.notNull())
    .addColumn('queued_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('ingest_run_jobs_pkey', ['run_id', 'job_index'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('ingest_run_jobs').ifExists().execute();
  await db.schema.dropTable('ingest_runs').ifExists().execute();
}
