import type { LocalDate } from '@rollcall/calendar';

/** An integer an entity adds to the daily aggregates: (London day, metric, dimension) += value. */
export interface Contribution {
  readonly day: LocalDate;
  readonly metric: string;
  readonly dim: string;
  readonly value: number;
}

const SEPARATOR = '\u0001';

export const contributionKey = (c: Pick<Contribution, 'day' | 'metric' | 'dim'>): string =>
  `${c.day}${SEPARATOR}${c.metric}${SEPARATOR}${c.dim}`;

export function parseContributionKey(key: string): Pick<Contribution, 'day' | 'metric' | 'dim'> {
  const [day = '', metric = '', dim = ''] = key.split(SEPARATOR);
  return { day, metric, dim };
}

/** Adds contributions into a running sum keyed by `contributionKey` (multiplied by `sign`). */
export function accumulate(sums: Map<string, number>, contributions: readonly Contribution[], sign: 1 | -1 = 1): void {
  for (const c of contributions) {
    const key = contributionKey(c);
    sums.set(key, (sums.get(key) ?? 0) + sign * c.value);
  }
}

/**
 * Above this many contributions (before and after together) `contributionDeltas` matches them by
 * key; at or below it, pairwise. Most entities (a call, a search) have a handful, and for those
 * comparing three fields costs less than building, hashing and splitting a key string per
 * contribution, which showed in the workers' profile (issue 19).
 */
const PAIRWISE_AT_MOST = 32;

/** What changes in the aggregates when an entity goes from `before` to `after`: non-zero differences only. */
export function contributionDeltas(before: readonly Contribution[], after: readonly Contribution[]): Contribution[] {
  if (before.length + after.length > PAIRWISE_AT_MOST) return deltasByKey(before, after);
  const sums: { day: Contribution['day']; metric: string; dim: string; value: number }[] = [];
  const add = (c: Contribution, sign: 1 | -1) => {
    for (const sum of sums)
      if (sum.day === c.day && sum.metric === c.metric && sum.dim === c.dim) {
        sum.value += sign * c.value;
        return;
      }
    sums.push({ day: c.day, metric: c.metric, dim: c.dim, value: sign * c.value });
  };
  for (const c of after) add(c, 1);
  for (const c of before) add(c, -1);
  return sums.filter((sum) => sum.value !== 0);
}

function deltasByKey(before: readonly Contribution[], after: readonly Contribution[]): Contribution[] {
  const sums = new Map<string, number>();
  accumulate(sums, after, 1);
  accumulate(sums, before, -1);
  const deltas: Contribution[] = [];
  for (const [key, value] of sums) if (value !== 0) deltas.push({ ...parseContributionKey(key), value });
  return deltas;
}
