import { type LocalDate, monthsBetween } from '@rollcall/calendar';
import {
  asAtEndId,
  type ComputedMeasure,
  computeSnapshotMeasures,
  type ComparisonFigure,
  type ForceInputs,
  type SnapshotRules,
} from '../compute-snapshot-measures.ts';
import { DEFAULT_DISCLOSURE_RULE } from '../disclosure-control.ts';
import { DEFAULT_TREND_THRESHOLDS } from '../statistics/trend.ts';
import type { MeasureDefinition, MeasureFeed, MeasurePopulation, MeasureSettings } from '../measure-definition.ts';
import { type Period, standardPeriods, yearEarlier } from '../periods.ts';
import { aggregatesOver, type DailyRow, DEFAULT_SETTINGS } from './measure-input-of.ts';

/** One force's data, stated as days. */
export interface ForceDays {
  /** What the lifecycles added, per London day. */
  readonly daily: readonly DailyRow[];
  /** Months with data per feed; by default every month from the first daily row to the as-of month, for every feed. */
  readonly monthsWithData?: readonly string[];
  readonly settings?: Partial<MeasureSettings>;
  readonly population?: MeasurePopulation;
}

export interface SnapshotOptions extends ForceDays {
  readonly asOf: LocalDate;
  readonly customPeriods?: readonly Period[];
  /** The force the snapshot is of; Avon and Somerset by default. */
  readonly forceId?: string;
  /** Its most similar group and every other force with data, by force id; none by default. */
  readonly otherForces?: ReadonlyMap<string, ForceDays>;
  readonly mostSimilarGroup?: readonly string[];
  /** By default, counts from 1 to 4 suppressed and trends on the 5% / 15% rule. */
  readonly rules?: SnapshotRules;
  /** Figures other bodies published (comparisons and reconciliation). */
  readonly publishedFigures?: readonly ComparisonFigure[];
}

/**
 * A force's inputs as the publisher loads them: every period summed over its days, the same
 * periods a year earlier, and the days up to each period's end.
 */
export function forceInputsOf(
  forceId: string,
  days: ForceDays,
  asOf: LocalDate,
  periods: readonly Period[],
): ForceInputs {
  const { daily } = days;
  const aggregates = new Map<string, ReturnType<typeof aggregatesOver>>();
  for (const period of periods) {
    const earlier = yearEarlier(period);
    aggregates.set(period.id, aggregatesOver(daily, period));
    aggregates.set(earlier.id, aggregatesOver(daily, earlier));
    aggregates.set(asAtEndId(period, asOf), aggregatesOver(daily, { from: null, to: period.to }));
    aggregates.set(asAtEndId(earlier, asOf), aggregatesOver(daily, { from: null, to: earlier.to }));
  }
  const firstDay = daily.map((r) => r.day).sort()[0] ?? asOf;
  const months = new Set(days.monthsWithData ?? monthsBetween(firstDay, asOf));
  const feeds: MeasureFeed[] = ['call-handling', 'wanted-persons', 'dvpo', 'stop-search'];
  return {
    forceId,
    settings: { ...DEFAULT_SETTINGS, ...days.settings },
    population: days.population,
    aggregates,
    monthsWithData: new Map(feeds.map((feed) => [feed, months])),
  };
}

/**
 * Entries of a snapshot of one force computed from daily rows, as the publisher would, for every
 * standard period of `asOf` (plus custom ones). For tests that state inputs as days.
 */
export function snapshotEntriesOf(
  definitions: readonly MeasureDefinition[],
  options: SnapshotOptions,
): ComputedMeasure[] {
  const { asOf } = options;
  const forceId = options.forceId ?? 'avon-and-somerset';
  const periods = [...standardPeriods(asOf), ...(options.customPeriods ?? [])];
  const others = [...(options.otherForces ?? new Map<string, ForceDays>())];
  return computeSnapshotMeasures(
    {
      forceId,
      asOf,
      periods,
      forces: new Map([
        [forceId, forceInputsOf(forceId, options, asOf, periods)],
        ...others.map(([id, days]) => [id, forceInputsOf(id, days, asOf, periods)] as const),
      ]),
      mostSimilarGroup: options.mostSimilarGroup ?? [],
      measures: definitions,
      ...(options.publishedFigures && { publishedFigures: options.publishedFigures }),
    },
    options.rules ?? { disclosure: DEFAULT_DISCLOSURE_RULE, trendThresholds: DEFAULT_TREND_THRESHOLDS },
  );
}

/** The entry of a measure for a period (and breakdown). */
export function entryOf(
  entries: readonly ComputedMeasure[],
  measureId: string,
  periodId: string,
  breakdown: Readonly<Record<string, string>> | null = null,
): ComputedMeasure {
  const entry = entries.find(
    (e) =>
      e.measureId === measureId &&
      e.period.id === periodId &&
      JSON.stringify(e.breakdown) === JSON.stringify(breakdown),
  );
  if (!entry) throw new Error(`no ${measureId} for ${periodId} ${JSON.stringify(breakdown)}`);
  return entry;
}
