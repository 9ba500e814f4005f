/** One aggregate row or delta: a value for (force, day, metric, dim); monthly rows carry the month's first day. */
export interface AggregateDelta {
  readonly forceId: string;
  /** London day, `YYYY-MM-DD`. */
  readonly day: string;
  readonly metric: string;
  readonly dim: string;
  readonly value: number;
}

/** What turns stored aggregate rows into wanted ones: rows to set, to add and to remove. */
export interface AggregateRowChanges {
  /** Stored rows whose value differs (with the wanted value). */
  readonly set: readonly AggregateDelta[];
  /** Wanted rows that are not stored. */
  readonly added: readonly AggregateDelta[];
  /** Stored rows with no wanted row (their `value` is the stored one). */
  readonly removed: readonly AggregateDelta[];
}

/** Aggregate rows in key order (force, day, metric, dim): the order concurrent writers lock them in. */
export const compareAggregateKeys = (a: AggregateDelta, b: AggregateDelta): number =>
  compareText(a.forceId, b.forceId) ||
  compareText(a.day, b.day) ||
  compareText(a.metric, b.metric) ||
  compareText(a.dim, b.dim);
const compareText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
