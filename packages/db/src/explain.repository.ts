import { sql } from 'kysely';
import type { DbOrTransaction } from './database.ts';

/**
 * What "explain a cell" reads beyond the snapshot itself: the daily aggregate rows behind a
 * published figure, the events stored per day with their latest ingest time, the events that
 * arrived after a publication, and the instant a snapshot was published. Read only.
 */

/** One row of `daily_aggregates`: a metric and dimension on one London day. */
export interface AggregateDayRow {
  readonly day: string;
  readonly metric: string;
  readonly dim: string;
  readonly value: number;
}

/**
 * Non-zero daily aggregate rows of one force for some metrics, from `from` (null: all history) to
 * `to` inclusive, sorted by day, metric and dimension: the rows a period's sums are made of.
 */
export async function readAggregateDayRows(
  db: DbOrTransaction,
  query: { forceId: string; from: string | null; to: string; metrics: readonly string[] },
): Promise<AggregateDayRow[]> {
  if (query.metrics.length === 0) return [];
  const rows = await db
    .selectFrom('daily_aggregates')
    .select(['day', 'metric', 'dim', 'value'])
    .where('force_id', '=', query.forceId)
    .where('metric', 'in', [...query.metrics])
    .$call((q) => (query.from === null ? q : q.where('day', '>=', query.from)))
    .where('day', '<=', query.to)
    .where('value', '<>', 0)
    .orderBy('day')
    .orderBy('metric')
    .orderBy('dim')
    .execute();
  return rows.map((row) => ({ day: row.day, metric: row.metric, dim: row.dim, value: Number(row.value) }));
}

/** A London day as the instants it spans: `[start, end)`. Days are computed by the calendar, never in SQL. */
export interface DaySpan {
  readonly day: string;
  readonly start: Date;
  readonly end: Date;
}

export interface EventDay {
  readonly day: string;
  /** Events of the feed stored for the force that occurred on the day. */
  readonly events: number;
  /** When the latest of them was stored (`received_at`). */
  readonly latestReceivedAt: Date;
}

/**
 * Events stored per day (by `occurred_at`) for one force and feed, over the given days; days without events are left
 * out.
 */
export async function countEventsByDay(
  db: DbOrTransaction,
  query: { forceId: string; feed: string; days: readonly DaySpan[] },
): Promise<EventDay[]> {
  if (query.days.length === 0) return [];
  const result = await sql<{ day: string; events: number; latest: Date }>`
    select d.day::text as day, count(*)::bigint as events, max(e.received_at) as latest
    from unnest(${sql.val(query.days.map((d) => d.day))}::text[], ${sql.val(query.days.map((d) => d.start.toISOString()))}::timestamptz[],
                ${sql.val(query.days.map((d) => d.end.toISOString()))}::timestamptz[]) as d(day, start_at, end_at)
    join events e on e.force_id = ${query.forceId} and e.feed = ${query.feed} and e.occurred_at >= d.start_at and e.occurred_at < d.end_at
    group by d.day
    order by d.day`.execute(db);
  return result.rows.map((row) => ({ day: row.day, events: Number(row.events), latestReceivedAt: row.latest }));
}

/** An event named by id and type only: nothing of its body (person references stay in storage). */
export interface ArrivedEvent {
  readonly eventId: string;
  readonly type: string;
}

/**
 * Events of one force and feed that occurred in `[occurredFrom, occurredTo)` (from null: any time
 * before) and were stored after `receivedAfter` (and no later than `receivedUntil` when given):
 * how many, and the first `limit` of them by (received_at, event_id).
 */
export async function readEventsReceivedAfter(
  db: DbOrTransaction,
  query: {
    forceId: string;
    feed: string;
    occurredFrom: Date | null;
    occurredTo: Date;
    receivedAfter: Date;
    receivedUntil: Date | null;
    limit: number;
  },
): Promise<{ total: number; events: ArrivedEvent[] }> {
  const base = db
    .selectFrom('events')
    .where('force_id', '=', query.forceId)
    .where('feed', '=', query.feed)
    .$call((q) => (query.occurredFrom === null ? q : q.where('occurred_at', '>=', query.occurredFrom)))
    .where('occurred_at', '<', query.occurredTo)
    .where(sql<boolean>`received_at > ${query.receivedAfter}`)
    .$call((q) => (query.receivedUntil === null ? q : q.where(sql<boolean>`received_at <= ${query.receivedUntil}`)));
  const counted = await base.select((eb) => eb.fn.countAll<string>().as('total')).executeTakeFirstOrThrow();
  const rows = await base
    .select(['event_id', 'type'])
    .orderBy('received_at')
    .orderBy('event_id')
    .limit(query.limit)
    .execute();
  return { total: Number(counted.total), events: rows.map((row) => ({ eventId: row.event_id, type: row.type })) };
}

/**
 * When a snapshot was published, on the database's clock (the clock of `events.received_at`):
 * the start of its publishing transaction, which recorded its outbox row with `now()`; its
 * `generated_at` (the publisher's clock) when no outbox row is kept. Undefined for an unknown id.
 */
export async function readSnapshotPublishedAt(db: DbOrTransaction, snapshotId: string): Promise<Date | undefined> {
  const row = await db
    .selectFrom('snapshots as s')
    .leftJoin('snapshot_outbox as o', 'o.snapshot_id', 's.snapshot_id')
    .select(['s.generated_at', 'o.enqueued_at'])
    .where('s.snapshot_id', '=', snapshotId)
    .executeTakeFirst();
  return row && (row.enqueued_at ?? row.generated_at);
}
