import { sql, type Transaction } from 'kysely';
import type { Database, DbOrTransaction } from './database.ts';
import { jsonRecordset, type RecordsetColumn } from './json-recordset.ts';
import { copyField, copyIntoTable, copyIntoTableDirectly, copyJsonText } from './copy-in.ts';

export interface NewEvent {
  readonly feed: string;
  readonly eventId: string;
  readonly type: string;
  readonly forceId: string;
  /** ISO 8601 instant. */
  readonly occurredAt: string;
  readonly entityKind: string;
  readonly entityId: string;
  readonly contentHash: string;
  /** The event as stored (person references hashed): its payload and the rest, its envelope, apart. */
  readonly body: { readonly payload?: unknown; readonly [field: string]: unknown };
  /**
   * `body.payload` as JSON text written already (the content hash's canonical JSON of it): stored
   * as the `payload` column's text instead of writing the payload again. Undefined: written here.
   */
  readonly payloadJson?: string | undefined;
}

/**
 * The event as `events.envelope` holds it: without its payload (a column of its own, which replay
 * reads alone) and without the four fields every event has that are columns already (a field
 * that differed from its column would be kept, so that `storedEventOf` gives the event back).
 */
export function envelopeOf(
  event: Pick<NewEvent, 'eventId' | 'feed' | 'type' | 'forceId' | 'body'>,
): Record<string, unknown> {
  const { payload: _payload, eventId, feed, type, forceId, ...rest } = event.body;
  const envelope: Record<string, unknown> = rest;
  if (eventId !== event.eventId) envelope.eventId = eventId;
  if (feed !== event.feed) envelope.feed = feed;
  if (type !== event.type) envelope.type = type;
  if (forceId !== event.forceId) envelope.forceId = forceId;
  return envelope;
}

/** A stored event whole again, from its columns, envelope and payload (`envelopeOf` undone). */
export const storedEventOf = (row: {
  readonly event_id: string;
  readonly feed: string;
  readonly type: string;
  readonly force_id: string;
  readonly envelope: Record<string, unknown>;
  readonly payload: Record<string, unknown> | null;
}): Record<string, unknown> => ({
  eventId: row.event_id,
  feed: row.feed,
  type: row.type,
  forceId: row.force_id,
  ...row.envelope,
  ...(row.payload !== null && { payload: row.payload }),
});

/**
 * Inserts events whose (feed, eventId) is new and returns the ids it inserted. The others already
 * exist: the caller tells duplicates from conflicts by hash. Outside a transaction it makes one,
 * so that an event is never claimed without being stored.
 *
 * `events` is partitioned by month (migration 16), so its primary key holds `occurred_at` and
 * cannot refuse an eventId stored before with another instant. Identity is claimed first in
 * `event_ids` (feed, event_id), whose primary key makes each event stored once; only the events
 * whose claim succeeded are then written to `events`, by `COPY` (issue 19): their text (some 370
 * characters each, most of it envelope and payload) is not lexed as one JSON document twice, by
 * the parameter's cast and by `json_to_recordset`, before each `json` column is checked again.
 *
 * The claim is optimistic (issue 19): nearly every event offered is new, so the ids are first
 * copied into `event_ids` whole, under a savepoint. Its primary key refuses the copy at the first
 * id stored before (or stored meanwhile by a transaction that commits first: the copy waits for
 * it); then the savepoint is rolled back and `claimNewIds` claims the new ones by a statement that
 * skips the stored ids. Measured on 1,000-event batches over the full bench's 5.4M ids: PostgreSQL
 * 9.3-12.0 → 5.5-6.5 CPU-µs per id, this process about 1 less (docs/quality.md).
 */
export async function insertNewEvents(db: DbOrTransaction, events: readonly NewEvent[]): Promise<Set<string>> {
  if (events.length === 0) return new Set();
  if (!db.isTransaction) return db.transaction().execute((trx) => insertNewEvents(trx, events));
  const trx = db as Transaction<Database>;
  const inserted = (await claimAllIds(trx, events))
    ? new Set(events.map((e) => eventKey(e.feed, e.eventId)))
    : await claimNewIds(trx, events);
  if (inserted.size === 0) return inserted;
  const rows =
    inserted.size === events.length ? events : events.filter((e) => inserted.has(eventKey(e.feed, e.eventId)));
  await copyIntoTable(trx, 'events', EVENT_COLUMNS, rows, eventsAsCopyText);
  return inserted;
}

const EVENT_ID_COLUMNS: readonly RecordsetColumn<NewEvent>[] = [
  ['feed', 'text', (e) => e.feed],
  ['event_id', 'text', (e) => e.eventId],
  ['occurred_at', 'timestamptz', (e) => e.occurredAt],
  ['content_hash', 'text', (e) => e.contentHash],
];

/**
 * Claims every id by `COPY` into `event_ids`, or none: false when one of them is stored already
 * (the savepoint rolled back, the transaction usable) or when COPY cannot be used on this
 * connection. Any other failure fails the transaction, as the statement's would.
 */
async function claimAllIds(trx: Transaction<Database>, events: readonly NewEvent[]): Promise<boolean> {
  await sql`savepoint claim_all_ids`.execute(trx);
  try {
    const copied = await copyIntoTableDirectly(trx, 'event_ids', EVENT_ID_COLUMNS, events, eventIdsAsCopyText);
    await sql`release savepoint claim_all_ids`.execute(trx);
    return copied;
  } catch (error) {
    if (!isEventIdTaken(error)) throw error;
    await sql`rollback to savepoint claim_all_ids`.execute(trx);
    return false;
  }
}

