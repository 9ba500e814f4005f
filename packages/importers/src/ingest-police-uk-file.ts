import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { pipeline, Transform, type TransformCallback } from 'node:stream';
import {
  type Db,
  findPoliceUkImport,
  type PoliceUkImport,
  savePoliceUkImport,
  withPoliceUkImportLock,
} from '@rollcall/db';
import type { StopSearchAmended, StopSearchRecorded } from '@rollcall/contract';
import { contentHashOf } from './police-uk/row-content-hash.ts';
import { EditionMatcher, type RowMatch } from './police-uk/edition-matcher.ts';
import {
  POLICE_UK_COLUMNS,
  type PoliceUkRow,
  rawValuesOf,
  type RowRejection,
  rowRejection,
} from './police-uk/police-uk-row.ts';
import { PoliceUkHeaderError, readPoliceUkCsv } from './police-uk/read-police-uk-csv.ts';
import { type PoliceUkSource, resolvePoliceUkSource } from './police-uk/police-uk-file-name.ts';
import { toStopSearchAmendment } from './police-uk/to-stop-search-amendment.ts';
import { toStopSearchEvent } from './police-uk/to-stop-search-event.ts';
import { toStopSearchWithdrawal } from './police-uk/to-stop-search-withdrawal.ts';
import { type Unrecognised } from './police-uk/map-police-uk-row.ts';
import { feedQueueName, MAX_EVENTS_PER_JOB, type QueueFactory } from '@rollcall/queue';
import {
  IngestFileError,
  type IngestFileSummary,
  type IngestProgress,
  type LineRejection,
} from './ingest-ndjson-file.ts';
import { describePoliceUkImport } from './police-uk-import-report.ts';
import type { IngestContext, RejectedInput } from '@rollcall/intake';
import { findStorageProblem, toStorableText } from '@rollcall/intake';
import { recordRejections } from '@rollcall/intake';

const FEED = 'stop-search' as const;

/**
 * The force or month of a file cannot be settled: a name that is not
 * `YYYY-MM-<force>-stop-and-search.csv` without `--force`/`--month`, a malformed override, or a
 * force that is not in the reference data. Nothing was read or queued.
 */
export class PoliceUkSourceError extends Error {
  override readonly name = 'PoliceUkSourceError';
  constructor(
    message: string,
    readonly file: string,
  ) {
    super(message);
  }
}

export interface PoliceUkIngestOptions {
  readonly path: string;
  readonly db: Db;
  readonly queues: QueueFactory;
  readonly context: IngestContext;
  /** `--force`: the force slug, instead of the one in the file name. */
  readonly force?: string;
  /** `--month` (`YYYY-MM`), instead of the one in the file name. */
  readonly month?: string;
  /**
   * Queue every row's event again even where the manifest says it was already sent (the CLI's
   * `--resend`). For an operator who knows jobs were lost before the workers stored them (Redis
   * flushed, queue obliterated): stored events come back as duplicates and change nothing, lost
   * ones are stored. Default false: a month already imported queues only what differs.
   */
  readonly resend?: boolean;
  /** Events per job, at most 1,000 (feeds.md); default 1,000. */
  readonly batchSize?: number;
  /** Keep at most this many rejections, and positions per list, in the summary (all are stored); default 50. */
  readonly reportLimit?: number;
  /** As for NDJSON files: `lines` counts data rows read, `accepted` events queued. */
  readonly onProgress?: (progress: IngestProgress) => void;
}

/** How this file relates to what was imported for its force-month before. */
export type PoliceUkRevisionInfo =
  | { readonly status: 'new'; readonly revision: 1 }
  | {
      readonly status: 'unchanged';
      readonly revision: number;
      /** The same bytes as last time (else the same rows in a re-saved or reordered file). */
      readonly sameFile: boolean;
    }
  | {
      readonly status: 'revised';
      readonly revision: number;
      readonly previousRevision: number;
      /** Edited rows: each amends the record of the row it replaced. */
      readonly changed: number;
      /** Rows no record held: new records. */
      readonly added: number;
      /** Rows of the previous edition missing from this one: their records are withdrawn. */
      readonly removed: number;
      /** The first `reportLimit` positions of each kind (all are in police_uk_import_revisions). */
      readonly changedPositions: readonly number[];
      readonly addedPositions: readonly number[];
      /** Positions in the previous edition. */
      readonly removedPositions: readonly number[];
    };

