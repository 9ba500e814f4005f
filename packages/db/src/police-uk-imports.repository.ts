import { type ColumnType, type Kysely, type Selectable, sql } from 'kysely';
import type { Database, Db, DbOrTransaction } from './database.ts';

/** timestamptz defaulting to now(): read as Date, optional on insert. */
type DefaultedTimestamp = ColumnType<Date, Date | string | undefined, Date | string>;

// Type aliases, not interfaces: withTables needs tables with an implicit index signature.
type PoliceUkImportsTable = {
  force_id: string;
  month: string;
  file_sha256: string;
  rows: number;
  row_hashes: string[];
  recorded_hashes: (string | null)[];
  applied_hashes: (string | null)[];
  applied_revisions: (number | null)[];
  row_records: number[];
  withdrawn: boolean[];
  revision: number;
  first_imported_at: DefaultedTimestamp;
  imported_at: DefaultedTimestamp;
};

type PoliceUkImportRevisionsTable = {
  force_id: string;
  month: string;
  revision: number;
  file_sha256: string;
  rows: number;
  changed_positions: number[];
  added_positions: number[];
  removed_positions: number[];
  imported_at: DefaultedTimestamp;
};

/** The tables of migrations 2026-11-22-04 and 2026-12-01-08, seen only through this repository. */
type PoliceUkImportTables = {
  police_uk_imports: PoliceUkImportsTable;
  police_uk_import_revisions: PoliceUkImportRevisionsTable;
};

// A Transaction is a Kysely, and its withTables returns a Transaction, so this stays inside
// whatever transaction the caller passed.
const withImportTables = (db: DbOrTransaction) => (db as Kysely<Database>).withTables<PoliceUkImportTables>();

/** One published force-month file: data.police.uk publishes one per force and month. */
export interface PoliceUkMonthKey {
  readonly forceId: string;
  /** `YYYY-MM`. */
  readonly month: string;
}

/**
 * The manifest of a force-month: what its latest imported edition held and what was sent.
 *
 * Two kinds of array: per position of the latest edition (`rowHashes`, `rowRecords`; index i is
 * position i + 1) and per record (`recordedHashes`, `appliedHashes`, `appliedRevisions`,
 * `withdrawn`; index n - 1 is record n, `pu-<force>-<month>-<n>`). Records are never renumbered,
 * so the per-record arrays only grow: a record whose row left the month stays, withdrawn.
 */
export interface PoliceUkImport extends PoliceUkMonthKey {
  readonly fileSha256: string;
  /** Data rows of the latest edition (rejected ones included): `rowHashes.length`. */
  readonly rows: number;
  /** Content hash per position of the latest edition. */
  readonly rowHashes: readonly string[];
  /** Per position of the latest edition, the record it holds. */
  readonly rowRecords: readonly number[];
  /** Per record, the row hash a `stop-search.recorded` was queued for; null when none was. */
  readonly recordedHashes: readonly (string | null)[];
  /** Per record, the row hash of the latest content queued for it (recorded or amended). */
  readonly appliedHashes: readonly (string | null)[];
  /** Per record, the revision whose import queued its latest event (null: none). */
  readonly appliedRevisions: readonly (number | null)[];
  /** Per record, whether that latest event was a withdrawal: the record counts nothing. */
  readonly withdrawn: readonly boolean[];
  /** 1 for the first edition, + 1 for each edition that differed from the one before. */
  readonly revision: number;
  readonly firstImportedAt: Date;
  readonly importedAt: Date;
}

/** What one edition changed, by 1-based position. */
export interface PoliceUkMonthChange {
  /** Positions of the new edition holding an edited row (its record was amended). */
  readonly changedPositions: readonly number[];
  /** Positions of the new edition holding a row no earlier record matched (a new record). */
  readonly addedPositions: readonly number[];
  /** Positions of the previous edition whose row the new one lacks (its record was withdrawn). */
  readonly removedPositions: readonly number[];
}

export interface PoliceUkImportRevision extends PoliceUkMonthKey, PoliceUkMonthChange {
  readonly revision: number;
  readonly fileSha256: string;
  readonly rows: number;
  readonly importedAt: Date;
}

export interface PoliceUkImportWrite extends PoliceUkMonthKey {
  readonly fileSha256: string;
  readonly rowHashes: readonly string[];
  readonly rowRecords: readonly number[];
  readonly recordedHashes: readonly (string | null)[];
  readonly appliedHashes: readonly (string | null)[];
  readonly appliedRevisions: readonly (number | null)[];
  readonly withdrawn: readonly boolean[];
  /** The revision read before the import, or null for a force-month never imported. */
  readonly expectedRevision: number | null;
  /**
   * What this edition changed, kept in the history under the new revision; null when the edition
   * is the same as the stored one (only what was sent is updated, the revision stays).
   */
  readonly change: PoliceUkMonthChange | null;
}

/** The manifest moved on since it was read: another import of the month got there first. */
export class PoliceUkImportConflictError extends Error {
  override readonly name = 'PoliceUkImportConflictError';
  constructor(
    readonly key: PoliceUkMonthKey,
    readonly expectedRevision: number | null,
  ) {
    super(
      `the manifest of ${key.forceId} ${key.month} changed during the import (expected ${
        expectedRevision === null ? 'no import yet' : `revision ${expectedRevision}`
      }); import the file again to reconcile`,
    );
  }
}

