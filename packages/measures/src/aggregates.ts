/** One summed aggregate: a metric and dimension over some days. */
export interface AggregateRow {
  readonly metric: string;
  readonly dim: string;
  readonly value: number;
}

/**
 * The daily aggregates of one force summed over one period: what a measure computes from.
 * Immutable; read by metric and dimension.
 */
export class Aggregates {
  /** Each metric's dimensions split into their parts, made on first use: measures filter the same bins many times. */
  private readonly splitDims = new Map<string, readonly (readonly [parts: readonly string[], value: number])[]>();

  private constructor(private readonly byMetric: ReadonlyMap<string, ReadonlyMap<string, number>>) {}

  static readonly EMPTY = new Aggregates(new Map());

  static fromRows(rows: Iterable<AggregateRow>): Aggregates {
    const byMetric = new Map<string, Map<string, number>>();
    for (const row of rows) {
      let dims = byMetric.get(row.metric);
      if (!dims) byMetric.set(row.metric, (dims = new Map()));
      dims.set(row.dim, (dims.get(row.dim) ?? 0) + row.value);
    }
    return new Aggregates(byMetric);
  }

  /** Sum over every dimension of `metric`. */
  total(metric: string): number {
    let sum = 0;
    for (const value of this.byMetric.get(metric)?.values() ?? []) sum += value;
    return sum;
  }

  /** Value of one dimension (0 when absent). */
  get(metric: string, dim: string): number {
    return this.byMetric.get(metric)?.get(dim) ?? 0;
  }

  /** Every dimension of `metric` with its value. */
  dims(metric: string): ReadonlyMap<string, number> {
    return this.byMetric.get(metric) ?? new Map();
  }

  /**
   * Sum over the dimensions of `metric` whose `|`-separated parts satisfy `where`, e.g. the 999
   * answer-time bins below 10 s, or the 101 abandonments on the secondary queue.
   */
  sumWhere(metric: string, where: (parts: readonly string[]) => boolean): number {
    let sum = 0;
    for (const [parts, value] of this.partsOf(metric)) if (where(parts)) sum += value;
    return sum;
  }

  /** Sum per value of part `index` of the dimension (e.g. per team of `team|days`). */
  groupBy(metric: string, index: number): Map<string, number> {
    const groups = new Map<string, number>();
    for (const [parts, value] of this.partsOf(metric)) {
      const key = parts[index] ?? '';
      groups.set(key, (groups.get(key) ?? 0) + value);
    }
    return groups;
  }

  private partsOf(metric: string): readonly (readonly [readonly string[], number])[] {
    let split = this.splitDims.get(metric);
    if (!split) {
      split = [...this.dims(metric)].map(([dim, value]) => [dim.split('|'), value] as const);
      this.splitDims.set(metric, split);
    }
    return split;
  }

  isEmpty(): boolean {
    return this.byMetric.size === 0;
  }
}