export interface UnrecognisedCount extends Unrecognised {
  /** Rows of the file with this value. */
  readonly rows: number;
}

/**
 * The NDJSON importer's summary (so a caller can treat both alike: `lines` is the data rows read,
 * `accepted` the events queued) plus what only a data.police.uk file has: its force-month, how it
 * relates to the edition before, and the wordings no mapping knows.
 */
export interface PoliceUkImportSummary extends IngestFileSummary {
  readonly feed: typeof FEED;
  readonly forceId: string;
  readonly month: string;
  readonly fileSha256: string;
  /** Data rows in the file, rejected ones included. */
  readonly rows: number;
  /**
   * Events queued by this import: `stop-search.recorded`, `stop-search.amended` carrying a row,
   * and `stop-search.amended` withdrawing a record whose row is gone.
   */
  readonly queued: {
    readonly recorded: number;
    readonly amended: number;
    readonly withdrawn: number;
    readonly total: number;
  };
  /** Rows of this file that could not be imported. */
  readonly rejected: number;
  /**
   * Rejections this import stored. A rejected row an earlier import of the same edition already
   * stored is reported again but not stored twice (unless `resend`).
   */
  readonly rejectionsStored: number;
  readonly revision: PoliceUkRevisionInfo;
  /**
   * Withdrawals of records whose rows an earlier edition removed: left counted by the importer
   * before withdrawals existed, withdrawn by the first import of their month since (0 after that).
   */
  readonly earlierRemovalsWithdrawn: number;
  /** Ethnicity and outcome wordings no mapping knows, per value, most frequent first. */
  readonly unrecognised: readonly UnrecognisedCount[];
  readonly resent: boolean;
  /** The summary as sentences for the operator, one per line (`describePoliceUkImport`). */
  readonly report: readonly string[];
}

const REJECTION_FLUSH = 500;

/**
 * Imports one data.police.uk stop-and-search file (feeds.md, "Importing data.police.uk
 * stop-and-search files"): streams it, queues its rows on `feed.stop-search` in jobs of up to
 * 1,000 events, stores bad rows in rejected_events with their line, and keeps a manifest per
 * force-month so that a file is judged against the edition imported before it.
 *
 * The files have no record ids, so the month's records are numbered by the importer and a new
 * edition's rows are matched to them by content (`EditionMatcher`): a row the previous edition
 * had, wherever it now sits, holds the same record; an edited row holds the record of the row it
 * replaced; any other row is a new record; a record whose row is gone is withdrawn. So:
 *
 * - first import of the month: every row as `stop-search.recorded`, record n being row n;
 * - the same rows again (same bytes, a re-saved copy, or the rows in another order):
 *   `unchanged`, nothing queued. Re-queuing would only produce duplicates downstream, so it is
 *   skipped; an operator who needs the events sent again passes `resend`;
 * - different rows: a revision. An edited row is a `stop-search.amended` of its record carrying
 *   every field and the row's time (`searchedAt`), a new row a `stop-search.recorded`, a removed
 *   row's record a `stop-search.amended` with `withdrawn: true`. Every row keeps counting on its
 *   own day, and the month counts exactly the rows of its latest file.
 *
 * What is sent is decided per record from what was sent before, not only from the previous
 * edition's content: a row rejected last time and fixed now gets its `recorded`, not an
 * amendment of a record that never arrived; a record whose row was rejected and is gone has
 * nothing to withdraw; a record an earlier version of the importer left counted after its row
 * was removed is withdrawn by the next import of its month.
 *
 * The manifest is written only after every job was queued: a crash before that leaves the old
 * manifest, and importing the same file again re-sends events that are then duplicates, never
 * gaps. One import per force-month runs at a time (`PoliceUkImportBusyError` otherwise).
 *
 * Memory: the row hashes of both editions (16 hex digits a row), and the rows whose record cannot
 * be settled until the end of the file (`EditionMatcher`): a handful for a typical revision, the
 * whole file when every row changed.
 *
 * Throws `PoliceUkSourceError` (force or month), `PoliceUkHeaderError` (not a data.police.uk
 * file), `IngestFileError` (cannot be read) and `PoliceUkImportBusyError`; never for a bad row.
 */
