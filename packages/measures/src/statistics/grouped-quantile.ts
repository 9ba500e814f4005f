/**
 * Quantiles of grouped data: when only counts per bin are known (e.g. calls answered in 0–10 s,
 * 10–20 s, …), observations are taken as spread evenly across their bin.
 */

export interface Bin {
  /** Inclusive lower bound. */
  readonly lower: number;
  /** Exclusive upper bound; finite, since interpolation needs the bin's width. */
  readonly upper: number;
  /** A non-negative integer. */
  readonly count: number;
}

function checkedBins(bins: readonly Bin[]): Bin[] {
  const sorted = [...bins].sort((a, b) => a.lower - b.lower);
  sorted.forEach((bin, i) => {
    const { lower, upper, count } = bin;
    if (!Number.isFinite(lower) || !Number.isFinite(upper) || !(upper > lower)) {
      throw new RangeError(`a bin needs finite lower < upper, got [${lower}, ${upper})`);
    }
    if (!Number.isInteger(count) || count < 0) {
      throw new RangeError(`a bin count must be a whole number ≥ 0, got ${count}`);
    }
    const previous = sorted[i - 1];
    if (previous !== undefined && lower < previous.upper) {
      throw new RangeError(`bins [${previous.lower}, ${previous.upper}) and [${lower}, ${upper}) overlap`);
    }
  });
  return sorted;
}

/**
 * The p-quantile by linear interpolation within its bin, the usual grouped-data formula
 * L + (p·N − F) ÷ f × w: L the lower bound of the bin holding the (p·N)-th observation, F the
 * count below that bin, f its count and w its width. p = 0.5 gives the grouped median. Empty
 * bins are skipped, so the result always lies in a bin that has observations. Bins may come in
 * any order and have gaps, but must not overlap. Null when there are no observations.
 */
export function groupedQuantile(bins: readonly Bin[], p: number): number | null {
  if (!(p >= 0 && p <= 1)) throw new RangeError(`a quantile needs 0 ≤ p ≤ 1, got ${p}`);
  const sorted = checkedBins(bins).filter((bin) => bin.count > 0);
  const total = sorted.reduce((sum, bin) => sum + bin.count, 0);
  if (total === 0) return null;
  const target = p * total;
  let below = 0;
  for (const { lower, upper, count } of sorted) {
    // A target on a bin's cumulative edge belongs to the top of that bin, not the bottom of the
    // next: with a gap between bins, that is where the observations are. The 1e-9 slack keeps
    // p·N's rounding error (0.55 × 100 = 55.00000000000001) from crossing the edge.
    if (below + count >= target - 1e-9) {
      return Math.min(upper, lower + ((target - below) / count) * (upper - lower));
    }
    below += count;
  }
  // Unreachable: target ≤ total, and the last bin's cumulative count is the total.
  throw new RangeError(`quantile ${p} not found in ${total} observations`);
}

/** The grouped-data median, L + (N/2 − F) ÷ f × w. Null when there are no observations. */
export function groupedMedian(bins: readonly Bin[]): number | null {
  return groupedQuantile(bins, 0.5);
}
