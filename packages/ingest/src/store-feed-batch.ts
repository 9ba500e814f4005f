import {
  addToAccounting,
  addToDailyAggregates,
  addToDailyFeedStats,
  type AccountingDelta,
  type AggregateDelta,
  type Db,
  type DbOrTransaction,
  entityKeyOf,
  eventKey,
  type FeedStatsDelta,
  findContentHashes,
  findEntityFacts,
  insertNewEvents,
  insertRejectedEvents,
  lockFeedForces,
  markSnapshotHeadsStale,
  type NewRejectedEvent,
  type StaleMark,
  upsertEntities,
} from '@rollcall/db';
import type { Feed } from '@rollcall/events';
import { type Fact, foldEntity } from '@rollcall/lifecycles';
import { type IngestContext, type PreparedEvent, prepareEvent, type RejectedInput } from './prepare-event.ts';

export interface FeedBatch {
  readonly feed: Feed;
  /** Offered inputs: each is (supposed to be) one event. */
  readonly inputs: readonly unknown[];
  /** Where the batch came from, kept with each rejection: `queue feed.dvpo job 42`. */
  readonly source: string;
}

/** Every offered input ends in exactly one of these: offered = stored + duplicate + rejected. */
export interface FeedBatchOutcome {
  readonly offered: number;
  readonly stored: number;
  readonly duplicate: number;
  readonly rejected: number;
  /** Published snapshot heads marked for revision by this batch. */
  readonly staleSnapshotHeads: number;
}

const EMPTY_COUNTS = { stored: 0, duplicate: 0, rejected: 0 };

/**
 * Stores a batch of offered events in one transaction: new events, duplicates recognised,
 * conflicts and invalid events kept with their reasons, affected entities re-folded, and the
 * aggregate deltas, feed stats, accounting and revision marks written with them. The caller
 * acknowledges the job only after this resolves, so a crash anywhere leaves either all of it or
 * none of it, and a redelivered job finds its events already stored (duplicates, not doubles).
 *
 * Cost per batch is a fixed handful of statements (each a single `unnest` over the batch),
 * whatever the batch size: no per-event round trip.
 */
export async function storeFeedBatch(db: Db, batch: FeedBatch, context: IngestContext): Promise<FeedBatchOutcome> {
  const prepared = batch.inputs.map((input) => prepareEvent(input, batch.feed, context));
  return db.transaction().execute((trx) => storePrepared(trx, batch, prepared, context));
}

