import { breakdownText } from '@rollcall/contract';
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
import { additiveGroupsOf, type DisclosureRule, suppressCells } from './disclosure-control.ts';
import {
  cellSumsPart,
  extraPart,
  impliedCellsPart,
  intervalPart,
  missingMonthsPart,
  notesPart,
  targetPart,
  trendPart,
} from './measure-entry-parts.ts';
import { MEASURES } from './measure-catalog.ts';
import { asAtPeriod, monthsOfPeriod, type Period, type PeriodKind, yearEarlier } from './periods.ts';
import { compareWithGroup, type Direction, type GroupComparison } from './statistics/group-comparison.ts';
import { nationalOutliers, type OutlierBand, type OutlierFlag } from './statistics/outlier-band.ts';
import { trend, type Trend, type TrendThresholds } from './statistics/trend.ts';
import { Z_95 } from './statistics/proportion-interval.ts';
import { type RankInterval, rankWithIntervalLabel, scoreInterval } from './statistics/rank-interval.ts';
import type { NearlyMetRule, TargetStatus } from './target-status.ts';

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
  /**
   * Figures other bodies published (police.uk, Home Office, HMICFRS), for the periods of this
   * snapshot. A comparison uses one for a force whose own events do not cover the period; the
   * force's own figure is set beside them as a reconciliation, never replaced by them.
   */
  readonly publishedFigures?: readonly ComparisonFigure[];
}

/** A figure someone else published, with where it came from. */
export interface ComparisonFigure {
  readonly source: string;
  /** Which edition of the source: the first 12 hex digits of its file's SHA-256. */
  readonly edition: string;
  readonly forceId: string;
  readonly measureId: string;
  readonly from: LocalDate;
  readonly to: LocalDate;
  readonly numerator: number | null;
  readonly denominator: number | null;
  readonly value: number | null;
}

/** The force's own figure beside one a source published for the same measure and period. */
export interface Reconciliation {
  readonly source: string;
  readonly edition: string;
  readonly published: {
    readonly numerator: number | null;
    readonly denominator: number | null;
    readonly value: number | null;
  };
  /** Own value − published value, on the measure's scale (percentage points for percent). */
  readonly differenceValue: number | null;
  /** Own numerator − published numerator. */
  readonly differenceNumerator: number | null;
  readonly differenceDenominator: number | null;
}

/** The publication's rules the entries depend on, stated in the snapshot beside them. */
export interface SnapshotRules {
  /**
   * What every force's own publication suppresses: a comparison leaves out another force's
   * suppressed figures, and a trend is withheld when the value it compares with was suppressed.
   */
  readonly disclosure: DisclosureRule;
  readonly trendThresholds: TrendThresholds;
  /** When a missed target reads `nearly met` (amber); default `interval-reaches-target`. */
  readonly nearlyMet?: NearlyMetRule;
}

export interface PeriodRef {
  readonly id: string;
  readonly kind: PeriodKind;
  readonly label: string;
  readonly from: LocalDate | null;
  readonly to: LocalDate;
}

/**
 * Why a force's figures are out of a comparison, in the words of the GSS flags its own snapshot
 * shows for them: `[x]` not available (missing months), `[z]` not applicable (no value), `[c]`
 * suppressed (a small count; leaving it in would let the group average give it away).
 */
export type LeftOutReason = 'not available' | 'not applicable' | 'suppressed';

export interface LeftOutForce {
  readonly force: string;
  readonly reason: LeftOutReason;
}

