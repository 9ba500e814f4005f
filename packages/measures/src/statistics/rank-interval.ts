import { normalQuantile } from './normal-distribution.ts';

/**
 * 95% rank intervals: the ranks a force could hold given the uncertainty of every force's figure,
 * so that "3rd of 8" is read with "2nd to 5th" beside it rather than as a fine distinction.
 *
 * Method: Klein, Wright and Wieczorek (2020), "A joint confidence region for an overall ranking of
 * populations", Journal of the Royal Statistical Society Series C 69(3), 589–606. Each of the K
 * forces gets an interval at level 1 − α/K (Bonferroni, so all K hold together with probability
 * at least 1 − α); a force is surely better than another only when their intervals do not meet.
 * For a higher-is-better measure, force i's best rank is 1 + #{j : L_j > U_i} and its worst rank is
 * K − #{j : U_j < L_i}; the other way round when lower is better. Exact and deterministic: no
 * simulation, no seed.
 *
 * A figure's interval is the Wilson score interval of numerator ÷ denominator when the numerator
 * is a part of the denominator (a proportion, or a count per resident), and the Poisson score
 * interval of the rate otherwise (a count that may exceed its denominator): ((x + z²/2) ±
 * z·√(x + z²/4)) ÷ n. Both keep a width at 0 and at 100%, where the normal interval collapses.
 */

export type RankDirection = 'higher-is-better' | 'lower-is-better';

export interface RankedFigure {
  readonly force: string;
  readonly numerator: number;
  readonly denominator: number;
}

export interface RankInterval {
  /** 1 is best by the measure's direction. */
  readonly best: number;
  readonly worst: number;
  /** Of how many forces (K). */
  readonly of: number;
  readonly level: 0.95;
  readonly method: 'klein-wright-wieczorek-2020';
}

/** The score interval of numerator ÷ denominator at normal quantile z (see above). */
export function scoreInterval(
  numerator: number,
  denominator: number,
  z: number,
): { readonly lower: number; readonly upper: number } {
  if (!(denominator > 0) || !(numerator >= 0))
    throw new RangeError(`a rate needs numerator ≥ 0 and denominator > 0, got ${numerator} / ${denominator}`);
  const z2 = z * z;
  if (numerator <= denominator) {
    const centre = (numerator + z2 / 2) / (denominator + z2);
    const half = (z / (denominator + z2)) * Math.sqrt((numerator * (denominator - numerator)) / denominator + z2 / 4);
    return { lower: Math.max(0, centre - half), upper: Math.min(1, centre + half) };
  }
  const half = z * Math.sqrt(numerator + z2 / 4);
  return {
    lower: Math.max(0, (numerator + z2 / 2 - half) / denominator),
    upper: (numerator + z2 / 2 + half) / denominator,
  };
}

/**
 * Every force's 95% rank interval among `figures` (forces with a denominator of 0 cannot be ranked: leave them out).
 */
export function rankIntervals(figures: readonly RankedFigure[], direction: RankDirection): Map<string, RankInterval> {
  const of = figures.length;
  const intervals = new Map<string, RankInterval>();
  if (of === 0) return intervals;
  const z = normalQuantile(1 - 0.05 / (2 * of));
  const bounds = figures.map((figure) => ({
    force: figure.force,
    ...scoreInterval(figure.numerator, figure.denominator, z),
  }));
  for (const self of bounds) {
    const others = bounds.filter((other) => other.force !== self.force);
    const surelyAbove = others.filter((other) => other.lower > self.upper).length;
    const surelyBelow = others.filter((other) => other.upper < self.lower).length;
    const surelyBetter = direction === 'higher-is-better' ? surelyAbove : surelyBelow;
    const surelyWorse = direction === 'higher-is-better' ? surelyBelow : surelyAbove;
    intervals.set(self.force, {
      best: 1 + surelyBetter,
      worst: of - surelyWorse,
      of,
      level: 0.95,
      method: 'klein-wright-wieczorek-2020',
    });
  }
  return intervals;
}

const ordinal = (n: number): string => {
  const tens = n % 100;
  const suffix =
    tens >= 11 && tens <= 13 ? 'th' : (({ 1: 'st', 2: 'nd', 3: 'rd' } as Record<number, string>)[n % 10] ?? 'th');
  return `${n}${suffix}`;
};

/** "3rd of 8 (2nd to 5th)", or "4th of 4 (surely 4th)" when the interval is one rank. */
export function rankWithIntervalLabel(position: number, interval: RankInterval): string {
  const range =
    interval.best === interval.worst
      ? `surely ${ordinal(interval.best)}`
      : `${ordinal(interval.best)} to ${ordinal(interval.worst)}`;
  return `${ordinal(position)} of ${interval.of} (${range})`;
}
