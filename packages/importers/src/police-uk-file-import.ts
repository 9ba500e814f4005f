import { findPoliceUkImport, type PoliceUkImport, savePoliceUkImport } from '@rollcall/db';
import type { StopSearchAmended, StopSearchRecorded } from '@rollcall/contract';
import { findStorageProblem } from '@rollcall/intake';
import { MAX_EVENTS_PER_JOB } from '@rollcall/queue';
import type { PoliceUkImportSummary, PoliceUkIngestOptions, PoliceUkRevisionInfo } from './ingest-police-uk-file.ts';
import { describePoliceUkImport } from './police-uk-import-report.ts';
import { type EditionMatch, EditionMatcher, type RowMatch } from './police-uk/edition-matcher.ts';
import type { Unrecognised } from './police-uk/map-police-uk-row.ts';
import type { PoliceUkSource } from './police-uk/police-uk-file-name.ts';
import { PoliceUkFileReader } from './police-uk/police-uk-file-reader.ts';
import { type PoliceUkRow, rawValuesOf, type RowRejection, rowRejection } from './police-uk/police-uk-row.ts';
import { contentHashOf } from './police-uk/row-content-hash.ts';
import { RowRejections } from './police-uk/row-rejections.ts';
import { planRecord, type RecordPlan, revisionOfRow, SentRecords } from './police-uk/sent-records.ts';
import { StopSearchJobBatcher } from './police-uk/stop-search-job-batcher.ts';
import { toStopSearchAmendment } from './police-uk/to-stop-search-amendment.ts';
import { toStopSearchEvent } from './police-uk/to-stop-search-event.ts';
import { toStopSearchWithdrawal } from './police-uk/to-stop-search-withdrawal.ts';
import { UnrecognisedTally } from './police-uk/unrecognised-tally.ts';

type EditionStatus = PoliceUkRevisionInfo['status'];

/** A row's event, checked, with the wordings no mapping knows; or why the row cannot be sent. */
type RowEvent =
  | {
      readonly kind: 'event';
      readonly event: StopSearchRecorded | StopSearchAmended;
      readonly unrecognised: readonly Unrecognised[];
    }
  | RowRejection;

/**
 * One import of a data.police.uk file, run under its force-month's lock (`ingestPoliceUkFile`
 * describes what it does). The steps of `run`: read the rows, queueing each one's event as soon as
 * its record is known; queue the rows settled only at the end of the file; withdraw the records
 * this edition no longer has; flush the last job and the rejections; write the manifest; summarise.
 */
export class PoliceUkFileImport {
  private readonly resend: boolean;
  private readonly reportLimit: number;
  private readonly matcher: EditionMatcher;
  private readonly sent: SentRecords;
  private readonly jobs: StopSearchJobBatcher;
  private readonly rejections: RowRejections;
  private readonly unrecognised = new UnrecognisedTally();
  private readonly reader: PoliceUkFileReader;
  /** Content hash per position of this edition (index i is position i + 1). */
  private readonly rowHashes: string[] = [];
  /** Rows whose record the matcher settles only at the end of the file, in file order. */
  private readonly unsettled: { item: PoliceUkRow | RowRejection; hash: string }[] = [];

  /** Reads the manifest of the edition imported before (none for a first import) and opens the file. */
  static async start(
    options: PoliceUkIngestOptions,
    source: PoliceUkSource,
    file: string,
    totalBytes: number,
  ): Promise<PoliceUkFileImport> {
    const previous = await findPoliceUkImport(options.db, source);
    return new PoliceUkFileImport(options, source, file, totalBytes, previous);
  }

  private constructor(
    private readonly options: PoliceUkIngestOptions,
    private readonly source: PoliceUkSource,
    file: string,
    private readonly totalBytes: number,
    private readonly previous: PoliceUkImport | undefined,
  ) {
    this.resend = options.resend ?? false;
    this.reportLimit = options.reportLimit ?? 50;
    const batchSize = Math.max(1, Math.min(options.batchSize ?? MAX_EVENTS_PER_JOB, MAX_EVENTS_PER_JOB));
    this.matcher = new EditionMatcher(
      previous && {
        rowHashes: previous.rowHashes,
        rowRecords: previous.rowRecords,
        records: previous.appliedHashes.length,
      },
    );
    this.sent = new SentRecords(previous);
    this.jobs = new StopSearchJobBatcher(options.queues, batchSize);
    const { db, context } = options;
    this.rejections = new RowRejections({ db, context, source, file, reportLimit: this.reportLimit });
    this.reader = new PoliceUkFileReader(options.path, file);
  }

