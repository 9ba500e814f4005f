import type { PublishedMeasure } from '@rollcall/measures';
import type { SnapshotDocument } from './snapshot-document.ts';

/**
 * Columns of the flat extract: one row per measure, breakdown and period, every value in its own
 * column, so that Qlik Sense or Power BI load it as a table with no logic of their own. Part of
 * the operator interface: columns are only ever added at the end.
 */
export const SNAPSHOT_CSV_COLUMNS = [
  'snapshot_id',
  'force_id',
  'as_of',
  'revision',
  'measure_id',
  'breakdown',
  'period_id',
  'period_kind',
  'period_from',
  'period_to',
  'unit',
  'direction',
  'value',
  'numerator',
  'denominator',
  'ci_lower',
  'ci_upper',
  'ci_half_width',
  'target',
  'status',
  'trend',
  'trend_change_percent',
  'msg_rank',
  'msg_average',
  'msg_comparison',
  'national_flag',
  'flags',
  'missing_months',
  'extra',
] as const;

type Cell = string | number | null | undefined;

/** RFC 4180 quoting: fields with a comma, quote or line break are quoted, quotes doubled. */
export function csvField(value: Cell): string {
  if (value === null || value === undefined) return '';
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

const breakdownText = (breakdown: PublishedMeasure['breakdown']): string =>
  breakdown === null
    ? ''
    : Object.keys(breakdown)
        .sort()
        .map((key) => `${key}=${breakdown[key]}`)
        .join(';');

export function measureCsvRow(document: Pick<SnapshotDocument, 'snapshotId' | 'forceId' | 'asOf' | 'revision'>, measure: PublishedMeasure): Cell[] {
  return [
    document.snapshotId,
    document.forceId,
    document.asOf,
    document.revision,
    measure.measureId,
    breakdownText(measure.breakdown),
    measure.period.id,
    measure.period.kind,
    measure.period.from,
    measure.period.to,
    measure.unit,
    measure.direction,
    measure.value,
    measure.numerator,
    measure.denominator,
    measure.ci?.lower,
    measure.ci?.upper,
    measure.ci?.halfWidth,
    measure.target,
    measure.status,
    measure.trend?.label,
    measure.trend?.changePercent,
    measure.msg?.rank,
    measure.msg?.average,
    measure.msg?.comparison,
    measure.national?.flag,
    measure.flags.join(' '),
    measure.missingMonths?.join(' '),
    // Figures published beside the value (the open count beside a median, both years' counts
    // beside a change): `key=value` pairs, so a dashboard can split the column without JSON.
    measure.extra === undefined
      ? undefined
      : Object.keys(measure.extra)
          .sort()
          .map((key) => `${key}=${measure.extra![key] ?? ''}`)
          .join(';'),
  ];
}

/** The whole snapshot as CSV text with a header row (CRLF line ends, as RFC 4180 and Excel expect). */
export function snapshotToCsv(document: SnapshotDocument): string {
  const lines = [SNAPSHOT_CSV_COLUMNS.join(','), ...document.measures.map((measure) => measureCsvRow(document, measure).map(csvField).join(','))];
  return `${lines.join('\r\n')}\r\n`;
}
