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

/** What earlier deliveries of a job committed. */
export interface CommittedParts {
  /** Outcome of each committed part, by part name. */
  readonly outcomes: ReadonlyMap<string, IngestPartOutcome>;
  /**
   * How many parts the delivery that committed them split the job into, so that this one splits
   * it the same way; undefined for parts recorded by versions up to 08906ea, which made parts of at
   * least 500 events and recorded no count.
   */
  readonly partsOfJob: number | undefined;
}

/** A part's record as stored: its counts, and since c749e13 the number of parts of its job. */
type RecordedOutcome = IngestPartOutcome & { readonly partsOfJob?: number };

const countsOf = (recorded: RecordedOutcome): IngestPartOutcome => ({
  offered: recorded.offered,
  stored: recorded.stored,
  duplicate: recorded.duplicate,
  rejected: recorded.rejected,
  staleSnapshotHeads: recorded.staleSnapshotHeads,
});

/** The parts of a job already committed by an earlier delivery. */
export async function readCommittedParts(db: DbOrTransaction, jobKey: string): Promise<CommittedParts> {
  const rows = await db.selectFrom('ingest_parts').select(['part', 'outcome']).where('job_key', '=', jobKey).execute();
  const recorded = rows.map((row) => [row.part, row.outcome as RecordedOutcome] as const);
  const counted = recorded.find(([, outcome]) => typeof outcome.partsOfJob === 'number');
  return {
    outcomes: new Map(recorded.map(([part, outcome]) => [part, countsOf(outcome)])),
    partsOfJob: counted?.[1].partsOfJob,
  };
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
  partsOfJob: number,
): Promise<boolean> {
  const recorded: RecordedOutcome = { ...countsOf(outcome), partsOfJob };
  const result = await sql`
    insert into ingest_parts (job_key, part, outcome) values (${jobKey}, ${part}, ${JSON.stringify(recorded)}::jsonb)
    on conflict do nothing`.execute(trx);
  return Number(result.numAffectedRows ?? 0n) === 1;
}

/**
 * `recordCommittedPart` for several jobs' parts in one statement, each job stored in one part
 * (`storeJobsTogether`). True only when every one was recorded here; otherwise another delivery
 * recorded one first and the caller must roll back.
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
      ${parts.map((row) => JSON.stringify({ ...countsOf(row.outcome), partsOfJob: 1 } satisfies RecordedOutcome))}::jsonb[])
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
