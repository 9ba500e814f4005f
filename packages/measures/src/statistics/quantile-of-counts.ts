/**
 * Exact quantiles of a discrete distribution held as counts per value (e.g. days to outcome →
 * number of cases), without expanding it into one entry per case.
 */

export interface ValueCount {
  readonly value: number;
  /** How many observations have this value; a non-negative integer. */
  readonly count: number;
}

function sortedCounts(counts: readonly ValueCount[]): { sorted: ValueCount[]; total: number } {
  let total = 0;
  for (const { value, count } of counts) {
    if (!Number.isFinite(value) || !Number.isInteger(count) || count < 0) {
      throw new RangeError(`a count needs a finite value and a whole count ≥ 0, got ${count} × ${value}`);
    }
    total += count;
  }
  // The same value listed twice simply adds up: ordering by value is all the walk below needs.
  const sorted = counts.filter((c) => c.count > 0).sort((a, b) => a.value - b.value);
  return { sorted, total };
}

/** The value of the observation at 1-based `rank` in ascending order. */
function valueAtRank(sorted: readonly ValueCount[], rank: number): number {
  let seen = 0;
  for (const { value, count } of sorted) {
    seen += count;
    if (seen >= rank) return value;
  }
  throw new RangeError(`rank ${rank} is beyond the ${seen} observations`);
}

/**
 * The median: the middle observation, or the mean of the two middle ones when the total is even
 * (so 1, 2, 3, 4 has median 2.5). Null when there are no observations.
 */
export function medianOfCounts(counts: readonly ValueCount[]): number | null {
  const { sorted, total } = sortedCounts(counts);
  if (total === 0) return null;
  if (total % 2 === 1) return valueAtRank(sorted, (total + 1) / 2);
  return (valueAtRank(sorted, total / 2) + valueAtRank(sorted, total / 2 + 1)) / 2;
}

/**
 * The p-quantile by the nearest-rank method: the smallest observed value with at least p of the
 * observations at or below it, i.e. the observation at rank ⌈p·N⌉ (rank 1 for p = 0). This is
 * Hyndman & Fan (1996) definition 1, the inverse of the empirical CDF: the result is always an
 * observed value, so "90% of cases were finished within 12 days" is literally true. Null when
 * there are no observations.
 */
export function quantileOfCounts(counts: readonly ValueCount[], p: number): number | null {
  if (!(p >= 0 && p <= 1)) throw new RangeError(`a quantile needs 0 ≤ p ≤ 1, got ${p}`);
  const { sorted, total } = sortedCounts(counts);
  if (total === 0) return null;
  // p·N carries rounding error (0.55 × 100 = 55.00000000000001), which ⌈⌉ would turn into a whole
  // extra rank; 1e-9 absolute is far below the one-rank step and far above double error.
  const rank = Math.max(1, Math.ceil(p * total - 1e-9));
  return valueAtRank(sorted, rank);
}
