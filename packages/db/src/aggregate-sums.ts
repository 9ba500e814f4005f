import { type AggregateDelta, compareAggregateKeys, type AggregateRowChanges } from './aggregate-keys.ts';

/** Slots a (force, day)'s table starts with; it doubles when half full. */
const INITIAL_SLOTS = 16;
const EMPTY = -1;

/**
 * One (force, day)'s sums: an open-addressing hash table from column (a (metric, dim) pair, see
 * `AggregateSums`) to its running sum, in three typed arrays side by side. `marks` holds, per
 * slot, the diff that last met it (`changesFrom`).
 */
class DaySums {
  columns: Int32Array;
  values: Float64Array;
  marks: Uint32Array;
  #used = 0;
  /** 32 - log2(slots): Fibonacci hashing takes a column's slot from the product's high bits. */
  #shift = 32 - Math.log2(INITIAL_SLOTS);

  constructor(
    readonly forceId: string,
    readonly day: string,
  ) {
    this.columns = new Int32Array(INITIAL_SLOTS).fill(EMPTY);
    this.values = new Float64Array(INITIAL_SLOTS);
    this.marks = new Uint32Array(INITIAL_SLOTS);
  }

  /** The slot holding `column`, or the empty slot where it would go (linear probing). */
  slotOf(column: number): number {
    const mask = this.columns.length - 1;
    let slot = Math.imul(column, 0x9e3779b1) >>> this.#shift;
    for (;;) {
      const held = this.columns[slot];
      if (held === column || held === EMPTY) return slot;
      slot = (slot + 1) & mask;
    }
  }

  add(column: number, value: number): void {
    let slot = this.slotOf(column);
    if (this.columns[slot] === EMPTY) {
      if (2 * (this.#used + 1) > this.columns.length) {
        this.#grow();
        slot = this.slotOf(column);
      }
      this.columns[slot] = column;
      this.#used += 1;
    }
    this.values[slot] = (this.values[slot] ?? 0) + value;
  }

  #grow(): void {
    const { columns, values, marks } = this;
    const size = columns.length * 2;
    this.#shift -= 1;
    this.columns = new Int32Array(size).fill(EMPTY);
    this.values = new Float64Array(size);
    this.marks = new Uint32Array(size);
    for (let old = 0; old < columns.length; old++) {
      const column = columns[old] ?? EMPTY;
      if (column === EMPTY) continue;
      const slot = this.slotOf(column);
      this.columns[slot] = column;
      this.values[slot] = values[old] ?? 0;
      this.marks[slot] = marks[old] ?? 0;
    }
  }
}

/**
 * Sums of contributions per (force, day, metric, dim): replay adds millions of them, and each
 * part a worker stores adds its entities' deltas. A sum of 0 is no sum: it is not listed, and a
 * stored row it meets is removed.
 *
 * Why this shape (issue 19). A (metric, dim) pair is a column number, from two small maps every
 * day shares, and a (force, day) holds its sums in typed arrays keyed by column. Replay meets its
 * entities in hash order, so consecutive contributions fall on days years apart: with a map per
 * day and metric and an object per sum, each addition chased four or five pointers to memory no
 * cache held (over 5.4 million events, 2.2 µs per event in `add`). Now it is one map lookup for the
 * day (the last one kept at hand: an entity's contributions mostly share it) and one probe of a
 * small contiguous table, and the sums hold no objects for the garbage collector to trace.
 * Before that, one map keyed by the four joined made a new string per contribution.
 */
export class AggregateSums {
  /** metric → dim → column: a few thousand pairs at most (histogram dims), shared by every day. */
  #columns = new Map<string, Map<string, number>>();
  /** column → its (metric, dim). */
  #keys: { readonly metric: string; readonly dim: string }[] = [];
  readonly #byForce = new Map<string, Map<string, DaySums>>();
  #diffs = 0;
  #last: DaySums | undefined;

  // The last pair asked for: a stock metric adds the same (metric, dim) to each day an entity is open.
  #lastMetric = '';
  #lastDim = '';
  #lastColumn = -1;

  #column(metric: string, dim: string): number {
    if (metric === this.#lastMetric && dim === this.#lastDim && this.#lastColumn >= 0) return this.#lastColumn;
    this.#lastMetric = metric;
    this.#lastDim = dim;
    this.#lastColumn = this.#lookUpColumn(metric, dim);
    return this.#lastColumn;
  }

