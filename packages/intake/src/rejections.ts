import {
  type AccountingDelta,
  addToAccounting,
  type Db,
  type DbOrTransaction,
  insertRejectedEvents,
  type NewRejectedEvent,
} from '@rollcall/db';
import { type Feed, sha256Hex } from '@rollcall/contract';
import type { IngestContext, RejectedInput } from './prepare-event.ts';
import { toStorableText } from './storable-text.ts';

/** A rejected input with where it came from (`queue feed.dvpo job 42`, `file x.ndjson line 7`). */
export type SourcedRejection = RejectedInput & { readonly source: string };

/**
 * The force a rejection is filed under, in the accounting and in `rejected_events` alike: its
 * force when that is a known force, otherwise none (''/null). Random strings in a malformed event
 * cannot grow the accounting table, and the two always agree, so `checkAccounting` holds; the
 * force as written is still in the kept payload and named in the reason.
 */
export function rejectionForceOf(item: RejectedInput, knownForces: ReadonlySet<string>): string {
  return item.hint.forceId !== undefined && knownForces.has(item.hint.forceId) ? item.hint.forceId : '';
}

/** A rejected input longer than this is kept cut to this length, with its full length and hash. */
export const MAX_KEPT_PAYLOAD_CHARACTERS = 65_536;

/**
 * The payload text kept with a rejection: whole up to `MAX_KEPT_PAYLOAD_CHARACTERS` (the longest
 * event the contract accepts), otherwise its start and a note of its length and SHA-256. A 20 MB
 * input is refused for its size, and keeping all of it would let one producer fill the
 * database; the start shows what it was, the hash tells whether a re-send is the same input.
 */
export function keptPayloadText(text: string): string {
  if (text.length <= MAX_KEPT_PAYLOAD_CHARACTERS) return text;
  return `${text.slice(0, MAX_KEPT_PAYLOAD_CHARACTERS)}… [cut: ${text.length.toLocaleString('en-GB')} characters in all, sha256 ${sha256Hex(text)}]`;
}

/**
 * The row kept for a rejection. Every text is made storable: what was read from a broken input
 * (its eventId, its type) may hold a NUL or a lone surrogate, which PostgreSQL refuses, and a
 * rejection that cannot be stored would fail its whole job for ever.
 */
export function rejectedEventRow(
  feed: Feed,
  item: SourcedRejection,
  knownForces: ReadonlySet<string>,
): NewRejectedEvent {
  const forceId = rejectionForceOf(item, knownForces);
  const storable = (text: string | undefined) => (text === undefined ? null : toStorableText(text));
  return {
    feed,
    forceId: forceId === '' ? null : forceId,
    eventId: storable(item.hint.eventId),
    eventType: storable(item.hint.type),
    reason: toStorableText(item.reason),
    source: toStorableText(item.source),
    payload: toStorableText(keptPayloadText(item.payload)),
  };
}

/** Keeps rejections with their accounting, inside the caller's transaction. */
export async function recordRejectionsIn(
  trx: DbOrTransaction,
  feed: Feed,
  rejected: readonly SourcedRejection[],
  knownForces: ReadonlySet<string>,
): Promise<void> {
  if (rejected.length === 0) return;
  const byForce = new Map<string, number>();
  for (const item of rejected) {
    const forceId = rejectionForceOf(item, knownForces);
    byForce.set(forceId, (byForce.get(forceId) ?? 0) + 1);
  }
  await insertRejectedEvents(
    trx,
    rejected.map((item) => rejectedEventRow(feed, item, knownForces)),
  );
  const accounting: AccountingDelta[] = [...byForce]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([forceId, n]) => ({ feed, forceId, stored: 0, duplicate: 0, rejected: n }));
  await addToAccounting(trx, accounting);
}

/** Stores rejections found before the queue (a bad line of a file), with their accounting. */
export async function recordRejections(
  db: Db,
  feed: Feed,
  rejected: readonly SourcedRejection[],
  context: Pick<IngestContext, 'knownForces'>,
): Promise<void> {
  if (rejected.length === 0) return;
  await db.transaction().execute((trx) => recordRejectionsIn(trx, feed, rejected, context.knownForces));
}
