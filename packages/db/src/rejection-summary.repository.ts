import { sql } from 'kysely';
import type { DbOrTransaction } from './database.ts';

export interface RejectionGroup {
  readonly feed: string;
  /** The kind of reason the group counts (see `summariseRejectionReasons`), not one full reason. */
  readonly reason: string;
  readonly events: number;
}

/** A double-quoted value as `JSON.stringify` writes one, escapes included. */
const QUOTED_VALUE = String.raw`"([^"\\]|\\.)*"`;

/**
 * Rejections per feed and kind of reason, most frequent first: what `rollcall status` shows. The
 * full reasons stay in `rejected_events`. A reason's kind is
 * - for a contract reason, `path: what is wrong` (`payload.btTransferSeconds: required ...`,
 *   `eventId: conflict, "e-1" ...`), the path before the first colon;
 * - for a data.police.uk row, `Column "value" what is wrong[; Column "value" ...]`, the first
 *   problem with its value masked: `Date "..." is not a date and time like 2019-01-31T14:05:00+00:00`.
 * Quoted values are masked before anything is cut, so a colon inside one (a time) or after one (in
 * the fixed text) cannot split a group, and one value does not make a group of its own.
 */
export async function summariseRejectionReasons(db: DbOrTransaction): Promise<RejectionGroup[]> {
  const result = await sql<RejectionGroup>`
    with masked as (
      select feed, regexp_replace(reason, ${QUOTED_VALUE}, '"..."', 'g') as reason from rejected_events
    ), keyed as (
      select feed, btrim(coalesce(substring(reason from '^[^:"]*"[^;]*'), split_part(reason, ':', 1))) as kind from masked
    )
    select feed, case when kind = '' then '(no reason)' else kind end as reason, count(*)::bigint as events
    from keyed
    group by feed, kind
    order by feed, events desc, kind collate "C"`.execute(db);
  return result.rows;
}
