import { type AggregateDelta, compareAggregateKeys, type AggregateRowChanges } from './aggregate-keys.ts';

/** `AggregateSums.toTransferred`: sums as plain data, for `postMessage`. */
export interface TransferredSums {
  /** (metric, dim) of each column. */
  readonly keys: readonly { readonly metric: string; readonly dim: string }[];
  /** (force, day) of each day index. */
  readonly days: readonly { readonly forceId: string; readonly day: string }[];
  /** Per sum: its day index, its column and its value. */
  readonly dayOf: Int32Array;
  readonly columnOf: Int32Array;
  readonly values: Float64Array;
}

/** Slots a (force, day)'s table starts with; it doubles when half full. */
const INITIAL_SLOTS = 16;
const EMPTY = -1;
/** Contributions a new `AggregateSums` logs before its log grows (a worker's part logs a few thousand). */
const FIRST_LOG_CAPACITY = 1_024;
/** The most the log holds before its contributions are added: 2 MB of log. */
const LOG_CAPACITY = 131_072;

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
    /** Its place among its `AggregateSums`' days: how a logged contribution names it. */
    readonly index: number,
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
  /** Every (force, day)'s sums, by `DaySums.index`. */
  readonly #days: DaySums[] = [];
  #diffs = 0;
  #last: DaySums | undefined;

  // Contributions not yet added (`add`): day index, column and value, side by side.
  #logDays = new Int32Array(FIRST_LOG_CAPACITY);
  #logColumns = new Int32Array(FIRST_LOG_CAPACITY);
  #logValues = new Float64Array(FIRST_LOG_CAPACITY);
  #logged = 0;

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

  /**
   * Logs a contribution; it is added to its sum when the sums are next read, or when the log is
   * full (`#addLogged`). Adding each at once touched, for each, the tables of a day years away from
   * the last one's (replay meets entities in hash order): over the 4.9 million events of 36 months,
   * `add` was 3.0 s of a 24 s replay, waiting on memory. Added a day at a time, a day's table is
   * fetched once for all its contributions in the log.
   */
  add(forceId: string, day: string, metric: string, dim: string, value: number): void {
    this.#log(this.#sumsOf(forceId, day).index, this.#column(metric, dim), value);
  }

  #log(day: number, column: number, value: number): void {
    let at = this.#logged;
    if (at === this.#logDays.length) {
      if (at < LOG_CAPACITY) this.#growLog();
      else {
        this.#addLogged();
        at = 0;
      }
    }
    this.#logDays[at] = day;
    this.#logColumns[at] = column;
    this.#logValues[at] = value;
    this.#logged = at + 1;
  }

  /**
   * These sums as plain data, for a replay thread to post to the one that writes (its three
   * arrays can be transferred, not copied): `addTransferred` adds them to other sums. Each
   * (metric, dim) and (force, day) is named once, not per sum.
   */
  toTransferred(): TransferredSums {
    this.#addLogged();
    let n = 0;
    for (const sums of this.#days) for (const column of sums.columns) if (column !== EMPTY) n += 1;
    const dayOf = new Int32Array(n);
    const columnOf = new Int32Array(n);
    const values = new Float64Array(n);
    let at = 0;
    for (const sums of this.#days)
      for (let slot = 0; slot < sums.columns.length; slot++) {
        const column = sums.columns[slot] ?? EMPTY;
        const value = sums.values[slot] ?? 0;
        if (column === EMPTY || value === 0) continue;
        dayOf[at] = sums.index;
        columnOf[at] = column;
        values[at] = value;
        at += 1;
      }
    return {
      keys: [...this.#keys],
      days: this.#days.map(({ forceId, day }) => ({ forceId, day })),
      dayOf: dayOf.subarray(0, at),
      columnOf: columnOf.subarray(0, at),
      values: values.subarray(0, at),
    };
  }

  /** Adds sums another thread made (`toTransferred`): its columns and days are looked up once each. */
  addTransferred(other: TransferredSums): void {
    const columns = other.keys.map(({ metric, dim }) => this.#lookUpColumn(metric, dim));
    const days = other.days.map(({ forceId, day }) => this.#sumsOf(forceId, day).index);
    for (let i = 0; i < other.values.length; i++) {
      const day = days[other.dayOf[i] ?? -1];
      const column = columns[other.columnOf[i] ?? -1];
      if (day === undefined || column === undefined)
        throw new Error(`aggregate sums: transferred sum ${i} names no day or column`);
      this.#log(day, column, other.values[i] ?? 0);
    }
  }

  #growLog(): void {
    const size = this.#logDays.length * 2;
    const days = new Int32Array(size);
    const columns = new Int32Array(size);
    const values = new Float64Array(size);
    days.set(this.#logDays);
    columns.set(this.#logColumns);
    values.set(this.#logValues);
    this.#logDays = days;
    this.#logColumns = columns;
    this.#logValues = values;
  }

  /**
   * Adds the logged contributions to their sums, a day at a time: a counting sort by day (two
   * sequential passes over the log), then each day's in a row. The values are whole numbers
   * (counts and sums of whole units, stored as bigint), so the order of addition changes no sum.
   */
  #addLogged(): void {
    const logged = this.#logged;
    if (logged === 0) return;
    this.#logged = 0;
    const logDays = this.#logDays;
    const days = this.#days;
    // ends[d + 1] counts day d's contributions, then (summed) ends[d] is where day d's begin.
    const ends = new Int32Array(days.length + 1);
    for (let i = 0; i < logged; i++) {
      const next = (logDays[i] ?? 0) + 1;
      ends[next] = (ends[next] ?? 0) + 1;
    }
    for (let d = 1; d <= days.length; d++) ends[d] = (ends[d] ?? 0) + (ends[d - 1] ?? 0);
    const columns = new Int32Array(logged);
    const values = new Float64Array(logged);
    for (let i = 0; i < logged; i++) {
      const day = logDays[i] ?? 0;
      const to = ends[day] ?? 0;
      ends[day] = to + 1;
      columns[to] = this.#logColumns[i] ?? EMPTY;
      values[to] = this.#logValues[i] ?? 0;
    }
    // Each ends[d] has moved on to where day d + 1 begins.
    let from = 0;
    for (let d = 0; d < days.length; d++) {
      const to = ends[d] ?? 0;
      if (to === from) continue;
      const sums = days[d];
      if (sums === undefined) throw new Error(`aggregate sums: no day ${d}`);
      for (let i = from; i < to; i++) sums.add(columns[i] ?? EMPTY, values[i] ?? 0);
      from = to;
    }
  }

  #sumsOf(forceId: string, day: string): DaySums {
    let sums = this.#last;
    if (sums === undefined || sums.day !== day || sums.forceId !== forceId) {
      let byDay = this.#byForce.get(forceId);
      if (byDay === undefined) this.#byForce.set(forceId, (byDay = new Map()));
      sums = byDay.get(day);
      if (sums === undefined) {
        sums = new DaySums(forceId, day, this.#days.length);
        byDay.set(day, sums);
        this.#days.push(sums);
      }
      this.#last = sums;
    }
    return sums;
  }

  /**
   * Empty sums sharing these sums' (metric, dim) columns: the stored rows, summed so that
   * `changesFrom` compares them with these table by table, with no (metric, dim) looked up per row.
   */
  sharingColumns(): AggregateSums {
    const sums = new AggregateSums();
    sums.#columns = this.#columns;
    sums.#keys = this.#keys;
    return sums;
  }

  /**
   * These sums added up by period, `periodOf(day)` naming each day's (a month's first day, say):
   * replay's monthly sums of its daily ones. The new sums share these columns, so no (metric,
   * dim) is looked up again (764,000 daily rows: 26-54 ms, against 116-128 through `add`).
   * With `into` (sums sharing these columns), added to those instead; with `only`, only the days it accepts.
   */
  rollUp(
    periodOf: (day: string) => string,
    options: { readonly into?: AggregateSums; readonly only?: (day: string) => boolean } = {},
  ): AggregateSums {
    this.#addLogged();
    const rolled = options.into ?? this.sharingColumns();
    this.#assertSharesColumns(rolled);
    rolled.#addLogged();
    for (const [forceId, byDay] of this.#byForce)
      for (const sums of byDay.values()) {
        if (options.only !== undefined && !options.only(sums.day)) continue;
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

  #assertSharesColumns(other: AggregateSums): void {
    if (other.#keys !== this.#keys)
      throw new Error('aggregate sums: the other sums do not share these columns (`sharingColumns`)');
  }

  /** Calls `each` with every sum that is not 0, in no particular order. */
  forEach(each: (forceId: string, day: string, metric: string, dim: string, value: number) => void): void {
    this.#addLogged();
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
   * What turns the `stored` sums (sharing these columns: `sharingColumns`) into these sums, over
   * the stored days `only` accepts (all by default): stored rows to set (a value that differs),
   * rows to add (not stored) and stored rows to remove (no sum, or a sum of 0), each in key order,
   * the order concurrent writers lock rows in.
   *
   * Why sums, not rows (issue 19): the stored rows read as objects, 800,000 of them over the full
   * benchmark, were held until the fold ended and then looked up one by one, (metric, dim) and
   * day each: 1.1 s of a 21 s replay, most of it a major garbage collection of those objects.
   * Summed as they arrive, they are compared a day's table at a time.
   */
  changesFrom(stored: AggregateSums, only?: (day: string) => boolean): AggregateRowChanges {
    this.#addLogged();
    stored.#addLogged();
    this.#assertSharesColumns(stored);
    const mark = ++this.#diffs;
    const set: AggregateDelta[] = [];
    const added: AggregateDelta[] = [];
    const removed: AggregateDelta[] = [];
    for (const [forceId, byDay] of stored.#byForce) {
      const mine = this.#byForce.get(forceId);
      for (const storedSums of byDay.values()) {
        const { day } = storedSums;
        if (only !== undefined && !only(day)) continue;
        const sums = mine?.get(day);
        const { columns, values } = storedSums;
        for (let slot = 0; slot < columns.length; slot++) {
          const column = columns[slot] ?? EMPTY;
          const storedValue = values[slot] ?? 0;
          if (column === EMPTY || storedValue === 0) continue;
          const at = sums === undefined ? -1 : sums.slotOf(column);
          const value = sums === undefined || sums.columns[at] === EMPTY ? 0 : (sums.values[at] ?? 0);
          if (sums === undefined || value === 0) {
            removed.push({ forceId, day, ...this.#keyOf(column), value: storedValue });
            continue;
          }
          sums.marks[at] = mark;
          // The (metric, dim) only for a row that differs: most are equal.
          if (value !== storedValue) set.push({ forceId, day, ...this.#keyOf(column), value });
        }
      }
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