export interface MsgComparison {
  /** `n/N` among the forces with figures, the force itself included; null with `flag` and `reason`. */
  readonly rank: string | null;
  /**
   * The 95% interval of the rank (Klein, Wright and Wieczorek 2020; measures.md), with its label
   * ("3rd of 8 (2nd to 5th)"): present with a rank on measures whose numerators count events.
   */
  readonly rankInterval?: RankInterval & { readonly label: string };
  /**
   * Where each ranked force's figure came from, when any came from a published source rather than
   * its own events: `own events`, or `<source> edition <sha>`. Absent when all are own events.
   */
  readonly sources?: readonly { readonly force: string; readonly source: string }[];
  /** Weighted over the forces with figures; null when no force other than this one has any. */
  readonly average: number | null;
  readonly comparison: GroupComparison['comparison'];
  readonly similarWithinPercent: number;
  /** The force itself, then its most similar group (reference data). */
  readonly forces: readonly string[];
  /** Forces of `forces` left out of the rank and the average, in that order, with the reason. */
  readonly leftOut: readonly LeftOutForce[];
  /**
   * Present exactly when there is no rank: `[z]` the force has no most similar group; `[x]` no
   * other force of the group has figures to compare with, or the force itself has none (`[z]`
   * when its value is not applicable). A force is never compared with itself alone.
   */
  readonly flag?: '[x]' | '[z]';
  readonly reason?: string;
}

export interface NationalComparison {
  readonly flag: OutlierFlag;
  /** Over every force with figures, the force itself included; null with fewer than 3. */
  readonly band: OutlierBand | null;
  /**
   * Forces with data for the snapshot that were left out of the band, with the reason. Always
   * computed; absent only from entries of snapshots published before it was (they stay as they were).
   */
  readonly leftOut?: readonly LeftOutForce[];
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
  readonly status?: TargetStatus;
  readonly trend?: Trend | null;
  readonly msg?: MsgComparison;
  readonly national?: NationalComparison;
  /** The force's own figure against each figure published for it (same measure, period). */
  readonly reconciliation?: readonly Reconciliation[];
  readonly flags: readonly Flag[];
  readonly missingMonths?: readonly string[];
  readonly extra?: Readonly<Record<string, number | string | null>>;
  readonly notes?: readonly string[];
  /** Counts behind the entry, by cell id; used by disclosure control, never published. */
  readonly cells: Readonly<Record<string, number>>;
  /** Counts the entry gives away by subtraction, and the sums tying them to cells; never published. */
  readonly impliedCells?: Readonly<Record<string, number>>;
  readonly cellSums?: MeasureResult['cellSums'];
}

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

/** An entry's figures as the force's own snapshot would publish them, or why it would not. */
interface PublishedFigures {
  readonly numerator: number | null;
  readonly denominator: number | null;
  readonly value: number | null;
  /** Null when the figures are published; otherwise what the force's own snapshot shows instead. */
  readonly leftOut: LeftOutReason | null;
  /** Set when the figures are another body's publication rather than the force's own events. */
  readonly source?: string;
}

const OWN_EVENTS = 'own events';
const figureKey = (measureId: string, forceId: string, from: LocalDate | null, to: LocalDate) =>
  `${measureId}\u0001${forceId}\u0001${from ?? ''}\u0001${to}`;

const usableFigures = (figures: PublishedFigures) =>
  figures.leftOut === null ? figures : { numerator: null, denominator: null, value: null };

class MeasureComputer {
  private readonly cache = new Map<string, { results: ResultsByBreakdown; missing: readonly string[] }>();
  private readonly suppressedCache = new Map<string, ReadonlySet<string>>();
  // Comparisons compute every measure of every force with data (43 × 48 per period): the
  // missing months and the year-earlier period are asked for again and again, so are kept.
  private readonly missingCache = new Map<string, readonly string[]>();
  private readonly earlierCache = new Map<string, Period>();

  constructor(
    private readonly forces: ReadonlyMap<string, ForceInputs>,
    private readonly asOf: LocalDate,
    private readonly definitions: readonly MeasureDefinition[],
    private readonly disclosure: DisclosureRule,
    publishedFigures: readonly ComparisonFigure[] = [],
  ) {
    // Sorted by source, so that with two sources for one figure the choice does not depend on load order.
    for (const figure of [...publishedFigures].sort((a, b) =>
      a.source < b.source ? -1 : a.source > b.source ? 1 : 0,
    )) {
      const key = figureKey(figure.measureId, figure.forceId, figure.from, figure.to);
      const held = this.publishedFigures.get(key);
      if (held) held.push(figure);
      else this.publishedFigures.set(key, [figure]);
    }
  }

