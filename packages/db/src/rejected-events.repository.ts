import { sql } from 'kysely';
import type { DbOrTransaction } from './database.ts';
import { jsonRecordset } from './json-recordset.ts';

export interface NewRejectedEvent {
  readonly feed: string;
  readonly forceId: string | null;
  readonly eventId: string | null;
  readonly eventType: string | null;
  /** What is wrong, where and why, e.g. `payload.btTransferSeconds: required for 999 calls`. */
  readonly reason: string;
  /** Where it came from: `queue feed.dvpo job 42` or `file calls.ndjson line 17`. */
  readonly source: string;
  /** The input as offered with person references hashed, as text (it may not be JSON). */
  readonly payload: string;
}

export async function insertRejectedEvents(db: DbOrTransaction, rows: readonly NewRejectedEvent[]): Promise<void> {
  if (rows.length === 0) return;
  await sql`
    insert into rejected_events (feed, force_id, event_id, event_type, reason, source, payload)
    select * from ${jsonRecordset(rows, [
      ['feed', 'text', (r) => r.feed],
      ['force_id', 'text', (r) => r.forceId],
      ['event_id', 'text', (r) => r.eventId],
      ['event_type', 'text', (r) => r.eventType],
      ['reason', 'text', (r) => r.reason],
      ['source', 'text', (r) => r.source],
      ['payload', 'text', (r) => r.payload],
    ])}`.execute(db);
}

export async function listRejectedEvents(db: DbOrTransaction, query: { feed?: string; limit?: number } = {}) {
  return db
    .selectFrom('rejected_events')
    .selectAll()
    .$call((q) => (query.feed === undefined ? q : q.where('feed', '=', query.feed)))
    .orderBy('id', 'desc')
    .limit(query.limit ?? 100)
    .execute();
}
