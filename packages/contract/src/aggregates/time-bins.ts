/**
 * Time bins for answering and waiting times. Medians and 90th percentiles of a period must come
 * from daily aggregates (summing raw times per snapshot would grow with events), so times are
 * counted in bins: 1 s wide below 2 minutes, where the 10 s and 60 s bands and most 999 calls
 * fall, then 5 s to 10 minutes, 30 s to an hour, and 5 minutes beyond. Bands at 10 s and 60 s and
 * the 101 abandonment thresholds (whole seconds below 120) fall on bin edges, so counts against
 * them are exact; quantiles are interpolated within a bin, so they are exact to the bin width.
 */
const BIN_RULES: readonly { readonly below: number; readonly width: number }[] = [
  { below: 120, width: 1 },
  { below: 600, width: 5 },
  { below: 3_600, width: 30 },
  { below: Number.POSITIVE_INFINITY, width: 300 },
];

/** Lower bound, in whole seconds, of the bin holding a time of `ms` milliseconds (ms >= 0). */
export function timeBinOf(ms: number): number {
  const seconds = Math.max(0, ms) / 1000;
  for (const rule of BIN_RULES) {
    if (seconds < rule.below) return Math.floor(seconds / rule.width) * rule.width;
  }
  /* c8 ignore next */
  throw new Error('unreachable: the last bin rule is unbounded');
}

/** Upper bound (exclusive) of the bin whose lower bound is `lower` seconds. */
export function timeBinUpper(lower: number): number {
  for (const rule of BIN_RULES) if (lower < rule.below) return lower + rule.width;
  /* c8 ignore next */
  throw new Error('unreachable: the last bin rule is unbounded');
}

/** Whether `seconds` is a bin edge: a threshold there splits counts exactly. */
export function isTimeBinEdge(seconds: number): boolean {
  return timeBinOf(seconds * 1000) === seconds;
}
