import { type LocalDate, monthsBetween } from '@rollcall/calendar';
import { asAtEndId, type ComputedMeasure, computeSnapshotMeasures, type ForceInputs } from '../compute-snapshot-measures.ts';
import type { MeasureDefinition, MeasureFeed, MeasurePopulation, MeasureSettings } from '../measure-definition.ts';
import { type Period, standardPeriods, yearEarlier } from '../periods.ts';
import { aggregatesOver, type DailyRow, DEFAULT_SETTINGS } from './measure-input-of.ts';

export interface SnapshotOptions {
  readonly asOf: LocalDate;
  /** What the lifecycles added, per London day. */
  readonly daily: readonly DailyRow[];
  /** Months with data per feed; by default every month from the first daily row to the as-of month, for every feed. */
  readonly monthsWithData?: readonly string[];
  readonly customPeriods?: readonly Period[];
  readonly settings?: Partial<MeasureSettings>;
  readonly population?: MeasurePopulation;
}

/**
 * Entries of a snapshot of one force computed from daily rows, as the publisher would: every
 * standard period of `asOf` (plus custom ones) summed over its days, the same periods a year
 * earlier, and the days up to each period's end. For tests that state inputs as days.
 */
export function snapshotEntriesOf(definitions: readonly MeasureDefinition[], options: SnapshotOptions): ComputedMeasure[] {
  const { asOf, daily } = options;
  const periods = [...standardPeriods(asOf), ...(options.customPeriods ?? [])];
  const aggregates = new Map<string, ReturnType<typeof aggregatesOver>>();
  for (const period of periods) {
    const earlier = yearEarlier(period);
    aggregates.set(period.id, aggregatesOver(daily, period));
    aggregates.set(earlier.id, aggregatesOver(daily, earlier));
    aggregates.set(asAtEndId(period, asOf), aggregatesOver(daily, { from: null, to: period.to }));
    aggregates.set(asAtEndId(earlier, asOf), aggregatesOver(daily, { from: null, to: earlier.to }));
  }
  const firstDay = daily.map((r) => r.day).sort()[0] ?? asOf;
  const months = new Set(options.monthsWithData ?? monthsBetween(firstDay, asOf));
  const feeds: MeasureFeed[] = ['call-handling', 'wanted-persons', 'dvpo', 'stop-search'];
  const force: ForceInputs = {
    forceId: 'avon-and-somerset',
    settings: { ...DEFAULT_SETTINGS, ...options.settings },
    population: options.population,
    aggregates,
    monthsWithData: new Map(feeds.map((feed) => [feed, months])),
  };
  return computeSnapshotMeasures({
    forceId: force.forceId,
    asOf,
    periods,
    forces: new Map([[force.forceId, force]]),
    mostSimilarGroup: [],
    measures: definitions,
  });
}

/** The entry of a measure for a period (and breakdown). */
export function entryOf(entries: readonly ComputedMeasure[], measureId: string, periodId: string, breakdown: Readonly<Record<string, string>> | null = null): ComputedMeasure {
  const entry = entries.find((e) => e.measureId === measureId && e.period.id === periodId && JSON.stringify(e.breakdown) === JSON.stringify(breakdown));
  if (!entry) throw new Error(`no ${measureId} for ${periodId} ${JSON.stringify(breakdown)}`);
  return entry;
}
