import type { ExtractRow } from '@rollcall/db';
import { measureById, type PublishedMeasure } from '@rollcall/measures';
import { csvField } from '@rollcall/publishing';

/**
 * The rows of `GET /v1/extract` (operations.md, "Extract for BI tools"): one flat record per
 * measure, period, breakdown and force, with the labels a report shows (measure title, period
 * label, force name) so a BI tool needs no lookups to draw a table.
 *
 * The columns and their order are part of the interface: a Power BI or Excel query refers to
 * columns by name and position, so a column is only ever added at the end, never renamed,
 * removed or moved. JSON rows have the same keys.
 */
export const EXTRACT_COLUMNS = [
  'force_id',
  'force_name',
  'measure_id',
  'measure_title',
  'feed',
  'unit',
  'direction',
  'period_id',
  'period_kind',
  'period_label',
  'period_from',
  'period_to',
  'period_complete',
  'breakdown',
  'value',
  'numerator',
  'denominator',
  'suppressed',
  'ci_lower',
  'ci_upper',
  'target',
  'status',
  'trend_label',
  'trend_change_percent',
  'msg_rank',
  'msg_rank_interval',
  'msg_average',
  'flags',
  'snapshot_id',
  'as_of',
  'revision',
  'is_latest_revision',
  'generated_at',
] as const;

export type ExtractColumn = (typeof EXTRACT_COLUMNS)[number];
export type ExtractRecord = Readonly<Record<ExtractColumn, string | number | boolean | null>>;

/** One row as a record; the entry as `publishSnapshot` wrote and validated it. */
export function extractRecordOf(row: ExtractRow<PublishedMeasure>): ExtractRecord {
  const entry = row.entry;
  const definition = measureById(entry.measureId);
  return {
    force_id: row.position.forceId,
    force_name: row.forceName,
    measure_id: entry.measureId,
    measure_title: definition?.title ?? null,
    feed: definition?.feed ?? null,
    unit: entry.unit,
    direction: entry.direction,
    period_id: entry.period.id,
    period_kind: entry.period.kind,
    period_label: entry.period.label,
    period_from: entry.period.from,
    period_to: entry.period.to,
    // `[p]`: the period had not ended on the snapshot's date (month to date): provisional.
    period_complete: !entry.flags.includes('[p]'),
    breakdown: row.position.breakdown === '' ? null : row.position.breakdown,
    value: entry.value,
    numerator: entry.numerator,
    denominator: entry.denominator,
    suppressed: entry.suppressed ?? null,
    ci_lower: entry.ci?.lower ?? null,
    ci_upper: entry.ci?.upper ?? null,
    target: entry.target ?? null,
    status: entry.status ?? null,
    trend_label: entry.trend?.label ?? null,
    trend_change_percent: entry.trend?.changePercent ?? null,
    msg_rank: entry.msg?.rank ?? null,
    msg_rank_interval: entry.msg?.rankInterval?.label ?? null,
    msg_average: entry.msg?.average ?? null,
    flags: entry.flags.join(' '),
    snapshot_id: row.snapshotId,
    as_of: row.asOf,
    revision: row.revision,
    is_latest_revision: row.isLatestRevision,
    generated_at: row.generatedAt.toISOString(),
  };
}

const csvCell = (value: string | number | boolean | null): string =>
  csvField(typeof value === 'boolean' ? (value ? 'true' : 'false') : value);

/** RFC 4180 CSV with the header row (CRLF, as the snapshot CSV). */
export function extractToCsv(records: readonly ExtractRecord[]): string {
  const lines = records.map((record) => EXTRACT_COLUMNS.map((column) => csvCell(record[column])).join(','));
  return `${[EXTRACT_COLUMNS.join(','), ...lines].join('\r\n')}\r\n`;
}
