import { sql } from 'kysely';
import type { DbOrTransaction } from './database.ts';

/** The counts a committed part of a feed job produced, as recorded with it. */
export interface IngestPartOutcome {
  readonly offered: number;
  readonly stored: number;
  readonly duplicate: number;
  readonly rejected: number;
  readonly staleSnapshotHeads: number;
}

/** The parts of a job already committed by an earlier delivery, by part name. */
export async function readCommittedParts(db: DbOrTransaction, jobKey: string): Promise<Map<string, IngestPartOutcome>> {
  const rows = await db.selectFrom('ingest_parts').select(['part', 'outcome']).where('job_key', '=', jobKey).execute();
  return new Map(rows.map((row) => [row.part, row.outcome as IngestPartOutcome]));
}

/** `readCommittedParts` for several jobs in one round trip: job key to its committed parts (absent when none). */
export async function readCommittedPartsOfJobs(
  db: DbOrTransaction,
  jobKeys: readonly string[],
): Promise<Map<string, Map<string, IngestPartOutcome>>> {
  const byJob = new Map<string, Map<string, IngestPartOutcome>>();
  if (jobKeys.length === 0) return byJob;
  const rows = await db
    .selectFrom('ingest_parts')
    .select(['job_key', 'part', 'outcome'])
    .where('job_key', 'in', [...jobKeys])
    .execute();
  for (const row of rows) {
    const parts = byJob.get(row.job_key) ?? new Map<string, IngestPartOutcome>();
    parts.set(row.part, row.outcome as IngestPartOutcome);
    byJob.set(row.job_key, parts);
  }
  return byJob;
}

/**
 * Records a part as committed, inside the part's own transaction. False when another delivery
 * of the same job recorded it first: the caller must then roll back and reuse that outcome.
 */
export async function recordCommittedPart(
  trx: DbOrTransaction,
  jobKey: string,
  part: string,
  outcome: IngestPartOutcome,
): Promise<boolean> {
  const result = await sql`
    insert into ingest_parts (job_key, part, outcome) values (${jobKey}, ${part}, ${JSON.stringify(outcome)}::jsonb)
    on conflict do nothing`.execute(trx);
  return Number(result.numAffectedRows ?? 0n) === 1;
}

/**
 * `recordCommittedPart` for several jobs' parts in one statement. True only when every one was
 * recorded here; otherwise another delivery recorded one first and the caller must roll back.
 */
export async function recordCommittedParts(
  trx: DbOrTransaction,
  parts: readonly { readonly jobKey: string; readonly part: string; readonly outcome: IngestPartOutcome }[],
): Promise<boolean> {
  if (parts.length === 0) return true;
  const result = await sql`
    insert into ingest_parts (job_key, part, outcome)
    select * from unnest(
      ${parts.map((row) => row.jobKey)}::text[],
      ${parts.map((row) => row.part)}::text[],
      ${parts.map((row) => JSON.stringify(row.outcome))}::jsonb[])
    on conflict do nothing`.execute(trx);
  return Number(result.numAffectedRows ?? 0n) === parts.length;
}

/**
 * Forgets parts committed before `cutoff`. A job can come back until its failed copy expires
 * from Redis (7 days, `retry-failed`), so the marks must outlive that.
 */
export async function deleteCommittedPartsBefore(db: DbOrTransaction, cutoff: Date): Promise<number> {
  const result = await sql`delete from ingest_parts where committed_at < ${cutoff}`.execute(db);
  return Number(result.numAffectedRows ?? 0n);
}