  private readonly publishedFigures = new Map<string, ComparisonFigure[]>();

  /** Figures other bodies published for the force's headline of this measure and period, by source. */
  figuresPublishedFor(definition: MeasureDefinition, forceId: string, period: Period): readonly ComparisonFigure[] {
    return this.publishedFigures.get(figureKey(definition.id, forceId, period.from, period.to)) ?? [];
  }

  /** Forces that have a published figure for this measure's headline and period. */
  forcesWithPublishedFigures(definition: MeasureDefinition, period: Period): string[] {
    const forces = new Set<string>();
    // Every figure of a key has the key's measure, force and period, so the first speaks for all.
    for (const [figure] of this.publishedFigures.values()) {
      if (
        figure !== undefined &&
        figure.measureId === definition.id &&
        figure.from === period.from &&
        figure.to === period.to
      )
        forces.add(figure.forceId);
    }
    return [...forces];
  }

  /**
   * Another force's figures for a comparison: its own events when they cover the period (what its
   * own snapshot publishes), else the first published source's figure for the headline, else left
   * out as its own snapshot would show it.
   */
  comparable(definition: MeasureDefinition, forceId: string, period: Period, breakdown: string): PublishedFigures {
    const own = this.published(definition, forceId, period, breakdown);
    if (own.leftOut !== 'not available' || breakdown !== '') return own;
    const figure = this.figuresPublishedFor(definition, forceId, period)[0];
    if (!figure) return own;
    return {
      numerator: figure.numerator,
      denominator: figure.denominator,
      value: figure.value,
      leftOut: figure.value === null ? 'not applicable' : null,
      source: `${figure.source} edition ${figure.edition}`,
    };
  }

  compute(
    definition: MeasureDefinition,
    forceId: string,
    period: Period,
  ): { results: ResultsByBreakdown; missing: readonly string[] } {
    const key = `${definition.id}\u0001${forceId}\u0001${period.id}`;
    let entry = this.cache.get(key);
    if (!entry) {
      const inputs = this.forces.get(forceId);
      if (!inputs) {
        entry = { results: new Map(), missing: ['(no data for this force)'] };
      } else {
        const earlier = this.yearEarlier(period);
        const missing = [
          ...this.missing(inputs, definition.feed, period),
          ...(definition.readsYearEarlier ? this.missing(inputs, definition.feed, earlier) : []),
        ];
        const results = definition.compute({
          aggregates: inputs.aggregates.get(period.id) ?? Aggregates.EMPTY,
          yearEarlier: inputs.aggregates.get(earlier.id) ?? Aggregates.EMPTY,
          asAtEnd: inputs.aggregates.get(asAtEndId(period, this.asOf)) ?? Aggregates.EMPTY,
          settings: inputs.settings,
          population: inputs.population,
        });
        entry = { results: new Map(results.map((result) => [breakdownText(result.breakdown), result])), missing };
      }
      this.cache.set(key, entry);
    }
    return entry;
  }

  yearEarlier(period: Period): Period {
    let earlier = this.earlierCache.get(period.id);
    if (!earlier) this.earlierCache.set(period.id, (earlier = yearEarlier(period)));
    return earlier;
  }

  private missing(inputs: ForceInputs, feed: MeasureFeed, period: Period): readonly string[] {
    const key = `${inputs.forceId}\u0001${feed}\u0001${period.id}`;
    let missing = this.missingCache.get(key);
    if (!missing) this.missingCache.set(key, (missing = missingMonths(inputs, feed, period)));
    return missing;
  }

  /**
   * The cells the force's own publication of the period suppresses: disclosure control run on
   * every measure of the period as that publication holds them (no cells where months are
   * missing), exactly as `applyDisclosureControl` runs it on this snapshot's entries.
   */
  suppressedIn(forceId: string, period: Period): ReadonlySet<string> {
    const key = `${forceId}\u0001${period.id}`;
    let suppressed = this.suppressedCache.get(key);
    if (!suppressed) {
      const entries: MeasureResult[] = [];
      const measureIds: string[] = [];
      for (const definition of this.definitions.filter((d) => d.periods.includes(period.kind))) {
        const { results, missing } = this.compute(definition, forceId, period);
        if (results.size > 0) measureIds.push(definition.id);
        if (missing.length === 0) entries.push(...results.values());
      }
      suppressed = suppressCells(entries, additiveGroupsOf(measureIds, this.definitions), this.disclosure).suppressed;
      this.suppressedCache.set(key, suppressed);
    }
    return suppressed;
  }

