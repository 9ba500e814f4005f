import { readSnapshotDocument } from './stored-snapshot-document.ts';
import { addMonths, type LocalDate } from '@rollcall/calendar';
import { type DbOrTransaction, findSnapshotHead } from '@rollcall/db';
import type { PublishedMeasure } from '@rollcall/measures';

export interface ReconciliationLine {
  readonly month: string;
  readonly measureId: string;
  readonly snapshotId: string;
  readonly source: string;
  readonly edition: string;
  readonly own: number | null;
  readonly published: number | null;
  readonly differenceValue: number | null;
  readonly differenceNumerator: number | null;
  readonly differenceDenominator: number | null;
}

export interface ReconciliationReport {
  readonly lines: readonly ReconciliationLine[];
  /** Months with no published snapshot dated on their last day: nothing to reconcile there yet. */
  readonly monthsWithoutSnapshot: readonly string[];
}

const lastDayOf = (month: string): LocalDate => {
  const next = addMonths(`${month}-01`, 1);
  const last = new Date(`${next}T00:00:00Z`);
  last.setUTCDate(0);
  return last.toISOString().slice(0, 10);
};

/**
 * The force's own monthly figures beside those others published for it, month by month from
 * `fromMonth` to `toMonth` (`YYYY-MM`), as the current revision of each month-end snapshot
 * states them (`reconciliation` of its `month` entries). Reads published snapshots only: it
 * publishes nothing, so running it never makes a revision.
 */
export async function reconcilePublished(
  db: DbOrTransaction,
  options: { readonly forceId: string; readonly fromMonth: string; readonly toMonth: string },
): Promise<ReconciliationReport> {
  const lines: ReconciliationLine[] = [];
  const monthsWithoutSnapshot: string[] = [];
  for (let month = options.fromMonth; month <= options.toMonth; month = addMonths(`${month}-01`, 1).slice(0, 7)) {
    const head = await findSnapshotHead(db, options.forceId, lastDayOf(month));
    if (!head) {
      monthsWithoutSnapshot.push(month);
      continue;
    }
    const document = await readSnapshotDocument(db, head.snapshotId, 'its snapshot head');
    for (const entry of document.measures as readonly PublishedMeasure[]) {
      if (entry.period.kind !== 'month' || entry.breakdown !== null) continue;
      for (const line of entry.reconciliation ?? []) {
        lines.push({
          month,
          measureId: entry.measureId,
          snapshotId: head.snapshotId,
          source: line.source,
          edition: line.edition,
          own: entry.value,
          published: line.published.value,
          differenceValue: line.differenceValue,
          differenceNumerator: line.differenceNumerator,
          differenceDenominator: line.differenceDenominator,
        });
      }
    }
  }
  return { lines, monthsWithoutSnapshot };
}
