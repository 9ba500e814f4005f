import { sql } from 'kysely';
import type { DbOrTransaction } from './database.ts';
import { jsonRecordset } from './json-recordset.ts';

export interface AccountingDelta {
  readonly feed: string;
  /** The event's force, or '' when it could not be read from a rejected input. */
  readonly forceId: string;
  readonly stored: number;
  readonly duplicate: number;
  readonly rejected: number;
}

/** Adds outcome counts per feed and force; written in the same transaction as the outcomes. */
export async function addToAccounting(db: DbOrTransaction, rows: readonly AccountingDelta[]): Promise<void> {
  if (rows.length === 0) return;
  await sql`
    insert into event_accounting (feed, force_id, stored, duplicate, rejected)
    select * from ${jsonRecordset(rows, [
      ['feed', 'text', (r) => r.feed],
      ['force_id', 'text', (r) => r.forceId],
      ['stored', 'bigint', (r) => r.stored],
      ['duplicate', 'bigint', (r) => r.duplicate],
      ['rejected', 'bigint', (r) => r.rejected],
    ])}
    on conflict (feed, force_id) do update set
      stored = event_accounting.stored + excluded.stored,
      duplicate = event_accounting.duplicate + excluded.duplicate,
      rejected = event_accounting.rejected + excluded.rejected,
      updated_at = now()`.execute(db);
}

export interface AccountingRow extends AccountingDelta {
  readonly offered: number;
}

/** Outcome counts per feed and force; `offered` is by definition their sum. */
export async function readAccounting(db: DbOrTransaction): Promise<AccountingRow[]> {
  const rows = await db
    .selectFrom('event_accounting')
    .select(['feed', 'force_id', 'stored', 'duplicate', 'rejected'])
    .orderBy('feed')
    .orderBy('force_id')
    .execute();
  return rows.map((row) => ({
    feed: row.feed,
    forceId: row.force_id,
    stored: row.stored,
    duplicate: row.duplicate,
    rejected: row.rejected,
    offered: row.stored + row.duplicate + row.rejected,
  }));
}

export interface AccountingCheck {
  readonly feed: string;
  readonly forceId: string;
  readonly accountedStored: number;
  readonly eventsInTable: number;
  readonly accountedRejected: number;
  readonly rejectedInTable: number;
}

/**
 * Cross-checks the counters against the tables they count: stored against rows in `events` (with
 * the counts of event months retention dropped, `retired_event_counts`),
 * rejected against rows in `rejected_events`. Any difference means an outcome went unrecorded.
 */
export async function checkAccounting(db: DbOrTransaction): Promise<AccountingCheck[]> {
  const result = await sql<{
    feed: string;
    force_id: string;
    accounted_stored: number;
    events_in_table: number;
    accounted_rejected: number;
    rejected_in_table: number;
  }>`
    with stored as (
           select feed, force_id, sum(n)::bigint n from (
             select feed, force_id, count(*) n from events group by 1, 2
             union all select feed, force_id, events from retired_event_counts
           ) kept_and_retired group by 1, 2),
         rejected as (select feed, coalesce(force_id, '') force_id, count(*)::bigint n from rejected_events group by 1, 2),
         keys as (select feed, force_id from event_accounting union select feed, force_id from stored union select feed, force_id from rejected)
    select k.feed, k.force_id,
           coalesce(a.stored, 0)::bigint accounted_stored, coalesce(s.n, 0)::bigint events_in_table,
           coalesce(a.rejected, 0)::bigint accounted_rejected, coalesce(r.n, 0)::bigint rejected_in_table
    from keys k
    left join event_accounting a on a.feed = k.feed and a.force_id = k.force_id
    left join stored s on s.feed = k.feed and s.force_id = k.force_id
    left join rejected r on r.feed = k.feed and r.force_id = k.force_id
    order by 1, 2`.execute(db);
  return result.rows.map((row) => ({
    feed: row.feed,
    forceId: row.force_id,
    accountedStored: row.accounted_stored,
    eventsInTable: row.events_in_table,
    accountedRejected: row.accounted_rejected,
    rejectedInTable: row.rejected_in_table,
  }));
}

export interface FeedEventTotals {
  readonly feed: string;
  readonly stored: number;
  readonly duplicate: number;
  readonly rejected: number;
}

/** Offered events per feed and outcome over all forces and days: what the Prometheus counter exposes. */
export async function readEventTotalsByFeed(db: DbOrTransaction): Promise<FeedEventTotals[]> {
  const rows = await db
    .selectFrom('event_accounting')
    .select((eb) => [
      'feed',
      eb.fn.sum<string>('stored').as('stored'),
      eb.fn.sum<string>('duplicate').as('duplicate'),
      eb.fn.sum<string>('rejected').as('rejected'),
    ])
    .groupBy('feed')
    .execute();
  // sum(bigint) is numeric, which pg returns as a string.
  return rows.map((row) => ({
    feed: row.feed,
    stored: Number(row.stored),
    duplicate: Number(row.duplicate),
    rejected: Number(row.rejected),
  }));
}
