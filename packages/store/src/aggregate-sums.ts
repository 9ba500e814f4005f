import type { AggregateDelta } from '@rollcall/db';

/** One running sum, changed in place. */
interface Sum {
  value: number;
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
    if (sum === undefined) byDim.set(dim, { value });
    else sum.value += value;
  }

  /** The sums that are not 0, in no particular order. */
  rows(): AggregateDelta[] {
    const rows: AggregateDelta[] = [];
    for (const [forceId, byDay] of this.#byForce)
      for (const [day, byMetric] of byDay)
        for (const [metric, byDim] of byMetric)
          for (const [dim, { value }] of byDim) if (value !== 0) rows.push({ forceId, day, metric, dim, value });
    return rows;
  }
}
