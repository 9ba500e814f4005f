import { Z_95 } from './proportion-interval.ts';
import { type RankInterval, rankIntervals, scoreInterval } from './rank-interval.ts';
import { relativeChangePercent } from './relative-change.ts';

/**
 * A force against its most similar group (MSG), as HMICFRS presents it (measures.md, "Statistics
 * shared by all measures"): rank within the group, and below / similar to / higher than the
 * group's weighted average.
 */

export type Direction = 'higher-is-better' | 'lower-is-better';

export type GroupComparisonLabel = 'below' | 'similar to' | 'higher than';

export interface GroupEntry {
  readonly force: string;
  /** An entry with any of numerator, denominator or value null lacks complete data. */
  readonly numerator: number | null;
  readonly denominator: number | null;
  /** The force's published value on the measure's scale (numerator ÷ denominator × scale). */
  readonly value: number | null;
}

export interface GroupComparisonInput {
  /** The force being compared; must be one of `entries`. */
  readonly force: string;
  /** One per force of the group, the force itself included. */
  readonly entries: readonly GroupEntry[];
  readonly direction: Direction;
  /** 1 for proportions, 1000 for "per 1,000", and so on. */
  readonly scale: number;
  /** Half-width of "similar to", in percent of the average. Default 5. */
  readonly similarWithinPercent?: number;
  /**
   * Whether numerators count events (searches, calls answered in time), so that each force's
   * figure has a binomial or Poisson uncertainty and the rank an interval. Not for sums of
   * seconds and the like.
   */
  readonly numeratorsAreCounts?: boolean;
}

export interface GroupRank {
  /** 1 is best by the measure's direction; tied forces share the better position. */
  readonly position: number;
  /** Forces with complete data, the force itself included. */
  readonly of: number;
  /** `position/of`, as published: "3/8". */
  readonly label: string;
  /**
   * The ranks the force could hold given every force's uncertainty (rank-interval.ts); null when numerators are not
   * counts.
   */
  readonly interval: RankInterval | null;
}

export interface GroupComparison {
  readonly force: string;
  /** Null when the force itself has no complete value. */
  readonly rank: GroupRank | null;
  /** Σ numerators ÷ Σ denominators × scale over the forces with complete data; null if none. */
  readonly average: number | null;
  /** (value − average) ÷ average × 100; null when the force or the average is missing or 0. */
  readonly differencePercent: number | null;
  readonly comparison: GroupComparisonLabel | null;
  readonly similarWithinPercent: number;
  /** Forces left out of the rank and the average for incomplete data, in input order. */
  readonly leftOut: readonly string[];
}

export const DEFAULT_SIMILAR_WITHIN_PERCENT = 5;

interface CompleteEntry {
  readonly force: string;
  readonly numerator: number;
  readonly denominator: number;
  readonly value: number;
}

function isComplete(entry: GroupEntry): entry is CompleteEntry {
  return entry.numerator !== null && entry.denominator !== null && entry.value !== null;
}

function checkInput(input: GroupComparisonInput, similarWithinPercent: number): void {
  const forces = input.entries.map((e) => e.force);
  const duplicate = forces.find((f, i) => forces.indexOf(f) !== i);
  if (duplicate !== undefined) {
    throw new RangeError(`force ${duplicate} appears twice in the group`);
  }
  if (!forces.includes(input.force)) {
    throw new RangeError(`force ${input.force} is not in its own group`);
  }
  if (!(input.scale > 0 && Number.isFinite(input.scale))) {
    throw new RangeError(`scale must be a positive number, got ${input.scale}`);
  }
  if (!(similarWithinPercent >= 0 && Number.isFinite(similarWithinPercent))) {
    throw new RangeError(`similar band must be ≥ 0%, got ${similarWithinPercent}`);
  }
  for (const entry of input.entries.filter(isComplete)) {
    const { numerator, denominator, value } = entry;
    if (![numerator, denominator, value].every(Number.isFinite) || denominator < 0) {
      throw new RangeError(`${entry.force}: ${numerator} / ${denominator} = ${value} is not valid`);
    }
  }
}

/**
 * Rank, weighted MSG average and comparison of one force with its group.
 *
 * The average is weighted (Σ numerators ÷ Σ denominators × scale), so a small force with an
 * extreme rate moves it by its size, not as one vote in eight. "Similar to" is within ±5% of the
 * average, relative, boundaries included (to 1e-9 points, see relative-change.ts), or, when
 * numerators count events, wherever the force's own 95% score interval holds the average. The labels
 * describe the value, not performance: "higher than" is good for a higher-is-better measure.
 */
export function compareWithGroup(input: GroupComparisonInput): GroupComparison {
  const similarWithinPercent = input.similarWithinPercent ?? DEFAULT_SIMILAR_WITHIN_PERCENT;
  checkInput(input, similarWithinPercent);

  const complete = input.entries.filter(isComplete);
  const leftOut = input.entries.filter((e) => !isComplete(e)).map((e) => e.force);
  const self = complete.find((e) => e.force === input.force);

  const totalNumerator = complete.reduce((sum, e) => sum + e.numerator, 0);
  const totalDenominator = complete.reduce((sum, e) => sum + e.denominator, 0);
  const average = totalDenominator > 0 ? (totalNumerator / totalDenominator) * input.scale : null;

  let rank: GroupRank | null = null;
  if (self !== undefined) {
    const better = (other: CompleteEntry): boolean =>
      input.direction === 'higher-is-better' ? other.value > self.value : other.value < self.value;
    const position = 1 + complete.filter(better).length;
    // Over the same forces as the position, so the interval always holds it.
    const interval =
      input.numeratorsAreCounts && complete.every((e) => e.denominator > 0)
        ? (rankIntervals(complete, input.direction).get(self.force) ?? null)
        : null;
    rank = { position, of: complete.length, label: `${position}/${complete.length}`, interval };
  }

  const differencePercent = self === undefined || average === null ? null : relativeChangePercent(self.value, average);
  // With counts, a force whose own 95% interval holds the average is "similar to" it even beyond
  // ±5%: a small force's 97.5% of 400 calls is not a finding about the force.
  const intervalHoldsAverage =
    input.numeratorsAreCounts === true && self !== undefined && average !== null && self.denominator > 0
      ? (() => {
          const { lower, upper } = scoreInterval(self.numerator, self.denominator, Z_95);
          return lower * input.scale <= average && average <= upper * input.scale;
        })()
      : false;
  const comparison: GroupComparisonLabel | null =
    differencePercent === null
      ? null
      : Math.abs(differencePercent) <= similarWithinPercent || intervalHoldsAverage
        ? 'similar to'
        : differencePercent > 0
          ? 'higher than'
          : 'below';

  return {
    force: input.force,
    rank,
    average,
    differencePercent,
    comparison,
    similarWithinPercent,
    leftOut,
  };
}