export async function ingestPoliceUkFile(options: PoliceUkIngestOptions): Promise<PoliceUkImportSummary> {
  const file = basename(options.path);
  const resolved = resolvePoliceUkSource(file, { force: options.force, month: options.month });
  if (!resolved.ok) throw new PoliceUkSourceError(`${file}: ${resolved.error}`, file);
  const source = resolved.source;
  if (!options.context.knownForces.has(source.forceId)) {
    throw new PoliceUkSourceError(
      `${file}: unknown force ${JSON.stringify(source.forceId)} (not in the reference data); pass --force with a force slug such as avon-and-somerset`,
      file,
    );
  }
  const totalBytes = await stat(options.path).then(
    (stats) => {
      if (!stats.isFile()) throw new IngestFileError(`cannot read ${options.path}: not a file`);
      return stats.size;
    },
    (error: NodeJS.ErrnoException) => {
      throw new IngestFileError(
        `cannot read ${options.path}: ${error.code === 'ENOENT' ? 'no such file' : error.message}`,
      );
    },
  );
  return withPoliceUkImportLock(options.db, source, () => importLocked(options, source, file, totalBytes));
}

type Plan = 'recorded' | 'amended' | 'none';

/**
 * What to queue for a record whose row now hashes to `hash`, given the hashes of its recorded
 * event and of the latest content sent for it before (null: none).
 */
function planRecord(recorded: string | null, applied: string | null, hash: string, resend: boolean): Plan {
  if (recorded === null) return 'recorded';
  if (applied !== hash) return 'amended';
  if (!resend) return 'none';
  return recorded === hash ? 'recorded' : 'amended';
}