/**
 * PostgreSQL refused an event id because `event_ids` holds it already: a stored id met by the
 * optimistic claim, or another transaction's new event committed first (`isEventIdRace` in the store).
 */
export const isEventIdTaken = (error: unknown): boolean =>
  (error as { code?: unknown }).code === '23505' && (error as { constraint?: unknown }).constraint === 'event_ids_pkey';

/**
 * Claims the ids not stored yet, skipping the others with `not exists`, not `on conflict do
 * nothing` (issue 19): a speculative insertion costs every row an extra index probe and WAL
 * record, for the rare case of two transactions storing the same new event at once. That case now
 * fails with a unique violation on `event_ids_pkey` once the first commits, and the transaction
 * runs again, finding the event stored (`isEventIdRace` in the store).
 */
async function claimNewIds(trx: Transaction<Database>, events: readonly NewEvent[]): Promise<Set<string>> {
  const claimed = await sql<{ feed: string; event_id: string }>`
    insert into event_ids (feed, event_id, occurred_at, content_hash)
    select t.feed, t.event_id, t.occurred_at, t.content_hash from ${jsonRecordset(events, EVENT_ID_COLUMNS)}
    where not exists (select from event_ids i where i.feed = t.feed and i.event_id = t.event_id)
    returning feed, event_id`.execute(trx);
  return new Set(claimed.rows.map((row) => eventKey(row.feed, row.event_id)));
}

/** The ids as COPY text, fields as `EVENT_ID_COLUMNS` lists them (written out, as `eventsAsCopyText`). */
function eventIdsAsCopyText(events: readonly NewEvent[]): string[] {
  let text = '';
  for (const e of events)
    text += `${copyField(e.feed)}\t${copyField(e.eventId)}\t${copyField(e.occurredAt)}\t${copyField(e.contentHash)}\n`;
  return [text];
}

/** The columns `insertNewEvents` writes to `events`, in the order of `eventsAsCopyText`'s fields. */
const EVENT_COLUMNS: readonly RecordsetColumn<NewEvent>[] = [
  ['feed', 'text', (e) => e.feed],
  ['event_id', 'text', (e) => e.eventId],
  ['type', 'text', (e) => e.type],
  ['force_id', 'text', (e) => e.forceId],
  ['occurred_at', 'timestamptz', (e) => e.occurredAt],
  ['entity_kind', 'text', (e) => e.entityKind],
  ['entity_id', 'text', (e) => e.entityId],
  ['envelope', 'json', (e) => envelopeOf(e)],
  ['payload', 'json', (e) => e.body.payload],
];

/**
 * The events as COPY text, one row each, fields as `EVENT_COLUMNS` lists them. Written out rather
 * than read through the columns' functions (as `copyIntoTable` does): on the workers' hottest path
 * the generic loop cost the process 1-8 CPU-µs per event more (`bench:write-path --alternate`).
 */
function eventsAsCopyText(events: readonly NewEvent[]): string[] {
  let text = '';
  for (const e of events)
    text += `${copyField(e.feed)}\t${copyField(e.eventId)}\t${copyField(e.type)}\t${copyField(e.forceId)}\t${copyField(e.occurredAt)}\t${copyField(e.entityKind)}\t${copyField(e.entityId)}\t${copyField(envelopeOf(e))}\t${e.payloadJson === undefined ? copyField(e.body.payload) : copyJsonText(e.payloadJson)}\n`;
  return [text];
}

/** Key of an event in the sets and maps above: feed and eventId. */
export const eventKey = (feed: string, eventId: string): string => `${feed}\u0000${eventId}`;

/** Content hashes of stored events, by `eventKey`. */
export async function findContentHashes(
  db: DbOrTransaction,
  keys: readonly { feed: string; eventId: string }[],
): Promise<Map<string, string>> {
  if (keys.length === 0) return new Map();
  const result = await sql<{ feed: string; event_id: string; content_hash: string }>`
    select e.feed, e.event_id, e.content_hash
    from event_ids e
    join ${jsonRecordset(keys, [
      ['feed', 'text', (k) => k.feed],
      ['event_id', 'text', (k) => k.eventId],
    ])}
      on e.feed = t.feed and e.event_id = t.event_id`.execute(db);
  return new Map(result.rows.map((row) => [eventKey(row.feed, row.event_id), row.content_hash]));
}

export interface StoredEventRow {
  readonly feed: string;
  readonly eventId: string;
  readonly type: string;
  readonly forceId: string;
  readonly occurredAt: Date;
  readonly entityKind: string;
  readonly entityId: string;
  readonly body: Record<string, unknown>;
}

/**
 * The stored events of one type, in eventId order, all at once: for a small set, such as the
 * demo's stop-search file right after it is stored. `events` keeps no index to page by (identity
 * is `event_ids`' key, migration 17), so this is one scan of the feed's partitions and one sort.
 */
export async function readEventsOfType(
  db: DbOrTransaction,
  query: { readonly feed: string; readonly type: string },
): Promise<StoredEventRow[]> {
  const rows = await db
    .selectFrom('events')
    .select(['feed', 'event_id', 'type', 'force_id', 'occurred_at', 'entity_kind', 'entity_id', 'envelope', 'payload'])
    .where('feed', '=', query.feed)
    .where('type', '=', query.type)
    .orderBy('event_id')
    .execute();
  return rows.map((row) => ({
    feed: row.feed,
    eventId: row.event_id,
    type: row.type,
    forceId: row.force_id,
    occurredAt: row.occurred_at,
    entityKind: row.entity_kind,
    entityId: row.entity_id,
    body: storedEventOf(row),
  }));
}
