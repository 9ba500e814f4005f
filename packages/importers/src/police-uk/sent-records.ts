import type { PoliceUkImport } from '@rollcall/db';
import type { RowMatch } from './edition-matcher.ts';

/** What downstream was sent for one record before the row now read. */
export interface SentRecord {
  /** Hash of the content its `stop-search.recorded` carried; null: never recorded. */
  readonly recorded: string | null;
  /** Hash of the latest content sent for it, recorded or amended; null: none. */
  readonly applied: string | null;
  /** The revision that latest content (or its withdrawal) was sent with; null: none. */
  readonly appliedRevision: number | null;
  readonly withdrawn: boolean;
}

/** The manifest's per-record columns, one entry per record of the month. */
export interface SentRecordColumns {
  readonly recordedHashes: (string | null)[];
  readonly appliedHashes: (string | null)[];
  readonly appliedRevisions: (number | null)[];
  readonly withdrawn: boolean[];
}

/** What to queue for a record: its `recorded`, an amendment, or nothing. */
export type RecordPlan = 'recorded' | 'amended' | 'none';

/**
 * Per record of a force-month, what downstream was sent: starts from the manifest of the previous
 * import and is updated as this import queues events, so the manifest written at the end says
 * what every record's latest event was. A new record starts with nothing sent.
 */
export class SentRecords {
  // Index n - 1 is record n.
  private readonly recordedHashes: (string | null)[];
  private readonly appliedHashes: (string | null)[];
  private readonly appliedRevisions: (number | null)[];
  private readonly withdrawnRecords: boolean[];
  private changedByThisImport = false;

  constructor(previous: PoliceUkImport | undefined) {
    this.recordedHashes = [...(previous?.recordedHashes ?? [])];
    this.appliedHashes = [...(previous?.appliedHashes ?? [])];
    this.appliedRevisions = [...(previous?.appliedRevisions ?? [])];
    this.withdrawnRecords = [...(previous?.withdrawn ?? [])];
  }

  /** Whether this import sent anything the manifest does not yet record. */
  get changed(): boolean {
    return this.changedByThisImport;
  }

  sentFor(record: number): SentRecord {
    const index = record - 1;
    return {
      recorded: this.recordedHashes[index] ?? null,
      applied: this.appliedHashes[index] ?? null,
      appliedRevision: this.appliedRevisions[index] ?? null,
      withdrawn: this.withdrawnRecords[index] === true,
    };
  }

  /** The record's `stop-search.recorded` with content `hash` was queued. */
  markRecorded(record: number, hash: string, revision: number): void {
    this.recordedHashes[record - 1] = hash;
    this.markApplied(record, hash, revision);
  }

  /** An amendment carrying content `hash` was queued for the record. */
  markAmended(record: number, hash: string, revision: number): void {
    this.markApplied(record, hash, revision);
  }

  /** The record's withdrawal was queued. */
  markWithdrawn(record: number, revision: number): void {
    this.withdrawnRecords[record - 1] = true;
    this.appliedRevisions[record - 1] = revision;
    this.changedByThisImport = true;
  }

  /** The manifest's columns for a month of `records` records (none sent: null, not withdrawn). */
  columns(records: number): SentRecordColumns {
    const perRecord = <T>(values: readonly (T | undefined)[], empty: T) =>
      Array.from({ length: records }, (_, i) => values[i] ?? empty);
    return {
      recordedHashes: perRecord(this.recordedHashes, null),
      appliedHashes: perRecord(this.appliedHashes, null),
      appliedRevisions: perRecord(this.appliedRevisions, null),
      withdrawn: perRecord(this.withdrawnRecords, false),
    };
  }

  private markApplied(record: number, hash: string, revision: number): void {
    const index = record - 1;
    if ((this.appliedHashes[index] ?? null) !== hash || (this.appliedRevisions[index] ?? null) !== revision) {
      this.changedByThisImport = true;
    }
    this.appliedHashes[index] = hash;
    this.appliedRevisions[index] = revision;
  }
}

/** What to queue for a record whose row now hashes to `hash`, given what was sent for it before. */
export function planRecord(sent: SentRecord, hash: string, resend: boolean): RecordPlan {
  if (sent.recorded === null) return 'recorded';
  if (sent.applied !== hash) return 'amended';
  if (!resend) return 'none';
  return sent.recorded === hash ? 'recorded' : 'amended';
}

/**
 * The revision an event of a row belongs to: a row that differs from the previous edition makes
 * this import the next revision; a re-send repeats the revision it was first sent with.
 */
export function revisionOfRow(
  previousRevision: number | undefined,
  match: RowMatch,
  sent: SentRecord,
  hash: string,
): number {
  if (previousRevision === undefined) return 1;
  if (match.kind !== 'same') return previousRevision + 1;
  if (sent.applied === hash) return sent.appliedRevision ?? previousRevision;
  return previousRevision;
}