  /**
   * The entry as the force's own snapshot for the period publishes it. A comparison may only use
   * figures that are published anyway: with a suppressed one in it, the group's weighted average
   * and the other forces' published figures would give it back by subtraction.
   */
  published(definition: MeasureDefinition, forceId: string, period: Period, breakdown: string): PublishedFigures {
    const { results, missing } = this.compute(definition, forceId, period);
    const result = results.get(breakdown);
    if (missing.length > 0 || !result)
      return { numerator: null, denominator: null, value: null, leftOut: 'not available' };
    const figures = { numerator: result.numerator, denominator: result.denominator, value: result.value };
    const suppressed = this.suppressedIn(forceId, period);
    if (Object.keys(result.cells).some((cell) => suppressed.has(cell))) return { ...figures, leftOut: 'suppressed' };
    return { ...figures, leftOut: result.value === null ? 'not applicable' : null };
  }
}

/** Whether the entry's trend may be published: null with a note when the earlier value was suppressed. */
function trendOf(
  computer: MeasureComputer,
  definition: MeasureDefinition,
  forceId: string,
  period: Period,
  breakdown: string,
  value: number | null,
  thresholds: TrendThresholds,
): { trend: Trend | null; withheld: boolean } {
  const earlier = computer.published(definition, forceId, computer.yearEarlier(period), breakdown);
  const computed = trend(value, earlier.value, thresholds);
  // With today's value published, the change gives the earlier one back: 40 searches now and
  // "+1,233%" say 3 a year ago, a figure that year's own publication suppressed.
  if (computed !== null && earlier.leftOut === 'suppressed') return { trend: null, withheld: true };
  return { trend: earlier.leftOut === null ? computed : null, withheld: false };
}

/**
 * The force against its most similar group, over the figures each force publishes: a force whose
 * own entry is missing, not applicable or suppressed is left out and listed with the reason. No
 * rank, average or comparison unless at least one other force has figures: a group of one is
 * the force itself, and its "average" its own value.
 */
function msgComparison(
  computer: MeasureComputer,
  definition: MeasureDefinition,
  ranking: { readonly direction: Direction; readonly scale: number },
  input: SnapshotComputationInput,
  period: Period,
  breakdown: string,
): MsgComparison {
  const group = [input.forceId, ...input.mostSimilarGroup];
  // The force itself is always its own events; the others may be published figures.
  const own = { force: input.forceId, figures: computer.published(definition, input.forceId, period, breakdown) };
  const members = [
    own,
    ...input.mostSimilarGroup.map((force) => ({
      force,
      figures: computer.comparable(definition, force, period, breakdown),
    })),
  ];
  const comparison = compareWithGroup({
    force: input.forceId,
    entries: members.map(({ force, figures }) => ({ force, ...usableFigures(figures) })),
    direction: ranking.direction,
    scale: ranking.scale,
    numeratorsAreCounts: definition.unit === 'percent' || definition.unit === 'per-1000',
  });
  const leftOut = members.flatMap(({ force, figures }) =>
    figures.leftOut === null ? [] : [{ force, reason: figures.leftOut }],
  );
  const base = { similarWithinPercent: comparison.similarWithinPercent, forces: group, leftOut };
  const self = own.figures;
  const others = members.slice(1).filter(({ figures }) => figures.leftOut === null).length;
  const none = (flag: '[x]' | '[z]', reason: string, average: number | null = null): MsgComparison => ({
    rank: null,
    average,
    comparison: null,
    ...base,
    flag,
    reason,
  });
  if (input.mostSimilarGroup.length === 0)
    return none('[z]', 'the force has no most similar group in the reference data');
  if (others === 0)
    return none(
      '[x]',
      'no other force of the most similar group has figures for this entry (complete and not suppressed)',
    );
  if (self.leftOut !== null)
    return none(
      self.leftOut === 'not applicable' ? '[z]' : '[x]',
      `the force's own value is ${self.leftOut}`,
      comparison.average,
    );
  const interval = comparison.rank?.interval;
  const ranked = members.filter(({ figures }) => figures.leftOut === null);
  const fromPublications = ranked.some(({ figures }) => figures.source !== undefined);
  return {
    rank: comparison.rank?.label ?? null,
    ...(comparison.rank &&
      interval && { rankInterval: { ...interval, label: rankWithIntervalLabel(comparison.rank.position, interval) } }),
    ...(fromPublications && {
      sources: ranked.map(({ force, figures }) => ({ force, source: figures.source ?? OWN_EVENTS })),
    }),
    average: comparison.average,
    comparison: comparison.comparison,
    ...base,
  };
}