  async run(): Promise<PoliceUkImportSummary> {
    await this.readRows();
    const change = this.matcher.finish();
    await this.importUnsettledRows(change);
    const status = editionStatus(this.previous, change);
    const earlierRemovalsWithdrawn = await this.withdrawRecordsNotInEdition(change, this.revisionOf(status));
    await this.jobs.flush();
    await this.rejections.flush();
    this.reportProgress();
    const fileSha256 = this.reader.digest();
    // Written only now that every job is queued (see `ingestPoliceUkFile`).
    const revisionNumber = await this.saveManifest(change, status, fileSha256);
    const revision = this.revisionInfo(change, revisionNumber, fileSha256);
    return this.summary(fileSha256, revision, earlierRemovalsWithdrawn);
  }

  /** Reads every row, importing each whose record is known at once and keeping the others for the end. */
  private async readRows(): Promise<void> {
    try {
      for await (const item of this.reader.rows()) {
        const hash = contentHashOf(item);
        this.rowHashes.push(hash);
        const match = this.matcher.see(item.position, hash);
        if (match === undefined) this.unsettled.push({ item, hash });
        else await this.importRow(item, hash, match);
        if (item.position % 5_000 === 0) this.reportProgress();
      }
    } catch (error) {
      throw this.reader.explain(error);
    } finally {
      this.reader.close();
    }
    this.reader.throwIfUnreadable();
  }

  private async importUnsettledRows(change: EditionMatch): Promise<void> {
    for (const { item, hash } of this.unsettled) {
      await this.importRow(item, hash, change.rows[item.position - 1] as RowMatch);
    }
  }

  /** Queues what the record a row holds needs, given what was sent for that record before. */
  private async importRow(item: PoliceUkRow | RowRejection, hash: string, match: RowMatch): Promise<void> {
    const sent = this.sent.sentFor(match.record);
    // A row the previous edition had: any rejection of it was stored by the import of that edition.
    const storeRejection = this.resend || match.kind !== 'same';
    if (item.kind === 'rejection') return this.rejections.reject(item, 'stop-search.recorded', storeRejection);

    const plan = planRecord(sent, hash, this.resend);
    const revision = revisionOfRow(this.previous?.revision, match, sent, hash);
    const checked = this.eventOfRow(item, plan, match.record, revision);
    if (checked.kind === 'rejection') {
      // A row sent before and unchanged is not re-judged: it is already downstream.
      if (plan !== 'none') await this.rejections.reject(checked, eventTypeOf(plan), storeRejection);
      return;
    }
    this.unrecognised.count(checked.unrecognised);
    if (plan === 'none') return;
    if (checked.event.type === 'stop-search.recorded') {
      this.sent.markRecorded(match.record, hash, revision);
      await this.jobs.queue('recorded', checked.event);
    } else {
      this.sent.markAmended(match.record, hash, revision);
      await this.jobs.queue('amended', checked.event);
    }
  }

  /** The row as the event its plan calls for, checked to be storable. */
  private eventOfRow(row: PoliceUkRow, plan: RecordPlan, record: number, revision: number): RowEvent {
    const mapped =
      plan === 'amended'
        ? toStopSearchAmendment(row, this.source, record, revision)
        : toStopSearchEvent(row, this.source, record);
    if (mapped.kind === 'rejection') return mapped;
    // PostgreSQL cannot store a NUL or a lone surrogate; the worker would reject such an event
    // against its job. Checked here so the row is reported against its line instead.
    const reason = findStorageProblem(mapped.event);
    if (reason === undefined) return { kind: 'event', event: mapped.event, unrecognised: mapped.unrecognised };
    return rowRejection(row, [{ column: null, value: null, reason }], rawValuesOf(row));
  }

