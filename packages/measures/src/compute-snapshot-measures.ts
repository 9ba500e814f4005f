import type { LocalDate } from '@rollcall/calendar';
import { Aggregates } from './aggregates.ts';
import type {
  MeasureDefinition,
  MeasureDirection,
  MeasureFeed,
  MeasurePopulation,
  MeasureResult,
  MeasureSettings,
  MeasureUnit,
  PublishedInterval,
} from './measure-definition.ts';
import { MEASURES } from './measure-catalog.ts';
import { asAtPeriod, monthsOfPeriod, type Period, type PeriodKind, yearEarlier } from './periods.ts';
import { compareWithGroup, type GroupComparison } from './statistics/group-comparison.ts';
import { nationalOutliers, type OutlierBand, type OutlierFlag } from './statistics/outlier-band.ts';
import { DEFAULT_TREND_THRESHOLDS, trend, type Trend, type TrendThresholds } from './statistics/trend.ts';

/** GSS shorthand flags (measures.md): suppressed, not available, not applicable, revised, provisional. */
export type Flag = '[c]' | '[x]' | '[z]' | '[r]' | '[p]';

/** What the snapshot needs to know about one force. */
export interface ForceInputs {
  readonly forceId: string;
  readonly settings: MeasureSettings;
  readonly population: MeasurePopulation | undefined;
  /**
   * Aggregates per period id, per `yearEarlier(period).id`, and per `asAtEndId(period)` (all days
   * up to the period's last day) for every period not ending on the as-of day.
   */
  readonly aggregates: ReadonlyMap<string, Aggregates>;
  /** Months (`YYYY-MM`) with at least one stored event, per feed. */
  readonly monthsWithData: ReadonlyMap<MeasureFeed, ReadonlySet<string>>;
}

export interface SnapshotComputationInput {
  readonly forceId: string;
  readonly asOf: LocalDate;
  readonly periods: readonly Period[];
  /** Every force with data (the force itself first, its MSG, and all others for national bands). */
  readonly forces: ReadonlyMap<string, ForceInputs>;
  /** The force's most similar group, the force itself excluded. */
  readonly mostSimilarGroup: readonly string[];
  readonly measures?: readonly MeasureDefinition[];
  readonly trendThresholds?: TrendThresholds;
}

export interface PeriodRef {
  readonly id: string;
  readonly kind: PeriodKind;
  readonly label: string;
  readonly from: LocalDate | null;
  readonly to: LocalDate;
}

export interface MsgComparison {
  readonly rank: string | null;
  readonly average: number | null;
  readonly comparison: GroupComparison['comparison'];
  readonly similarWithinPercent: number;
  readonly forces: readonly string[];
  /** Forces of the group left out because they lack complete data. */
  readonly leftOut: readonly string[];
}

export interface NationalComparison {
  readonly flag: OutlierFlag;
  readonly band: OutlierBand | null;
}

/** One computed entry, before disclosure control. */
export interface ComputedMeasure {
  readonly measureId: string;
  readonly breakdown: Readonly<Record<string, string>> | null;
  readonly period: PeriodRef;
  readonly unit: MeasureUnit;
  readonly direction: MeasureDirection;
  readonly value: number | null;
  readonly numerator: number | null;
  readonly denominator: number | null;
  readonly ci?: PublishedInterval | null;
  readonly target?: number;
  readonly status?: 'met' | 'not met';
  readonly trend?: Trend | null;
  readonly msg?: MsgComparison;
  readonly national?: NationalComparison;
  readonly flags: readonly Flag[];
  readonly missingMonths?: readonly string[];
  readonly extra?: Readonly<Record<string, number | string | null>>;
  readonly notes?: readonly string[];
  /** Counts behind the entry, by cell id; used by disclosure control, never published. */
  readonly cells: Readonly<Record<string, number>>;
  /**
   * Counts behind the trend's earlier value (the same entry 12 months earlier). With the current
   * value published, the trend's change gives the earlier value away, so disclosure control
   * withholds the trend when one of these is small. Never published.
   */
  readonly trendCells?: Readonly<Record<string, number>>;
}

const breakdownKey = (breakdown: Readonly<Record<string, string>> | undefined): string =>
  breakdown === undefined
    ? ''
    : Object.keys(breakdown)
        .sort()
        .map((key) => `${key}=${breakdown[key]}`)
        .join(';');

/** Months of the period without data for the feed; for as-at, whether the feed has any data at all. */
function missingMonths(forceInputs: ForceInputs, feed: MeasureFeed, period: Period): string[] {
  const months = forceInputs.monthsWithData.get(feed) ?? new Set<string>();
  if (period.from === null) {
    const anyUpTo = [...months].some((month) => month <= period.to.slice(0, 7));
    return anyUpTo ? [] : ['(no data up to the as-of day)'];
  }
  return monthsOfPeriod(period).filter((month) => !months.has(month));
}

/**
 * Key of the aggregates up to a period's last day: the as-at period when it ends on the as-of
 * day, otherwise `<period id>:as-at-end`.
 */
export function asAtEndId(period: Period, asOf: LocalDate): string {
  return period.to === asOf ? asAtPeriod(asOf).id : `${period.id}:as-at-end`;
}

/** Results of one measure for one force and period, keyed by breakdown; null when data is missing. */
type ResultsByBreakdown = ReadonlyMap<string, MeasureResult>;

class MeasureComputer {
  private readonly cache = new Map<string, { results: ResultsByBreakdown; missing: string[] }>();