/** The force's own figure beside each figure published for it; nothing when its own is not available. */
function reconciliationOf(
  figures: readonly ComparisonFigure[],
  value: number | null,
  own: MeasureResult,
  available: boolean,
): { reconciliation?: readonly Reconciliation[] } {
  if (figures.length === 0 || !available) return {};
  const difference = (a: number | null, b: number | null) => (a === null || b === null ? null : a - b);
  return {
    reconciliation: figures.map((figure) => ({
      source: figure.source,
      edition: figure.edition,
      published: { numerator: figure.numerator, denominator: figure.denominator, value: figure.value },
      differenceValue: difference(value, figure.value),
      differenceNumerator: difference(own.numerator, figure.numerator),
      differenceDenominator: difference(own.denominator, figure.denominator),
    })),
  };
}

/** The national outlier band over the figures each force with data publishes. */
function nationalComparison(
  computer: MeasureComputer,
  definition: MeasureDefinition,
  input: SnapshotComputationInput,
  period: Period,
  breakdown: string,
): NationalComparison {
  const forceIds = new Set([
    ...input.forces.keys(),
    ...(breakdown === '' ? computer.forcesWithPublishedFigures(definition, period) : []),
  ]);
  const forces = [...forceIds].sort().map((force) => ({
    force,
    figures:
      force === input.forceId
        ? computer.published(definition, force, period, breakdown)
        : computer.comparable(definition, force, period, breakdown),
  }));
  const counts = definition.unit === 'percent' || definition.unit === 'per-1000';
  const scale = definition.comparison?.scale ?? 1;
  const outliers = nationalOutliers(
    forces.map(({ force, figures }) => {
      const { numerator, denominator, value } = usableFigures(figures);
      const interval =
        counts && numerator !== null && denominator !== null && denominator > 0 && numerator >= 0
          ? scoreInterval(numerator, denominator, Z_95)
          : undefined;
      return {
        force,
        value,
        ...(interval && { interval: { lower: interval.lower * scale, upper: interval.upper * scale } }),
      };
    }),
  );
  return {
    flag: outliers.forces.find((f) => f.force === input.forceId)?.flag ?? null,
    band: outliers.band,
    leftOut: forces.flatMap(({ force, figures }) =>
      figures.leftOut === null ? [] : [{ force, reason: figures.leftOut }],
    ),
  };
}

/**
 * Computes every measure of a snapshot for one force: each definition for each of its periods,
 * with coverage, target status, trend (rolling 12 months against 12 months earlier), MSG
 * comparison and national outlier band where the measure is comparable. Pure: everything it
 * reads is in the input, so the same input gives the same entries, byte for byte.
 *
 * Comparisons and trends rest on what other publications show: other forces' own snapshots, and
 * this force's snapshot of 12 months earlier. Each is computed here with the same disclosure
 * rule, so that no figure one of them suppressed comes back through this one.
 */