async function storePrepared(
  trx: DbOrTransaction,
  batch: FeedBatch,
  prepared: readonly (PreparedEvent | RejectedInput)[],
  context: IngestContext,
): Promise<FeedBatchOutcome> {
  const accounting = new Map<string, { stored: number; duplicate: number; rejected: number }>();
  const count = (forceId: string, outcome: keyof typeof EMPTY_COUNTS) => {
    const counts = accounting.get(forceId) ?? { ...EMPTY_COUNTS };
    counts[outcome] += 1;
    accounting.set(forceId, counts);
  };
  const rejections: NewRejectedEvent[] = [];
  const reject = (rejected: RejectedInput) => {
    // Accounting files a rejection under its force only when that is a known force, so random
    // strings in a malformed event cannot grow the accounting table.
    const forceId = rejected.hint.forceId !== undefined && context.knownForces.has(rejected.hint.forceId) ? rejected.hint.forceId : '';
    count(forceId, 'rejected');
    rejections.push({
      feed: batch.feed,
      forceId: rejected.hint.forceId ?? null,
      eventId: rejected.hint.eventId ?? null,
      eventType: rejected.hint.type ?? null,
      reason: rejected.reason,
      source: batch.source,
      payload: rejected.payload,
    });
  };

  // The same eventId twice in one batch: the first offered is the candidate for storage; the
  // others are judged once the stored version is known, against whichever version is stored.
  const candidates = new Map<string, PreparedEvent>();
  const repeats: PreparedEvent[] = [];
  for (const item of prepared) {
    if (item.kind === 'rejected') {
      reject(item);
      continue;
    }
    const key = eventKey(batch.feed, item.event.eventId);
    if (candidates.has(key)) repeats.push(item);
    else candidates.set(key, item);
  }
  const offeredEvents = [...candidates.values()];

  await lockFeedForces(trx, offeredEvents.map((item) => ({ feed: batch.feed, forceId: item.event.forceId })));
  const inserted = await insertNewEvents(
    trx,
    offeredEvents.map((item) => ({
      feed: batch.feed,
      eventId: item.event.eventId,
      type: item.event.type,
      forceId: item.event.forceId,
      occurredAt: item.event.occurredAt,
      entityKind: item.entity.kind,
      entityId: item.entity.entityId,
      contentHash: item.contentHash,
      body: item.body,
    })),
  );
  const isNew = (item: PreparedEvent) => inserted.has(eventKey(batch.feed, item.event.eventId));
  const stored = offeredEvents.filter(isNew);
  const previouslyStored = await findContentHashes(
    trx,
    offeredEvents.filter((item) => !isNew(item)).map((item) => ({ feed: batch.feed, eventId: item.event.eventId })),
  );
  for (const item of [...offeredEvents.filter((item) => !isNew(item)), ...repeats]) {
    const key = eventKey(batch.feed, item.event.eventId);
    const storedHash = previouslyStored.get(key) ?? candidates.get(key)!.contentHash;
    if (storedHash === item.contentHash) count(item.event.forceId, 'duplicate');
    else reject(conflict(item, previouslyStored.has(key) ? 'already stored' : 'offered earlier in the same batch'));
  }
  for (const item of stored) count(item.event.forceId, 'stored');

  const staleMarks = await foldStoredEvents(trx, stored, context);

  await insertRejectedEvents(trx, rejections);
  const accountingRows: AccountingDelta[] = [...accounting].map(([forceId, counts]) => ({ feed: batch.feed, forceId, ...counts }));
  await addToAccounting(trx, accountingRows.sort((a, b) => (a.forceId < b.forceId ? -1 : 1)));
  const staleSnapshotHeads = await markSnapshotHeadsStale(trx, staleMarks);

  const totals = accountingRows.reduce((sum, row) => ({
    stored: sum.stored + row.stored,
    duplicate: sum.duplicate + row.duplicate,
    rejected: sum.rejected + row.rejected,
  }), { ...EMPTY_COUNTS });
  return { offered: prepared.length, ...totals, staleSnapshotHeads };
}

function conflict(item: PreparedEvent, where: string): RejectedInput {
  return {
    kind: 'rejected',
    reason: `eventId: conflict, ${JSON.stringify(item.event.eventId)} was ${where} with different content (content hash ${item.contentHash.slice(0, 12)} differs); not applied`,
    hint: { eventId: item.event.eventId, forceId: item.event.forceId, type: item.event.type },
    // Already validated and pseudonymised: kept exactly as it would have been stored.
    payload: item.body,
  };
}

/**
 * Re-folds every entity that received new events and writes the entity states, the aggregate
 * deltas and the feed stats. Returns, per force, the earliest day whose aggregates changed, for
 * the revision marks.
 */
