import type { Db } from '@rollcall/db';
import { type IngestContext, type RejectedInput, recordRejections, toStorableText } from '@rollcall/intake';
import type { LineRejection } from '../ingest-ndjson-file.ts';
import type { PoliceUkSource } from './police-uk-file-name.ts';
import { POLICE_UK_COLUMNS, type RowRejection } from './police-uk-row.ts';

const FEED = 'stop-search' as const;
const REJECTION_FLUSH = 500;

export interface RowRejectionsTarget {
  readonly db: Db;
  readonly context: IngestContext;
  readonly source: PoliceUkSource;
  /** The file's name, for each rejection's source (`file <name> line <n>`). */
  readonly file: string;
  /** Keep at most this many rejections in the report (all are stored). */
  readonly reportLimit: number;
}

/**
 * The rows of a file that could not be imported: counted, the first `reportLimit` kept for the
 * report, and stored in rejected_events (with their accounting) in chunks of 500.
 */
export class RowRejections {
  private rejectedRows = 0;
  private storedRows = 0;
  private readonly reportedRows: LineRejection[] = [];
  private pending: (RejectedInput & { source: string })[] = [];

  constructor(private readonly target: RowRejectionsTarget) {}

  /** Rows rejected. */
  get rejected(): number {
    return this.rejectedRows;
  }

  /** Rejections stored by this import. */
  get stored(): number {
    return this.storedRows;
  }

  /** The first `reportLimit` rejections, for the summary. */
  get reported(): readonly LineRejection[] {
    return this.reportedRows;
  }

  /** Counts a rejected row as an event of `type`; stores it unless `store` is false (stored before). */
  async reject(rejection: RowRejection, type: string, store: boolean): Promise<void> {
    const { source, file, reportLimit } = this.target;
    this.rejectedRows += 1;
    if (this.reportedRows.length < reportLimit) {
      this.reportedRows.push({ line: rejection.line, reason: rejection.reason });
    }
    if (!store) return;
    this.storedRows += 1;
    this.pending.push({
      kind: 'rejected',
      reason: rejection.reason,
      hint: { forceId: source.forceId, type, feed: FEED },
      payload: rejectedRowPayload(rejection),
      source: `file ${file} line ${rejection.line}`,
    });
    if (this.pending.length >= REJECTION_FLUSH) await this.flush();
  }

  /** Stores the rejections not stored yet. */
  async flush(): Promise<void> {
    await recordRejections(this.target.db, FEED, this.pending, this.target.context);
    this.pending = [];
  }
}

/** The rejected row as kept for inspection: its cells by column when it had all 15. */
function rejectedRowPayload(rejection: RowRejection): string {
  const cells =
    rejection.raw.length === POLICE_UK_COLUMNS.length
      ? Object.fromEntries(POLICE_UK_COLUMNS.map((column, i) => [column, rejection.raw[i]]))
      : { cells: rejection.raw, problems: rejection.problems.map((problem) => problem.reason) };
  return toStorableText(JSON.stringify(cells));
}