  /**
   * Every record sent and not in this edition is withdrawn: the ones this edition removed, and any
   * an importer before withdrawals left counted (their number is returned). A record withdrawn
   * before is withdrawn again only on `resend`.
   */
  private async withdrawRecordsNotInEdition(change: EditionMatch, thisRevision: number): Promise<number> {
    const inEdition = new Set(change.rows.map((row) => row.record));
    const removedNow = new Set(change.removedRecords);
    let earlierRemovalsWithdrawn = 0;
    for (let record = 1; record <= change.records; record++) {
      const sent = this.sent.sentFor(record);
      if (inEdition.has(record) || sent.recorded === null) continue;
      if (sent.withdrawn) {
        const revision = sent.appliedRevision ?? thisRevision;
        if (this.resend) await this.jobs.queue('withdrawn', toStopSearchWithdrawal(this.source, record, revision));
        continue;
      }
      if (!removedNow.has(record)) earlierRemovalsWithdrawn += 1;
      this.sent.markWithdrawn(record, thisRevision);
      await this.jobs.queue('withdrawn', toStopSearchWithdrawal(this.source, record, thisRevision));
    }
    return earlierRemovalsWithdrawn;
  }

  /** The revision this edition is: the next one when revised, else the previous edition's. */
  private revisionOf(status: EditionStatus): number {
    if (this.previous === undefined) return 1;
    if (status === 'revised') return this.previous.revision + 1;
    return this.previous.revision;
  }

  /**
   * Writes the manifest when anything changed: the rows, what was sent, or only the order of the
   * rows. Returns the revision the force-month is at.
   */
  private async saveManifest(change: EditionMatch, status: EditionStatus, fileSha256: string): Promise<number> {
    const previous = this.previous;
    const rowRecords = change.rows.map((row) => row.record);
    const reordered = previous !== undefined && !sameNumbers(previous.rowRecords, rowRecords);
    if (status === 'unchanged' && !this.sent.changed && !reordered) return previous?.revision ?? 1;
    const saved = await this.options.db.transaction().execute((trx) =>
      savePoliceUkImport(trx, {
        ...this.source,
        fileSha256,
        rowHashes: this.rowHashes,
        rowRecords,
        ...this.sent.columns(change.records),
        expectedRevision: previous?.revision ?? null,
        change: status === 'unchanged' ? null : change,
      }),
    );
    return saved.revision;
  }

  private revisionInfo(change: EditionMatch, revisionNumber: number, fileSha256: string): PoliceUkRevisionInfo {
    const previous = this.previous;
    if (previous === undefined) return { status: 'new', revision: 1 };
    if (change.unchanged) {
      return { status: 'unchanged', revision: revisionNumber, sameFile: previous.fileSha256 === fileSha256 };
    }
    const first = (positions: readonly number[]) => positions.slice(0, this.reportLimit);
    return {
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
  }

  private summary(
    fileSha256: string,
    revision: PoliceUkRevisionInfo,
    earlierRemovalsWithdrawn: number,
  ): PoliceUkImportSummary {
    const summary: Omit<PoliceUkImportSummary, 'report'> = {
      file: this.options.path,
      feed: 'stop-search',
      forceId: this.source.forceId,
      month: this.source.month,
      fileSha256,
      rows: this.rowHashes.length,
      lines: this.rowHashes.length,
      queued: this.jobs.queued(),
      accepted: this.jobs.total,
      jobs: this.jobs.jobs,
      rejected: this.rejections.rejected,
      rejectionsStored: this.rejections.stored,
      rejections: this.rejections.reported,
      revision,
      earlierRemovalsWithdrawn,
      unrecognised: this.unrecognised.mostFrequentFirst(),
      resent: this.resend,
    };
    return { ...summary, report: describePoliceUkImport(summary) };
  }

  private reportProgress(): void {
    this.options.onProgress?.({
      bytesRead: this.reader.bytesRead,
      totalBytes: this.totalBytes,
      lines: this.rowHashes.length,
      accepted: this.jobs.total,
      rejected: this.rejections.rejected,
    });
  }
}

/** New for a first import; unchanged when this edition has the same rows; else revised. */
function editionStatus(previous: PoliceUkImport | undefined, change: EditionMatch): EditionStatus {
  if (previous === undefined) return 'new';
  return change.unchanged ? 'unchanged' : 'revised';
}

const eventTypeOf = (plan: 'recorded' | 'amended') =>
  plan === 'amended' ? 'stop-search.amended' : 'stop-search.recorded';

const sameNumbers = (a: readonly number[], b: readonly number[]) =>
  a.length === b.length && a.every((value, i) => value === b[i]);
