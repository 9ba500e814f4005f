import type { Flag, MeasureDefinition, PublishedMeasure, TargetStatus } from '@rollcall/measures';
import { csvField, measureCsvRow, SNAPSHOT_CSV_COLUMNS } from '@rollcall/publishing';
import type { SeriesEntry as StoredSeriesEntry } from '@rollcall/db';

/** A head snapshot with the entry a series asked for, typed as published. */
export type SeriesEntry = StoredSeriesEntry<PublishedMeasure>;

/**
 * One measure across the head revisions of a force's snapshots, oldest first: what a dashboard
 * draws as a line. Each point is the entry as published in that snapshot (with its flags), so a
 * chart shows what was published, never a recomputation.
 */

/**
 * The period a chart shows when the request names none: the rolling 12 months when the measure
 * is published for it (one point per day, each a full year, so the line is not a saw-tooth of
 * month-to-date values restarting on the 1st), otherwise `as-at` (stock measures), otherwise the
 * month, otherwise the first period the measure has.
 */
export function defaultPeriodOf(definition: Pick<MeasureDefinition, 'periods'>): string {
  for (const kind of ['rolling-12m', 'as-at', 'month'] as const) if (definition.periods.includes(kind)) return kind;
  return definition.periods[0] ?? 'month';
}

/** Whether `periodId` can appear in a snapshot for this measure (custom periods always can). */
export function isPublishedPeriod(definition: Pick<MeasureDefinition, 'periods'>, periodId: string): boolean {
  return periodId.startsWith('custom:')
    ? definition.periods.includes('custom')
    : definition.periods.some((kind) => kind === periodId);
}

export interface SeriesPoint {
  readonly asOf: string;
  readonly snapshotId: string;
  readonly revision: number;
  readonly generatedAt: string;
  /** False when the snapshot has no entry for the measure, period and breakdown (value null, `[x]`). */
  readonly published: boolean;
  readonly periodFrom: string | null;
  readonly periodTo: string;
  readonly value: number | null;
  readonly numerator: number | null;
  readonly denominator: number | null;
  readonly suppressed: '[c]' | null;
  readonly flags: readonly Flag[];
  readonly ci: { readonly lower: number; readonly upper: number } | null;
  readonly target: number | null;
  readonly status: TargetStatus | null;
  readonly trend: { readonly label: string; readonly changePercent: number } | null;
  readonly msgRank: string | null;
}

export interface MeasureSeries {
  readonly forceId: string;
  readonly measureId: string;
  readonly title: string;
  readonly unit: MeasureDefinition['unit'];
  readonly direction: MeasureDefinition['direction'];
  readonly periodId: string;
  /** `key=value;...`, or null for the headline figure. */
  readonly breakdown: string | null;
  readonly from: string | null;
  readonly to: string | null;
  readonly points: readonly SeriesPoint[];
}

export interface SeriesQuery {
  readonly measure: Pick<MeasureDefinition, 'id' | 'title' | 'unit' | 'direction'>;
  readonly forceId: string;
  readonly periodId: string;
  readonly breakdown: string | null;
  readonly from: string | null;
  readonly to: string | null;
}

/** What a snapshot without the entry contributes: a gap, flagged "not available". */
function missingEntry(asOf: string, query: SeriesQuery): PublishedMeasure {
  const breakdown =
    query.breakdown === null
      ? null
      : Object.fromEntries(query.breakdown.split(';').map((pair) => pair.split('=') as [string, string]));
  return {
    measureId: query.measure.id,
    breakdown,
    period: {
      id: query.periodId,
      kind: query.periodId.startsWith('custom:') ? 'custom' : (query.periodId as PublishedMeasure['period']['kind']),
      label: '',
      from: null,
      to: asOf,
    },
    unit: query.measure.unit,
    direction: query.measure.direction,
    value: null,
    numerator: null,
    denominator: null,
    flags: ['[x]'],
  };
}

function pointOf(snapshot: SeriesEntry, query: SeriesQuery): SeriesPoint {
  const entry = snapshot.entry ?? missingEntry(snapshot.asOf, query);
  return {
    asOf: snapshot.asOf,
    snapshotId: snapshot.snapshotId,
    revision: snapshot.revision,
    generatedAt: snapshot.generatedAt,
    published: snapshot.entry !== null,
    periodFrom: entry.period.from,
    periodTo: entry.period.to,
    value: entry.value,
    numerator: entry.numerator,
    denominator: entry.denominator,
    suppressed: entry.suppressed ?? null,
    flags: entry.flags,
    ci: entry.ci ? { lower: entry.ci.lower, upper: entry.ci.upper } : null,
    target: entry.target ?? null,
    status: entry.status ?? null,
    trend: entry.trend ? { label: entry.trend.label, changePercent: entry.trend.changePercent } : null,
    msgRank: entry.msg?.rank ?? null,
  };
}

/** The series from head snapshots in date order (as `readSeriesEntries` returns them). */
export function buildMeasureSeries(snapshots: readonly SeriesEntry[], query: SeriesQuery): MeasureSeries {
  return {
    forceId: query.forceId,
    measureId: query.measure.id,
    title: query.measure.title,
    unit: query.measure.unit,
    direction: query.measure.direction,
    periodId: query.periodId,
    breakdown: query.breakdown,
    from: query.from,
    to: query.to,
    points: snapshots.map((snapshot) => pointOf(snapshot, query)),
  };
}

/**
 * The series as CSV: one row per point in the columns of the snapshot CSV, so a dashboard loads
 * a series and a snapshot extract with one table definition.
 */
export function measureSeriesToCsv(snapshots: readonly SeriesEntry[], query: SeriesQuery): string {
  const rows = snapshots.map((snapshot) =>
    measureCsvRow(snapshot, snapshot.entry ?? missingEntry(snapshot.asOf, query))
      .map(csvField)
      .join(','),
  );
  return `${[SNAPSHOT_CSV_COLUMNS.join(','), ...rows].join('\r\n')}\r\n`;
}
