import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { type Db, withPoliceUkImportLock } from '@rollcall/db';
import type { IngestContext } from '@rollcall/intake';
import type { QueueFactory } from '@rollcall/queue';
import { IngestFileError, type IngestFileSummary, type IngestProgress } from './ingest-ndjson-file.ts';
import { PoliceUkFileImport } from './police-uk-file-import.ts';
import { resolvePoliceUkSource } from './police-uk/police-uk-file-name.ts';
import type { UnrecognisedCount } from './police-uk/unrecognised-tally.ts';

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

export type { UnrecognisedCount } from './police-uk/unrecognised-tally.ts';

/**
 * The NDJSON importer's summary (so a caller can treat both alike: `lines` is the data rows read,
 * `accepted` the events queued) plus what only a data.police.uk file has: its force-month, how it
 * relates to the edition before, and the wordings no mapping knows.
 */
export interface PoliceUkImportSummary extends IngestFileSummary {
  readonly feed: 'stop-search';
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
  return withPoliceUkImportLock(options.db, source, async () => {
    const fileImport = await PoliceUkFileImport.start(options, source, file, totalBytes);
    return fileImport.run();
  });
}