  #lookUpColumn(metric: string, dim: string): number {
    let byDim = this.#columns.get(metric);
    if (byDim === undefined) this.#columns.set(metric, (byDim = new Map()));
    let column = byDim.get(dim);
    if (column === undefined) {
      column = this.#keys.length;
      byDim.set(dim, column);
      this.#keys.push({ metric, dim });
    }
    return column;
  }

  #keyOf(column: number): { readonly metric: string; readonly dim: string } {
    const key = this.#keys[column];
    if (key === undefined) throw new Error(`aggregate sums: no column ${column}`);
    return key;
  }

  add(forceId: string, day: string, metric: string, dim: string, value: number): void {
    this.#sumsOf(forceId, day).add(this.#column(metric, dim), value);
  }

  #sumsOf(forceId: string, day: string): DaySums {
    let sums = this.#last;
    if (sums === undefined || sums.day !== day || sums.forceId !== forceId) {
      let byDay = this.#byForce.get(forceId);
      if (byDay === undefined) this.#byForce.set(forceId, (byDay = new Map()));
      sums = byDay.get(day);
      if (sums === undefined) byDay.set(day, (sums = new DaySums(forceId, day)));
      this.#last = sums;
    }
    return sums;
  }

  /**
   * These sums added up by period, `periodOf(day)` naming each day's (a month's first day, say):
   * replay's monthly sums of its daily ones. The new sums share these columns, so no (metric,
   * dim) is looked up again (764,000 daily rows: 26-54 ms, against 116-128 through `add`).
   */
  rollUp(periodOf: (day: string) => string): AggregateSums {
    const rolled = new AggregateSums();
    rolled.#columns = this.#columns;
    rolled.#keys = this.#keys;
    for (const [forceId, byDay] of this.#byForce)
      for (const sums of byDay.values()) {
        const into = rolled.#sumsOf(forceId, periodOf(sums.day));
        const { columns, values } = sums;
        for (let slot = 0; slot < columns.length; slot++) {
          const column = columns[slot] ?? EMPTY;
          const value = values[slot] ?? 0;
          if (column !== EMPTY && value !== 0) into.add(column, value);
        }
      }
    return rolled;
  }

  /** Calls `each` with every sum that is not 0, in no particular order. */
  forEach(each: (forceId: string, day: string, metric: string, dim: string, value: number) => void): void {
    for (const byDay of this.#byForce.values())
      for (const sums of byDay.values()) {
        const { columns, values } = sums;
        for (let slot = 0; slot < columns.length; slot++) {
          const column = columns[slot] ?? EMPTY;
          const value = values[slot] ?? 0;
          if (column === EMPTY || value === 0) continue;
          const { metric, dim } = this.#keyOf(column);
          each(sums.forceId, sums.day, metric, dim, value);
        }
      }
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
   * What turns the `stored` rows (keys unique) into these sums: stored rows to set (a value that
   * differs), rows to add (not stored) and stored rows to remove (no sum, or a sum of 0), each in
   * key order, the order concurrent writers lock rows in. Each stored row is looked up in these
   * tables, which exist already (issue 19: building a map of the stored rows instead cost replay
   * 2 µs a row).
   */
  changesFrom(stored: readonly AggregateDelta[]): AggregateRowChanges {
    const mark = ++this.#diffs;
    const set: AggregateDelta[] = [];
    const added: AggregateDelta[] = [];
    const removed: AggregateDelta[] = [];
    for (const row of stored) {
      const sums = this.#byForce.get(row.forceId)?.get(row.day);
      const column = this.#columns.get(row.metric)?.get(row.dim);
      const slot = sums === undefined || column === undefined ? -1 : sums.slotOf(column);
      if (sums === undefined || slot < 0 || sums.columns[slot] === EMPTY || sums.values[slot] === 0) {
        removed.push(row);
        continue;
      }
      sums.marks[slot] = mark;
      const value = sums.values[slot] ?? 0;
      if (value !== row.value) set.push({ ...row, value });
    }
    for (const byDay of this.#byForce.values())
      for (const sums of byDay.values()) {
        const { columns, values, marks } = sums;
        for (let slot = 0; slot < columns.length; slot++) {
          const column = columns[slot] ?? EMPTY;
          const value = values[slot] ?? 0;
          if (column === EMPTY || value === 0 || marks[slot] === mark) continue;
          const { metric, dim } = this.#keyOf(column);
          added.push({ forceId: sums.forceId, day: sums.day, metric, dim, value });
        }
      }
    return {
      set: set.sort(compareAggregateKeys),
      added: added.sort(compareAggregateKeys),
      removed: removed.sort(compareAggregateKeys),
    };
  }
}
