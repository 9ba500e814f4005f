import { sql } from 'kysely';
import type { DbOrTransaction } from './database.ts';

export interface CallsWaitingRow {
  readonly forceId: string;
  /** `999` or `101`, as presented. */
  readonly channel: string;
  /** The queue presented to, or `secondary` once transferred before the instant. */
  readonly queue: string;
  readonly waiting: number;
  /** The longest wait among them at the instant, in milliseconds. */
  readonly longestMs: number;
}

/** Hours after which a call still open is treated as lost data (its closing event never came). */
export const CALL_WAITING_MAX_HOURS = 24;

/**
 * Calls waiting at an instant, per force, channel and queue, with the longest wait, for the given
 * forces only: calls presented in the 24 hours before it and not answered or abandoned by then. A
 * call still open after more than 24 hours is treated as lost data (its closing event never came)
 * and not counted as waiting. Reads one day of each force's calls through the
 * (force_id, kind, started_at) index, whatever the history and however many other forces there are.
 * Snapshots read it at the end of the as-of day; the live dashboard at the moment of the request.
 */
export async function readCallsWaiting(
  db: DbOrTransaction,
  forceIds: readonly string[],
  instant: Date,
): Promise<CallsWaitingRow[]> {
  if (forceIds.length === 0) return [];
  const result = await sql<{ force_id: string; channel: string; queue: string; waiting: string; longest_ms: string }>`
    select e.force_id, p.payload ->> 'channel' as channel,
           case when exists (select 1 from json_array_elements(e.facts) f
                             where f ->> 'type' = 'call.transferred' and (f ->> 'at')::bigint <= ${instant.getTime()})
                then 'secondary' else p.payload ->> 'queue' end as queue,
           count(*)::bigint as waiting,
           max(${instant.getTime()} - extract(epoch from e.started_at) * 1000)::bigint as longest_ms
    from entities e
    cross join lateral (
      select f -> 'p' as payload from json_array_elements(e.facts) f
      where f ->> 'type' = 'call.presented' order by (f ->> 'at')::bigint, f ->> 'id' limit 1
    ) p
    where e.force_id = any(${sql.val([...forceIds])}::text[]) and e.kind = 'call'
      and e.started_at > ${new Date(instant.getTime() - CALL_WAITING_MAX_HOURS * 3_600_000)} and e.started_at < ${instant}
      and (e.ended_at is null or e.ended_at >= ${instant})
    group by 1, 2, 3
    order by 1, 2, 3`.execute(db);
  return result.rows.map((row) => ({
    forceId: row.force_id,
    channel: row.channel,
    queue: row.queue,
    waiting: Number(row.waiting),
    longestMs: Number(row.longest_ms),
  }));
}