async function importLocked(
  options: PoliceUkIngestOptions,
  source: PoliceUkSource,
  file: string,
  totalBytes: number,
): Promise<PoliceUkImportSummary> {
  const { db, queues, context } = options;
  const resend = options.resend ?? false;
  const batchSize = Math.max(1, Math.min(options.batchSize ?? MAX_EVENTS_PER_JOB, MAX_EVENTS_PER_JOB));
  const reportLimit = options.reportLimit ?? 50;
  const queueName = feedQueueName(FEED);

  const previous: PoliceUkImport | undefined = await findPoliceUkImport(db, source);
  const matcher = new EditionMatcher(
    previous && {
      rowHashes: previous.rowHashes,
      rowRecords: previous.rowRecords,
      records: previous.appliedHashes.length,
    },
  );
  const rowHashes: string[] = [];
  // Per record (index n - 1 is record n), what downstream was sent; a new record starts with nothing.
  const recordedHashes: (string | null)[] = [...(previous?.recordedHashes ?? [])];
  const appliedHashes: (string | null)[] = [...(previous?.appliedHashes ?? [])];
  const appliedRevisions: (number | null)[] = [...(previous?.appliedRevisions ?? [])];
  const withdrawn: boolean[] = [...(previous?.withdrawn ?? [])];
  let sentStateChanged = false;
  // Rows whose record the matcher settles only at the end of the file, in file order.
  const unsettled: { item: PoliceUkRow | RowRejection; hash: string }[] = [];

  const queued = { recorded: 0, amended: 0, withdrawn: 0 };
  const queuedTotal = () => queued.recorded + queued.amended + queued.withdrawn;
  let jobs = 0;
  let batch: (StopSearchRecorded | StopSearchAmended)[] = [];
  let rejected = 0;
  let rejectionsStored = 0;
  const rejections: LineRejection[] = [];
  let pendingRejections: (RejectedInput & { source: string })[] = [];
  const unrecognised = new Map<string, UnrecognisedCount>();

  const flushBatch = async () => {
    if (batch.length === 0) return;
    await queues.add('feed-batch', queueName, { events: batch });
    jobs += 1;
    batch = [];
  };
  const send = async (event: StopSearchRecorded | StopSearchAmended) => {
    batch.push(event);
    if (batch.length >= batchSize) await flushBatch();
  };
  const flushRejections = async () => {
    await recordRejections(db, FEED, pendingRejections, context);
    pendingRejections = [];
  };
  const reject = async (rejection: RowRejection, type: string, store: boolean) => {
    rejected += 1;
    if (rejections.length < reportLimit) rejections.push({ line: rejection.line, reason: rejection.reason });
    if (!store) return;
    rejectionsStored += 1;
    pendingRejections.push({
      kind: 'rejected',
      reason: rejection.reason,
      hint: { forceId: source.forceId, type, feed: FEED },
      payload: rejectedRowPayload(rejection),
      source: `file ${file} line ${rejection.line}`,
    });
    if (pendingRejections.length >= REJECTION_FLUSH) await flushRejections();
  };
  const countUnrecognised = (values: readonly Unrecognised[]) => {
    for (const { column, value } of values) {
      const key = `${column}\u0000${value}`;
      unrecognised.set(key, { column, value, rows: (unrecognised.get(key)?.rows ?? 0) + 1 });
    }
  };

  /** Queues what the record a row holds needs, given what was sent for that record before. */
  const importRow = async (item: PoliceUkRow | RowRejection, hash: string, match: RowMatch) => {
    const index = match.record - 1;
    const recorded = recordedHashes[index] ?? null;
    const applied = appliedHashes[index] ?? null;
    const appliedRevision = appliedRevisions[index] ?? null;
    recordedHashes[index] = recorded;
    appliedHashes[index] = applied;
    appliedRevisions[index] = appliedRevision;
    withdrawn[index] ??= false;
    // A row the previous edition had: any rejection of it was stored by the import of that edition.
    const same = match.kind === 'same';
    const storeRejection = resend || !same;
    if (item.kind === 'rejection') return reject(item, 'stop-search.recorded', storeRejection);

    const plan = planRecord(recorded, applied, hash, resend);
    // The revision this event belongs to: a row that differs from the previous edition makes this
    // import the next revision; a re-send repeats the revision it was first sent with.
    const revision =
      previous === undefined
        ? 1
        : !same
          ? previous.revision + 1
          : applied === hash
            ? (appliedRevision ?? previous.revision)
            : previous.revision;
    const mapped =
      plan === 'amended'
        ? toStopSearchAmendment(item, source, match.record, revision)
        : toStopSearchEvent(item, source, match.record);
    const checked = mapped.kind === 'rejection' ? mapped : withStorableText(mapped, item);
    if (checked.kind === 'rejection') {
      // A row sent before and unchanged is not re-judged: it is already downstream.
      if (plan !== 'none')
        await reject(checked, plan === 'amended' ? 'stop-search.amended' : 'stop-search.recorded', storeRejection);
      return;
    }
    countUnrecognised(checked.unrecognised);
    if (plan === 'none') return;
    if (checked.event.type === 'stop-search.recorded') {
      queued.recorded += 1;
      recordedHashes[index] = hash;
    } else {
      queued.amended += 1;
    }
    if (applied !== hash || appliedRevision !== revision) sentStateChanged = true;
    appliedHashes[index] = hash;
    appliedRevisions[index] = revision;
    await send(checked.event);
  };

  const sha256 = createHash('sha256');
  const input = createReadStream(options.path);
  const tap = hashingTap(sha256);
  let readError: Error | undefined;
  // pipeline destroys the tap when the file fails, which ends readPoliceUkCsv with the error.
  pipeline(input, tap, (error) => {
    if (error) readError ??= error;
  });
  const progress = () =>
    options.onProgress?.({
      bytesRead: input.bytesRead,
      totalBytes,
      lines: rowHashes.length,
      accepted: queuedTotal(),
      rejected,
    });

  try {
    for await (const item of readPoliceUkCsv(tap)) {
      const hash = contentHashOf(item);
      rowHashes.push(hash);
      const match = matcher.see(item.position, hash);
      if (match === undefined) unsettled.push({ item, hash });
      else await importRow(item, hash, match);
      if (item.position % 5_000 === 0) progress();
    }
  } catch (error) {
    if (readError !== undefined) throw new IngestFileError(`cannot read ${options.path}: ${readError.message}`);
    if (error instanceof PoliceUkHeaderError) {
      throw new PoliceUkHeaderError(`${file}: ${error.message}`, error.missing, error.unexpected, error.duplicated);
    }
    throw error;
  } finally {
    input.destroy();
  }
  if (readError !== undefined) throw new IngestFileError(`cannot read ${options.path}: ${readError.message}`);

  const change = matcher.finish();
  for (const { item, hash } of unsettled) await importRow(item, hash, change.rows[item.position - 1] as RowMatch);
  const status = previous === undefined ? 'new' : change.unchanged ? 'unchanged' : 'revised';
  const thisRevision = previous === undefined ? 1 : status === 'revised' ? previous.revision + 1 : previous.revision;

  // Every record sent and not in this edition is withdrawn: the ones this edition removed, and
  // any an importer before withdrawals left counted.
  const inEdition = new Set(change.rows.map((row) => row.record));
  const removedNow = new Set(change.removedRecords);
  let earlierRemovalsWithdrawn = 0;
  for (let record = 1; record <= change.records; record++) {
    const index = record - 1;
    if (inEdition.has(record) || (recordedHashes[index] ?? null) === null) continue;
    if (withdrawn[index] === true) {
      if (resend) {
        queued.withdrawn += 1;
        await send(toStopSearchWithdrawal(source, record, appliedRevisions[index] ?? thisRevision));
      }
      continue;
    }
    queued.withdrawn += 1;
    if (!removedNow.has(record)) earlierRemovalsWithdrawn += 1;
    withdrawn[index] = true;
    appliedRevisions[index] = thisRevision;
    sentStateChanged = true;
    await send(toStopSearchWithdrawal(source, record, thisRevision));
  }
  await flushBatch();
  await flushRejections();
  progress();

  const fileSha256 = sha256.digest('hex');
  const rowRecords = change.rows.map((row) => row.record);
  const reordered = previous !== undefined && !sameNumbers(previous.rowRecords, rowRecords);
  // Written only now that every job is queued (see above).
  let revisionNumber = previous?.revision ?? 1;
  if (status !== 'unchanged' || sentStateChanged || reordered) {
    const perRecord = <T>(values: readonly (T | undefined)[], empty: T) =>
      Array.from({ length: change.records }, (_, i) => values[i] ?? empty);
    const saved = await db.transaction().execute((trx) =>
      savePoliceUkImport(trx, {
        ...source,
        fileSha256,
        rowHashes,
        rowRecords,
        recordedHashes: perRecord(recordedHashes, null),
        appliedHashes: perRecord(appliedHashes, null),
        appliedRevisions: perRecord(appliedRevisions, null),
        withdrawn: perRecord(withdrawn, false),
        expectedRevision: previous?.revision ?? null,
        change: status === 'unchanged' ? null : change,
      }),
    );
    revisionNumber = saved.revision;
  }

  const first = (positions: readonly number[]) => positions.slice(0, reportLimit);
  const revision: PoliceUkRevisionInfo =
    previous === undefined
      ? { status: 'new', revision: 1 }
      : change.unchanged
        ? { status: 'unchanged', revision: revisionNumber, sameFile: previous.fileSha256 === fileSha256 }
        : {
            status: 'revised',
            revision: revisionNumber,
            previousRevision: previous.revision,
            changed: change.changedPositions.length,
            added: change.addedPositions.length,
            removed: change.removedPositions.length,
            changedPositions: first(change.changedPositions),
            addedPositions: first(change.addedPositions),
            removedPositions: first(change.removedPositions),
          };

  const summary: Omit<PoliceUkImportSummary, 'report'> = {
    file: options.path,
    feed: FEED,
    forceId: source.forceId,
    month: source.month,
    fileSha256,
    rows: rowHashes.length,
    lines: rowHashes.length,
    queued: { ...queued, total: queuedTotal() },
    accepted: queuedTotal(),
    jobs,
    rejected,
    rejectionsStored,
    rejections,
    revision,
    earlierRemovalsWithdrawn,
    unrecognised: [...unrecognised.values()].sort(
      (a, b) => b.rows - a.rows || a.column.localeCompare(b.column) || a.value.localeCompare(b.value),
    ),
    resent: resend,
  };
  return { ...summary, report: describePoliceUkImport(summary) };
}