async function foldStoredEvents(trx: DbOrTransaction, stored: readonly PreparedEvent[], context: IngestContext): Promise<StaleMark[]> {
  if (stored.length === 0) return [];
  const byEntity = new Map<string, { item: PreparedEvent; facts: Fact[]; corrections: number }>();
  for (const item of stored) {
    const key = entityKeyOf({ forceId: item.event.forceId, kind: item.entity.kind, entityId: item.entity.entityId });
    const group = byEntity.get(key) ?? { item, facts: [], corrections: 0 };
    group.facts.push(item.fact);
    if (item.event.type === 'stop-search.amended') group.corrections += 1;
    byEntity.set(key, group);
  }
  const storedFacts = await findEntityFacts(
    trx,
    [...byEntity.values()].map(({ item }) => ({ forceId: item.event.forceId, kind: item.entity.kind, entityId: item.entity.entityId })),
  );

  const deltas = new Map<string, AggregateDelta>();
  const staleness = new Map<string, StaleMark>();
  const entityWrites = [];
  for (const [key, { item, facts, corrections }] of byEntity) {
    const forceId = item.event.forceId;
    const result = foldEntity(item.entity.kind, (storedFacts.get(key) ?? []) as Fact[], facts, context.calendar);
    entityWrites.push({
      forceId,
      kind: item.entity.kind,
      entityId: item.entity.entityId,
      facts: JSON.stringify(result.facts),
      status: result.lifecycle.status,
      startedAt: result.lifecycle.startedAt === null ? null : new Date(result.lifecycle.startedAt).toISOString(),
      endedAt: result.lifecycle.endedAt === null ? null : new Date(result.lifecycle.endedAt).toISOString(),
      flags: JSON.stringify(result.lifecycle.flags),
    });
    let earliest: string | undefined;
    for (const delta of result.deltas) {
      const deltaKey = `${forceId}\u0001${delta.day}\u0001${delta.metric}\u0001${delta.dim}`;
      const existing = deltas.get(deltaKey);
      deltas.set(deltaKey, { forceId, day: delta.day, metric: delta.metric, dim: delta.dim, value: (existing?.value ?? 0) + delta.value });
      if (earliest === undefined || delta.day < earliest) earliest = delta.day;
    }
    if (earliest !== undefined) {
      const markKey = `${forceId}\u0001${earliest}`;
      const mark = staleness.get(markKey) ?? { forceId, fromDay: earliest, lateEvents: 0, correctedEvents: 0 };
      staleness.set(markKey, {
        ...mark,
        lateEvents: mark.lateEvents + facts.length - corrections,
        correctedEvents: mark.correctedEvents + corrections,
      });
    }
  }
  await upsertEntities(trx, entityWrites);
  // Sorted so that concurrent transactions (of other forces' locks) touch rows in one order.
  const sortedDeltas = [...deltas.entries()]
    .filter(([, delta]) => delta.value !== 0)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, delta]) => delta);
  await addToDailyAggregates(trx, sortedDeltas);

  const feedStats = new Map<string, FeedStatsDelta>();
  for (const item of stored) {
    const key = `${item.event.forceId}\u0001${item.day}`;
    const existing = feedStats.get(key);
    feedStats.set(key, {
      forceId: item.event.forceId,
      feed: item.event.feed,
      day: item.day,
      events: (existing?.events ?? 0) + 1,
      latestOccurredAt: existing && existing.latestOccurredAt > new Date(item.fact.at).toISOString() ? existing.latestOccurredAt : new Date(item.fact.at).toISOString(),
    });
  }
  await addToDailyFeedStats(trx, [...feedStats.values()]);
  return [...staleness.values()];
}

/** Stores rejections found before the queue (a bad line of a file), with their accounting. */
export async function recordRejections(db: Db, feed: Feed, rejected: readonly (RejectedInput & { source: string })[], context: Pick<IngestContext, 'knownForces'>): Promise<void> {
  if (rejected.length === 0) return;
  const byForce = new Map<string, number>();
  for (const item of rejected) {
    const forceId = item.hint.forceId !== undefined && context.knownForces.has(item.hint.forceId) ? item.hint.forceId : '';
    byForce.set(forceId, (byForce.get(forceId) ?? 0) + 1);
  }
  await db.transaction().execute(async (trx) => {
    await insertRejectedEvents(
      trx,
      rejected.map((item) => ({
        feed,
        forceId: item.hint.forceId ?? null,
        eventId: item.hint.eventId ?? null,
        eventType: item.hint.type ?? null,
        reason: item.reason,
        source: item.source,
        payload: item.payload,
      })),
    );
    await addToAccounting(trx, [...byForce].sort().map(([forceId, n]) => ({ feed, forceId, stored: 0, duplicate: 0, rejected: n })));
  });
}
