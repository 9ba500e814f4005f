import type { AggregateRow, Aggregates } from './aggregates.ts';
import type { PeriodKind } from './periods.ts';
import type { PublishedProportionInterval } from './statistics/proportion-interval.ts';

export type MeasureFeed = 'call-handling' | 'wanted-persons' | 'dvpo' | 'stop-search';

/**
 * Units of published values. Shares are in **percent** (89.4, not 0.894) as HMICFRS and the
 * PCC publish them; `numerator` ÷ `denominator` × 100 re-derives the value.
 */
export type MeasureUnit = 'percent' | 'count' | 'seconds' | 'days' | 'per-1000' | 'ratio' | 'percent-change';

export type MeasureDirection = 'higher-is-better' | 'lower-is-better' | 'neither';

/** Force settings a measure may read (targets and thresholds of the reference data). */
export interface MeasureSettings {
  readonly calls999AnsweredWithin10sTarget: number;
  readonly calls101AbandonedRateBenchmark: number;
  readonly abandonMinWaitSeconds: number;
  readonly attendanceTargetMinutes: Readonly<Record<string, { readonly urban: number; readonly rural: number }>>;
}

/** A force's resident population by ethnic group (census), for rates and disproportionality. */
export interface MeasurePopulation {
  readonly vintage: string;
  readonly residents: number;
  readonly groups: Readonly<Record<'asian' | 'black' | 'mixed' | 'other' | 'white', number>>;
}

export interface MeasureInput {
  /** The force's aggregates summed over the period. */
  readonly aggregates: Aggregates;
  /** The same period a year earlier, for year-on-year measures. */
  readonly yearEarlier: Aggregates;
  /**
   * Everything up to the end of the period: stocks as at its last day (e.g. circulations still
   * open, published beside a median of closed ones), plus the snapshot-time metrics of
   * `AS_AT_METRICS` when the period ends on the as-of day.
   */
  readonly asAtEnd: Aggregates;
  readonly settings: MeasureSettings;
  readonly population: MeasurePopulation | undefined;
}

export interface MeasureTarget {
  readonly value: number;
  /** `at-least`: met when value >= target; `below`: met when value < target. */
  readonly rule: 'at-least' | 'below';
  readonly source: string;
}

/** A confidence interval as published, in the measure's unit (percentage points for percent). */
export type PublishedInterval = PublishedProportionInterval;

export interface MeasureResult {
  /** Dimensions of a breakdown (`{ grade: 'emergency', area: 'urban' }`); absent for the headline. */
  readonly breakdown?: Readonly<Record<string, string>>;
  readonly value: number | null;
  readonly numerator: number | null;
  readonly denominator: number | null;
  readonly ci?: PublishedInterval | null;
  /**
   * The counts behind the value, by cell id (unique within a snapshot period): disclosure
   * control suppresses the result if any of them is a small count, or is secondarily suppressed.
   */
  readonly cells: Readonly<Record<string, number>>;
  /**
   * Counts the result does not publish itself but gives away by subtraction, by cell id: the
   * complement of a share (denominator − numerator: 497 of 500 searches finding something says 3
   * found nothing), or the part of a total that no entry publishes (all 101 calls abandoned minus
   * those on the secondary queue). Each appears in a `cellSums` relation; disclosure control
   * suppresses what reveals one that is small.
   */
  readonly impliedCells?: Readonly<Record<string, number>>;
  /** Cells (carried or implied) that add up, such as a share's denominator = numerator + complement. */
  readonly cellSums?: readonly CellSum[];
  /** Other published figures of the entry, e.g. the open (right-censored) count beside a median. */
  readonly extra?: Readonly<Record<string, number | string | null>>;
  readonly notes?: readonly string[];
}

/** `total` = the sum of `parts`, cells of one period; any of them may be implied rather than carried. */
export interface CellSum {
  readonly total: string;
  readonly parts: readonly string[];
}

/**
 * Cells that add up: `total` = sum of the cells (carried or implied) whose ids start with
 * `partsPrefix` (within one period). If exactly one of them is not published, the others give
 * it away by subtraction, so disclosure control suppresses one more when that one is small.
 */
export interface AdditiveGroup {
  readonly total: string;
  readonly partsPrefix: string;
}

/**
 * A worked example for the documentation: a small input that the definition's own `compute` is
 * run on when docs/measures.md is generated, so the example's figures cannot drift from the code.
 */
export interface MeasureExample {
  /** The situation in words, e.g. "1,000 999 calls answered, 894 of them in under 10 s". */
  readonly description: string;
  /** Aggregate rows of the period (summed over its days). */
  readonly aggregates: readonly AggregateRow[];
  /** Rows of the same period a year earlier, for year-on-year measures. */
  readonly yearEarlier?: readonly AggregateRow[];
  /** Rows of everything up to the period's end (stocks as at its last day). */
  readonly asAtEnd?: readonly AggregateRow[];
  /** Settings that differ from the national defaults of the reference data. */
  readonly settings?: Partial<MeasureSettings>;
  readonly population?: MeasurePopulation;
}

export interface MeasureDefinition {
  /** Stable id, part of the operator interface: never renamed. */
  readonly id: string;
  readonly title: string;
  readonly feed: MeasureFeed;
  readonly unit: MeasureUnit;
  readonly direction: MeasureDirection;
  /** The definition a statistician can check, as in measures.md. */
  readonly definition: string;
  /** The published figure or sentence it reproduces; empty when measures.md quotes none. */
  readonly source: string;
  readonly periods: readonly PeriodKind[];
  /**
   * Keys of the breakdowns published beside the headline (`['grade', 'area']`), in the order a
   * reader names them; absent when only the headline is published. The values come from the data
   * (a wanted team, a queue), so only the keys are part of the catalogue (`GET /v1/measures`).
   */
  readonly breakdowns?: readonly string[];
  /**
   * Comparable across forces (MSG rank, national outliers): `scale` turns Σnumerator ÷
   * Σdenominator into the unit (100 for percent, 1,000 for per 1,000).
   */
  readonly comparison?: { readonly scale: number };
  readonly target?: (settings: MeasureSettings) => MeasureTarget | undefined;
  /**
   * The value depends on `yearEarlier` too (a year-on-year change): its months must have data as
   * well, or the value is not available ([x]) rather than a change against a partial year.
   */
  readonly readsYearEarlier?: boolean;
  readonly additiveGroups?: readonly AdditiveGroup[];
  /** A worked example for docs/measures.md, computed by `compute` when the doc is generated. */
  readonly example?: MeasureExample;
  compute(input: MeasureInput): readonly MeasureResult[];
}
