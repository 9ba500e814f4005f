import { sql } from 'kysely';
import type { DbOrTransaction } from './database.ts';
import { jsonRecordset } from './json-recordset.ts';

export interface StaleMark {
  readonly forceId: string;
  /** The earliest London day whose aggregates these events changed. */
  readonly fromDay: string;
  readonly lateEvents: number;
  readonly correctedEvents: number;
}

/**
 * Marks published snapshots whose inputs changed: every head of the force with `as_of` on or
 * after the earliest changed day (as-at stocks sum all history, so any later date can move). Runs
 * in the ingest transaction, so a committed late event is never without its mark. The heads are
 * locked in (force, date) order first: concurrent ingest transactions of one force mark the same
 * heads, and an update in plan order could take them in different orders and deadlock.
 */
export async function markSnapshotHeadsStale(db: DbOrTransaction, marks: readonly StaleMark[]): Promise<number> {
  if (marks.length === 0) return 0;
  const result = await sql`
    with marked as (
      select h2.force_id, h2.as_of, sum(t.late)::bigint as late, sum(t.corrected)::bigint as corrected
      from snapshot_heads h2
      join ${jsonRecordset(marks, [
        ['force_id', 'text', (m) => m.forceId],
        ['from_day', 'date', (m) => m.fromDay],
        ['late', 'bigint', (m) => m.lateEvents],
        ['corrected', 'bigint', (m) => m.correctedEvents],
      ])}
        on t.force_id = h2.force_id and h2.as_of >= t.from_day
      group by 1, 2
    ), locked as materialized (
      select h3.force_id, h3.as_of from snapshot_heads h3
      join marked m on m.force_id = h3.force_id and m.as_of = h3.as_of
      order by h3.force_id, h3.as_of
      for update of h3
    )
    update snapshot_heads h set
      stale_since = coalesce(h.stale_since, now()),
      stale_late_events = h.stale_late_events + s.late,
      stale_corrected_events = h.stale_corrected_events + s.corrected
    from marked s join locked l on l.force_id = s.force_id and l.as_of = s.as_of
    where h.force_id = s.force_id and h.as_of = s.as_of`.execute(db);
  return Number(result.numAffectedRows ?? 0);
}