export function computeSnapshotMeasures(input: SnapshotComputationInput, rules: SnapshotRules): ComputedMeasure[] {
  const definitions = input.measures ?? MEASURES;
  const computer = new MeasureComputer(input.forces, input.asOf, definitions, rules.disclosure, input.publishedFigures);
  const self = input.forces.get(input.forceId);
  const entries: ComputedMeasure[] = [];
  for (const definition of definitions) {
    for (const period of input.periods.filter((p) => definition.periods.includes(p.kind))) {
      const { results, missing } = computer.compute(definition, input.forceId, period);
      const scope: PeriodScope = {
        computer,
        definition,
        input,
        rules,
        self,
        period,
        periodRef: periodRefOf(period),
        missing,
      };
      for (const [key, result] of results) entries.push(measureEntry(scope, key, result));
    }
  }
  return entries;
}

/** What every entry of one definition's period shares. */
interface PeriodScope {
  readonly computer: MeasureComputer;
  readonly definition: MeasureDefinition;
  readonly input: SnapshotComputationInput;
  readonly rules: SnapshotRules;
  /** The force's own inputs (its settings hold its targets). */
  readonly self: ForceInputs | undefined;
  readonly period: Period;
  readonly periodRef: PeriodRef;
  /** Months of the period without data: the entries are not available ([x]) unless empty. */
  readonly missing: readonly string[];
}

function periodRefOf(period: Period): PeriodRef {
  return { id: period.id, kind: period.kind, label: period.label, from: period.from, to: period.to };
}

/**
 * One entry of a definition's period, for the breakdown `key` ('' for the headline): its figures,
 * then each optional part in the order the snapshot shows them.
 */
function measureEntry(scope: PeriodScope, key: string, result: MeasureResult): ComputedMeasure {
  const { computer, definition, input, rules, period } = scope;
  const available = scope.missing.length === 0;
  const value = available ? result.value : null;
  const target = scope.self && definition.target?.(scope.self.settings);
  const trended =
    period.kind === 'rolling-12m'
      ? trendOf(computer, definition, input.forceId, period, key, value, rules.trendThresholds)
      : undefined;
  return {
    measureId: definition.id,
    breakdown: result.breakdown ?? null,
    period: scope.periodRef,
    unit: definition.unit,
    direction: definition.direction,
    value,
    numerator: available ? result.numerator : null,
    denominator: available ? result.denominator : null,
    ...intervalPart(result, available),
    ...targetPart(target, value, available ? result.ci : null, rules.nearlyMet),
    ...trendPart(trended),
    ...comparisonsPart(scope, key),
    ...reconciliationPart(scope, key, value, result),
    flags: flagsOf(result, available, period),
    ...missingMonthsPart(scope.missing),
    ...extraPart(result, available),
    ...notesPart(result, trended?.withheld === true),
    cells: available ? result.cells : {},
    ...impliedCellsPart(result, available),
    ...cellSumsPart(result, available),
  };
}

/** `[x]` with missing months, else `[z]` without a value; `[p]` on a period still running. */
function flagsOf(result: MeasureResult, available: boolean, period: Period): Flag[] {
  const flags: Flag[] = [];
  if (!available) flags.push('[x]');
  else if (result.value === null) flags.push('[z]');
  if (period.toDate) flags.push('[p]');
  return flags;
}

/** The MSG and national comparisons, on measures that rank forces (a comparison scale and a direction). */
function comparisonsPart(
  scope: PeriodScope,
  key: string,
): { readonly msg?: MsgComparison; readonly national?: NationalComparison } {
  const { computer, definition, input, period } = scope;
  if (!definition.comparison || definition.direction === 'neither') return {};
  const ranking = { direction: definition.direction, scale: definition.comparison.scale };
  return {
    msg: msgComparison(computer, definition, ranking, input, period, key),
    national: nationalComparison(computer, definition, input, period, key),
  };
}

/** The headline set beside the figures others published for it (`reconciliationOf`); breakdowns have none. */
function reconciliationPart(
  scope: PeriodScope,
  key: string,
  value: number | null,
  result: MeasureResult,
): { reconciliation?: readonly Reconciliation[] } {
  if (key !== '') return {};
  const { computer, definition, input, period } = scope;
  const figures = computer.figuresPublishedFor(definition, input.forceId, period);
  return reconciliationOf(figures, value, result, scope.missing.length === 0);
}