  constructor(
    private readonly forces: ReadonlyMap<string, ForceInputs>,
    private readonly asOf: LocalDate,
  ) {}

  compute(definition: MeasureDefinition, forceId: string, period: Period): { results: ResultsByBreakdown; missing: string[] } {
    const key = `${definition.id}\u0001${forceId}\u0001${period.id}`;
    let entry = this.cache.get(key);
    if (!entry) {
      const inputs = this.forces.get(forceId);
      if (!inputs) {
        entry = { results: new Map(), missing: ['(no data for this force)'] };
      } else {
        const missing = missingMonths(inputs, definition.feed, period);
        if (definition.readsYearEarlier) missing.push(...missingMonths(inputs, definition.feed, yearEarlier(period)));
        const results = definition.compute({
          aggregates: inputs.aggregates.get(period.id) ?? Aggregates.EMPTY,
          yearEarlier: inputs.aggregates.get(yearEarlier(period).id) ?? Aggregates.EMPTY,
          asAtEnd: inputs.aggregates.get(asAtEndId(period, this.asOf)) ?? Aggregates.EMPTY,
          settings: inputs.settings,
          population: inputs.population,
        });
        entry = { results: new Map(results.map((result) => [breakdownKey(result.breakdown), result])), missing };
      }
      this.cache.set(key, entry);
    }
    return entry;
  }

  /** The value other forces would publish for this entry, or null without complete data. */
  valueOf(definition: MeasureDefinition, forceId: string, period: Period, breakdown: string) {
    const { results, missing } = this.compute(definition, forceId, period);
    const result = results.get(breakdown);
    if (missing.length > 0 || !result || result.value === null) return { numerator: null, denominator: null, value: null, cells: {} };
    return { numerator: result.numerator, denominator: result.denominator, value: result.value, cells: result.cells };
  }
}

/**
 * Computes every measure of a snapshot for one force: each definition for each of its periods,
 * with coverage, target status, trend (rolling 12 months against 12 months earlier), MSG
 * comparison and national outlier band where the measure is comparable. Pure: everything it
 * reads is in the input, so the same input gives the same entries, byte for byte.
 */
export function computeSnapshotMeasures(input: SnapshotComputationInput): ComputedMeasure[] {
  const definitions = input.measures ?? MEASURES;
  const computer = new MeasureComputer(input.forces, input.asOf);
  const thresholds = input.trendThresholds ?? DEFAULT_TREND_THRESHOLDS;
  const self = input.forces.get(input.forceId);
  const group = [input.forceId, ...input.mostSimilarGroup];
  const allForces = [...input.forces.keys()].sort();
  const entries: ComputedMeasure[] = [];

  for (const definition of definitions) {
    for (const period of input.periods.filter((p) => definition.periods.includes(p.kind))) {
      const periodRef: PeriodRef = { id: period.id, kind: period.kind, label: period.label, from: period.from, to: period.to };
      const { results, missing } = computer.compute(definition, input.forceId, period);
      for (const [key, result] of results) {
        const flags: Flag[] = [];
        const available = missing.length === 0;
        if (!available) flags.push('[x]');
        else if (result.value === null) flags.push('[z]');
        if (period.toDate) flags.push('[p]');
        const value = available ? result.value : null;
        const target = self && definition.target?.(self.settings);
        let trendOf: Trend | null | undefined;
        let trendCells: Readonly<Record<string, number>> | undefined;
        if (period.kind === 'rolling-12m') {
          const earlier = computer.valueOf(definition, input.forceId, yearEarlier(period), key);
          trendOf = trend(value, earlier.value, thresholds);
          if (trendOf !== null) trendCells = earlier.cells;
        }
        let msg: MsgComparison | undefined;
        let national: NationalComparison | undefined;
        if (definition.comparison && definition.direction !== 'neither') {
          const comparison = compareWithGroup({
            force: input.forceId,
            entries: group.map((forceId) => ({ force: forceId, ...computer.valueOf(definition, forceId, period, key) })),
            direction: definition.direction,
            scale: definition.comparison.scale,
          });
          msg = {
            rank: comparison.rank?.label ?? null,
            average: comparison.average,
            comparison: comparison.comparison,
            similarWithinPercent: comparison.similarWithinPercent,
            forces: group,
            leftOut: comparison.leftOut,
          };
          const outliers = nationalOutliers(allForces.map((forceId) => ({ force: forceId, value: computer.valueOf(definition, forceId, period, key).value })));
          national = { flag: outliers.forces.find((f) => f.force === input.forceId)?.flag ?? null, band: outliers.band };
        }
        entries.push({
          measureId: definition.id,
          breakdown: result.breakdown ?? null,
          period: periodRef,
          unit: definition.unit,
          direction: definition.direction,
          value,
          numerator: available ? result.numerator : null,
          denominator: available ? result.denominator : null,
          ...(result.ci !== undefined && { ci: available ? result.ci : null }),
          ...(target && {
            target: target.value,
            ...(value !== null && { status: (target.rule === 'at-least' ? value >= target.value : value < target.value) ? 'met' : 'not met' }),
          }),
          ...(trendOf !== undefined && { trend: trendOf }),
          ...(msg && { msg }),
          ...(national && { national }),
          flags,
          ...(!available && { missingMonths: missing }),
          // Extra figures of a period with missing months would read as real (a missing year as 0).
          ...(result.extra && available && { extra: result.extra }),
          ...(result.notes && { notes: result.notes }),
          cells: available ? result.cells : {},
          ...(trendCells && { trendCells }),
        });
      }
    }
  }
  return entries;
}