const sameNumbers = (a: readonly number[], b: readonly number[]) =>
  a.length === b.length && a.every((value, i) => value === b[i]);

/** Passes the file through unchanged, hashing its bytes on the way. */
function hashingTap(hash: Hash): Transform {
  return new Transform({
    transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback) {
      hash.update(chunk);
      callback(null, chunk);
    },
  });
}

/**
 * PostgreSQL cannot store a NUL or a lone surrogate; the worker would reject such an event
 * against its job. Checked here so the row is reported against its line instead.
 */
function withStorableText<T extends { event: object }>(mapped: T, row: PoliceUkRow): T | RowRejection {
  const reason = findStorageProblem(mapped.event);
  if (reason === undefined) return mapped;
  return rowRejection(row, [{ column: null, value: null, reason }], rawValuesOf(row));
}

/** The rejected row as kept for inspection: its cells by column when it had all 15. */
function rejectedRowPayload(rejection: RowRejection): string {
  const cells =
    rejection.raw.length === POLICE_UK_COLUMNS.length
      ? Object.fromEntries(POLICE_UK_COLUMNS.map((column, i) => [column, rejection.raw[i]]))
      : { cells: rejection.raw, problems: rejection.problems.map((problem) => problem.reason) };
  return toStorableText(JSON.stringify(cells));
}
