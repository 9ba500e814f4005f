import { type AggregateDelta, compareAggregateKeys, type AggregateRowChanges } from './aggregate-keys.ts';

/** One running sum, changed in place; `mark` is the diff that last met it. */
interface Sum {
  value: number;
  mark: number;
}

/**
 * Sums of contributions per (force, day, metric, dim): replay adds millions of them, and each
 * part a worker stores adds its entities' deltas.
 * Nested maps, not one map keyed by the four joined: a joined key is a new string per
 * contribution, hashed whole each time, and that was most of the fold's cost (issue 19); the
 * parts are strings already made (days from the calendar's cache, metric names), whose hashes V8
 * keeps.
 */
export class AggregateSums {
  readonly #byForce = new Map<string, Map<string, Map<string, Map<string, Sum>>>>();
  #diffs = 0;

  // An entity's contributions mostly fall on one day: the metrics of the last (force, day) kept at hand.
  #lastForce = '';
  #lastDay = '';
  #lastByMetric: Map<string, Map<string, Sum>> | undefined;

  add(forceId: string, day: string, metric: string, dim: string, value: number): void {
    let byMetric = this.#lastByMetric;
    if (byMetric === undefined || day !== this.#lastDay || forceId !== this.#lastForce) {
      let byDay = this.#byForce.get(forceId);
      if (byDay === undefined) this.#byForce.set(forceId, (byDay = new Map()));
      byMetric = byDay.get(day);
      if (byMetric === undefined) byDay.set(day, (byMetric = new Map()));
      this.#lastForce = forceId;
      this.#lastDay = day;
      this.#lastByMetric = byMetric;
    }
    let byDim = byMetric.get(metric);
    if (byDim === undefined) byMetric.set(metric, (byDim = new Map()));
    const sum = byDim.get(dim);
    if (sum === undefined) byDim.set(dim, { value, mark: 0 });
    else sum.value += value;
  }

  /** Calls `each` with every sum that is not 0, in no particular order. */
  forEach(each: (forceId: string, day: string, metric: string, dim: string, value: number) => void): void {
    for (const [forceId, byDay] of this.#byForce)
      for (const [day, byMetric] of byDay)
        for (const [metric, byDim] of byMetric)
          for (const [dim, { value }] of byDim) if (value !== 0) each(forceId, day, metric, dim, value);
  }

  /** How many sums are not 0. */
  count(): number {
    let n = 0;
    this.forEach(() => (n += 1));
    return n;
  }

  /** The sums that are not 0, in no particular order. */
  rows(): AggregateDelta[] {
    const rows: AggregateDelta[] = [];
    this.forEach((forceId, day, metric, dim, value) => rows.push({ forceId, day, metric, dim, value }));
    return rows;
  }

  /**
   * What turns the `stored` rows (keys unique) into these sums: rows to set (a value that differs
   * or is not stored) and stored rows to remove (no sum, or a sum of 0), each in key order, the
   * order concurrent writers lock rows in. Each stored row is looked up in these maps, which
   * exist already (issue 19: building a map of the stored rows instead cost replay 2 µs a row).
   */
  changesFrom(stored: readonly AggregateDelta[]): AggregateRowChanges {
    const mark = ++this.#diffs;
    const set: AggregateDelta[] = [];
    const removed: AggregateDelta[] = [];
    for (const row of stored) {
      const sum = this.#byForce.get(row.forceId)?.get(row.day)?.get(row.metric)?.get(row.dim);
      if (sum === undefined || sum.value === 0) {
        removed.push(row);
        continue;
      }
      sum.mark = mark;
      if (sum.value !== row.value) set.push({ ...row, value: sum.value });
    }
    for (const [forceId, byDay] of this.#byForce)
      for (const [day, byMetric] of byDay)
        for (const [metric, byDim] of byMetric)
          for (const [dim, sum] of byDim)
            if (sum.value !== 0 && sum.mark !== mark) set.push({ forceId, day, metric, dim, value: sum.value });
    return { set: set.sort(compareAggregateKeys), removed: removed.sort(compareAggregateKeys) };
  }
}
