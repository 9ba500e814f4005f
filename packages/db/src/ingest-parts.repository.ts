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
 * Forgets parts committed before `cutoff`. A job can come back until its failed copy expires
 * from Redis (7 days, `retry-failed`), so the marks must outlive that.
 */
export async function deleteCommittedPartsBefore(db: DbOrTransaction, cutoff: Date): Promise<number> {
  const result = await sql`delete from ingest_parts where committed_at < ${cutoff}`.execute(db);
  return Number(result.numAffectedRows ?? 0n);
}