/** Another import of the same force-month holds its lock. */
export class PoliceUkImportBusyError extends Error {
  override readonly name = 'PoliceUkImportBusyError';
  constructor(readonly key: PoliceUkMonthKey) {
    super(`another import of ${key.forceId} ${key.month} is running; try again when it has finished`);
  }
}

const toImport = (row: Selectable<PoliceUkImportsTable>): PoliceUkImport => ({
  forceId: row.force_id,
  month: row.month,
  fileSha256: row.file_sha256,
  rows: row.rows,
  rowHashes: row.row_hashes,
  recordedHashes: row.recorded_hashes,
  appliedHashes: row.applied_hashes,
  appliedRevisions: row.applied_revisions,
  rowRecords: row.row_records,
  withdrawn: row.withdrawn,
  revision: row.revision,
  firstImportedAt: row.first_imported_at,
  importedAt: row.imported_at,
});

export async function findPoliceUkImport(
  db: DbOrTransaction,
  key: PoliceUkMonthKey,
): Promise<PoliceUkImport | undefined> {
  const row = await withImportTables(db)
    .selectFrom('police_uk_imports')
    .selectAll()
    .where('force_id', '=', key.forceId)
    .where('month', '=', key.month)
    .executeTakeFirst();
  return row === undefined ? undefined : toImport(row);
}

/** The editions of a force-month that changed something, oldest first. */
export async function listPoliceUkImportRevisions(
  db: DbOrTransaction,
  key: PoliceUkMonthKey,
): Promise<PoliceUkImportRevision[]> {
  const rows = await withImportTables(db)
    .selectFrom('police_uk_import_revisions')
    .selectAll()
    .where('force_id', '=', key.forceId)
    .where('month', '=', key.month)
    .orderBy('revision')
    .execute();
  return rows.map((row) => ({
    forceId: row.force_id,
    month: row.month,
    revision: row.revision,
    fileSha256: row.file_sha256,
    rows: row.rows,
    changedPositions: row.changed_positions,
    addedPositions: row.added_positions,
    removedPositions: row.removed_positions,
    importedAt: row.imported_at,
  }));
}

/**
 * Writes the manifest of an import, checked against the revision read before it (a compare and
 * set: a concurrent import of the month makes this throw `PoliceUkImportConflictError` rather
 * than lose the other's edition). A first import is revision 1; an edition with a `change` is the
 * next revision and is added to the history. Run it in a transaction so both rows land together.
 */
export async function savePoliceUkImport(db: DbOrTransaction, write: PoliceUkImportWrite): Promise<PoliceUkImport> {
  const tables = withImportTables(db);
  const key = { forceId: write.forceId, month: write.month };
  const values = {
    file_sha256: write.fileSha256,
    rows: write.rowHashes.length,
    row_hashes: [...write.rowHashes],
    recorded_hashes: [...write.recordedHashes],
    applied_hashes: [...write.appliedHashes],
    applied_revisions: [...write.appliedRevisions],
    row_records: [...write.rowRecords],
    withdrawn: [...write.withdrawn],
    imported_at: sql<Date>`now()`,
  };

  let saved;
  if (write.expectedRevision === null) {
    saved = await tables
      .insertInto('police_uk_imports')
      .values({ force_id: write.forceId, month: write.month, revision: 1, ...values })
      .onConflict((conflict) => conflict.columns(['force_id', 'month']).doNothing())
      .returningAll()
      .executeTakeFirst();
  } else {
    const revision = write.change === null ? write.expectedRevision : write.expectedRevision + 1;
    saved = await tables
      .updateTable('police_uk_imports')
      .set({ ...values, revision })
      .where('force_id', '=', write.forceId)
      .where('month', '=', write.month)
      .where('revision', '=', write.expectedRevision)
      .returningAll()
      .executeTakeFirst();
  }
  if (saved === undefined) throw new PoliceUkImportConflictError(key, write.expectedRevision);

  if (write.expectedRevision === null || write.change !== null) {
    const change = write.change ?? {
      changedPositions: [],
      addedPositions: write.rowHashes.map((_, i) => i + 1),
      removedPositions: [],
    };
    await tables
      .insertInto('police_uk_import_revisions')
      .values({
        force_id: write.forceId,
        month: write.month,
        revision: saved.revision,
        file_sha256: write.fileSha256,
        rows: saved.rows,
        changed_positions: [...change.changedPositions],
        added_positions: [...change.addedPositions],
        removed_positions: [...change.removedPositions],
      })
      .execute();
  }
  return toImport(saved);
}

/**
 * Runs `work` holding a session advisory lock on the force-month, so two imports of one month
 * never compare against the same manifest and both send amendments. The lock lives on one
 * reserved connection (released when `work` settles, or by PostgreSQL if the process dies); `work`
 * uses the pool as usual. Fails fast with `PoliceUkImportBusyError` rather than queueing behind
 * an import that may take minutes.
 */
export async function withPoliceUkImportLock<T>(db: Db, key: PoliceUkMonthKey, work: () => Promise<T>): Promise<T> {
  const lockKey = `rollcall:police-uk-import:${key.forceId}:${key.month}`;
  return db.connection().execute(async (connection) => {
    const { rows } = await sql<{
      locked: boolean;
    }>`select pg_try_advisory_lock(hashtextextended(${lockKey}, 0)) as locked`.execute(connection);
    if (rows[0]?.locked !== true) throw new PoliceUkImportBusyError(key);
    try {
      return await work();
    } finally {
      await sql`select pg_advisory_unlock(hashtextextended(${lockKey}, 0))`.execute(connection);
    }
  });
}
