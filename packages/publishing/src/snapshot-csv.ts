import { keyValuePairs } from '@rollcall/contract';
import type { PublishedMeasure } from '@rollcall/measures';
import type { SnapshotDocument } from './snapshot-document.ts';

/**
 * The dimensions measures are broken down by (a 999 queue by `channel` and `queue`, attendance by
 * `grade` and `area`, stop and search by ethnic `group`, wanted persons by `team`): each has a
 * column of its own, `breakdown_<dimension>`, so that a dashboard filters by team or charts by
 * grade with a plain column filter rather than by splitting `breakdown`.
 */
export const BREAKDOWN_DIMENSIONS = ['area', 'channel', 'grade', 'group', 'queue', 'team'] as const;

/**
 * The figures published beside a value (`extra`: the circulations still open beside a median
 * time to arrest, both years' counts beside a change): each has a column of its own,
 * `extra_<figure in snake_case>`.
 */
export const EXTRA_FIGURES = ['change', 'openAtPeriodEnd', 'previousYear', 'thisYear'] as const;

/**
 * Columns of the flat extract: one row per measure, breakdown and period, every value in its own
 * column, so that Qlik Sense or Power BI load it as a table with no logic of their own. The set is
 * the same in every snapshot, whatever breakdowns it holds (a load script names its columns once);
 * a value in a dimension or figure without a column of its own is still in `breakdown` or
 * `extra`. Part of the operator interface: columns are only ever added at the end (the dimension
 * and figure columns came after `extra`).
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
  'breakdown_area',
  'breakdown_channel',
  'breakdown_grade',
  'breakdown_group',
  'breakdown_queue',
  'breakdown_team',
  'extra_change',
  'extra_open_at_period_end',
  'extra_previous_year',
  'extra_this_year',
] as const;

type Cell = string | number | null | undefined;

/**
 * Text a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, tab or carriage return first).
 * Team and area names come from the feeds, and an extract opened in Excel must not execute
 * `=HYPERLINK(...)` sent as a team name (OWASP's "CSV injection").
 */
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * RFC 4180 quoting: fields with a comma, quote or line break are quoted, quotes doubled. Text that
 * would start a formula is written with a leading `'`, which spreadsheets show as text; numbers
 * (a negative change included) are written as they are, so loaders still read them as numbers.
 */
export function csvField(value: Cell): string {
  if (value === null || value === undefined) return '';
  const text = typeof value === 'string' && FORMULA_START.test(value) ? `'${value}` : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

// `keyValuePairs` (the breakdown's text) lives with the entry key in @rollcall/contract.
export { keyValuePairs } from '@rollcall/contract';

export function measureCsvRow(
  document: Pick<SnapshotDocument, 'snapshotId' | 'forceId' | 'asOf' | 'revision'>,
  measure: PublishedMeasure,
): Cell[] {
  return [
    document.snapshotId,
    document.forceId,
    document.asOf,
    document.revision,
    measure.measureId,
    keyValuePairs(measure.breakdown),
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
    // beside a change), all of them, for the figures that have no column of their own yet.
    measure.extra === undefined ? undefined : keyValuePairs(measure.extra),
    ...BREAKDOWN_DIMENSIONS.map((dimension) => measure.breakdown?.[dimension]),
    ...EXTRA_FIGURES.map((figure) => measure.extra?.[figure]),
  ];
}

/** The whole snapshot as CSV text with a header row (CRLF line ends, as RFC 4180 and Excel expect). */
export function snapshotToCsv(document: SnapshotDocument): string {
  const lines = [
    SNAPSHOT_CSV_COLUMNS.join(','),
    ...document.measures.map((measure) => measureCsvRow(document, measure).map(csvField).join(',')),
  ];
  return `${lines.join('\r\n')}\r\n`;
}
