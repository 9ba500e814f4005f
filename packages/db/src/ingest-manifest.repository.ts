import { sql } from 'kysely';
import type { DbOrTransaction } from './database.ts';

/** One job `rollcall ingest` queued, as recorded before it was added. */
export interface ManifestJob {
  readonly jobIndex: number;
  readonly jobId: string;
  readonly firstLine: number;
  readonly lastLine: number;
  readonly events: number;
  readonly eventIdsSha256: string;
}

/** A recorded job with what the workers committed of it (`ingest_parts`, every delivery). */
export interface ManifestJobProgress extends ManifestJob {
  /** Events of the job the workers accounted for (stored + duplicate + rejected), best delivery. */
  readonly processed: number;
}

export interface IngestRun {
  readonly runId: string;
  readonly feed: string;
  readonly fileName: string;
  readonly fileSha256: string;
  readonly startedAt: Date;
  readonly finishedAt: Date | null;
  readonly lines: number | null;
  readonly rejectedLines: number | null;
  readonly jobs: number | null;
  readonly rejectionsThroughLine: number;
}

export async function recordIngestRunStarted(
  db: DbOrTransaction,
  run: { runId: string; feed: string; fileName: string; fileSha256: string },
): Promise<void> {
  await db
    .insertInto('ingest_runs')
    .values({ run_id: run.runId, feed: run.feed, file_name: run.fileName, file_sha256: run.fileSha256 })
    .execute();
}

/** Records a job before it is added to its queue, so a job lost on the way is still known. */
export async function recordManifestJob(db: DbOrTransaction, runId: string, job: ManifestJob): Promise<void> {
  await db
    .insertInto('ingest_run_jobs')
    .values({
      run_id: runId,
      job_index: job.jobIndex,
      job_id: job.jobId,
      first_line: job.firstLine,
      last_line: job.lastLine,
      events: job.events,
      event_ids_sha256: job.eventIdsSha256,
    })
    .onConflict((oc) => oc.columns(['run_id', 'job_index']).doNothing())
    .execute();
}

export async function recordIngestRunFinished(
  db: DbOrTransaction,
  runId: string,
  totals: { lines: number; rejectedLines: number; jobs: number },
): Promise<void> {
  await db
    .updateTable('ingest_runs')
    .set({ finished_at: new Date(), lines: totals.lines, rejected_lines: totals.rejectedLines, jobs: totals.jobs })
    .where('run_id', '=', runId)
    .execute();
}

/** Rejected lines up to `line` are kept: a resumed run must not keep them again. */
export async function recordRejectionsThroughLine(db: DbOrTransaction, runId: string, line: number): Promise<void> {
  await db.updateTable('ingest_runs').set({ rejections_through_line: line }).where('run_id', '=', runId).execute();
}

const runOf = (row: {
  run_id: string;
  feed: string;
  file_name: string;
  file_sha256: string;
  started_at: Date;
  finished_at: Date | null;
  lines: number | null;
  rejected_lines: number | null;
  jobs: number | null;
  rejections_through_line: number;
}): IngestRun => ({
  runId: row.run_id,
  feed: row.feed,
  fileName: row.file_name,
  fileSha256: row.file_sha256,
  startedAt: row.started_at,
  finishedAt: row.finished_at,
  lines: row.lines,
  rejectedLines: row.rejected_lines,
  jobs: row.jobs,
  rejectionsThroughLine: row.rejections_through_line,
});

/** The latest run of a file (by its content) onto a feed, or undefined. */
export async function findLatestIngestRun(
  db: DbOrTransaction,
  fileSha256: string,
  feed: string,
): Promise<IngestRun | undefined> {
  const row = await db
    .selectFrom('ingest_runs')
    .selectAll()
    .where('file_sha256', '=', fileSha256)
    .where('feed', '=', feed)
    .orderBy('started_at', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row && runOf(row);
}

/** Runs started since `since`, oldest first. */
export async function listIngestRunsSince(db: DbOrTransaction, since: Date): Promise<IngestRun[]> {
  const rows = await db
    .selectFrom('ingest_runs')
    .selectAll()
    .where('started_at', '>=', since)
    .orderBy('started_at')
    .execute();
  return rows.map(runOf);
}

/**
 * A run's jobs with what the workers committed of each: the parts recorded under the job's key
 * (`feed.<feed>:<job id>:<timestamp>`), summed per delivery (a re-queued job is a new delivery,
 * with a new timestamp), the best delivery kept.
 */
export async function readManifestProgress(
  db: DbOrTransaction,
  run: Pick<IngestRun, 'runId' | 'feed'>,
): Promise<ManifestJobProgress[]> {
  const result = await sql<{
    job_index: number;
    job_id: string;
    first_line: number;
    last_line: number;
    events: number;
    event_ids_sha256: string;
    processed: string | null;
  }>`
    select j.job_index, j.job_id, j.first_line, j.last_line, j.events, j.event_ids_sha256,
      (select max(delivered) from (
        select sum((p.outcome->>'offered')::int) as delivered from ingest_parts p
        where p.job_key like ${`feed.${run.feed}:`} || j.job_id || ':%'
        group by p.job_key) deliveries) as processed
    from ingest_run_jobs j
    where j.run_id = ${run.runId}
    order by j.job_index`.execute(db);
  return result.rows.map((row) => ({
    jobIndex: row.job_index,
    jobId: row.job_id,
    firstLine: row.first_line,
    lastLine: row.last_line,
    events: row.events,
    eventIdsSha256: row.event_ids_sha256,
    processed: Number(row.processed ?? 0),
  }));
}
