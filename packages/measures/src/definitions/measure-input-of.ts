import type { LocalDate } from '@rollcall/calendar';
import { type AggregateRow, Aggregates } from '../aggregates.ts';
import type { MeasureExample, MeasureInput, MeasurePopulation, MeasureSettings } from '../measure-definition.ts';
import type { Period } from '../periods.ts';

/**
 * The national defaults of the reference data (`force-settings.json`, `defaults`): what a
 * definition's example and unit tests run with unless they say otherwise. The docs test checks
 * them against the reference file, so an example never quietly uses a stale target.
 */
export const DEFAULT_SETTINGS: MeasureSettings = {
  calls999AnsweredWithin10sTarget: 0.9,
  calls101AbandonedRateBenchmark: 0.05,
  abandonMinWaitSeconds: 0,
  attendanceTargetMinutes: { emergency: { urban: 15, rural: 20 }, priority: { urban: 60, rural: 60 } },
};

/** Avon and Somerset's population in the 2011 Census (measures.md, "Reference data"). */
export const AVON_AND_SOMERSET_POPULATION: MeasurePopulation = {
  vintage: 'census-2011',
  residents: 1_599_555,
  groups: { white: 1_491_970, asian: 41_981, black: 30_923, mixed: 28_277, other: 6_404 },
};

/** One aggregate row. */
export const row = (metric: string, dim: string, value: number): AggregateRow => ({ metric, dim, value });

export interface MeasureInputParts {
  readonly aggregates?: readonly AggregateRow[];
  readonly yearEarlier?: readonly AggregateRow[];
  readonly asAtEnd?: readonly AggregateRow[];
  readonly settings?: Partial<MeasureSettings>;
  readonly population?: MeasurePopulation;
}

/** A measure input from plain rows, on the default settings unless overridden. */
export function measureInputOf(parts: MeasureInputParts = {}): MeasureInput {
  return {
    aggregates: Aggregates.fromRows(parts.aggregates ?? []),
    yearEarlier: Aggregates.fromRows(parts.yearEarlier ?? []),
    asAtEnd: Aggregates.fromRows(parts.asAtEnd ?? []),
    settings: { ...DEFAULT_SETTINGS, ...parts.settings },
    population: parts.population,
  };
}

/** The input a definition's documented example is computed from. */
export const exampleInputOf = (example: MeasureExample): MeasureInput => measureInputOf(example);

/** A daily aggregate row: what a lifecycle adds for one London day. */
export interface DailyRow extends AggregateRow {
  readonly day: LocalDate;
}

/**
 * Sums daily rows over a period as the publisher does: flows over the period's days, and for a
 * period without a start (as at) every day up to its end. Lets unit tests state inputs as days
 * (a month end, a financial-year boundary) rather than as pre-summed periods.
 */
export function aggregatesOver(rows: readonly DailyRow[], period: Pick<Period, 'from' | 'to'>): Aggregates {
  return Aggregates.fromRows(rows.filter((r) => (period.from === null || r.day >= period.from) && r.day <= period.to));
}
