import {
  addToAccounting,
  addToAggregates,
  addToDailyFeedStats,
  type AccountingDelta,
  type AggregateDelta,
  type Db,
  type DbOrTransaction,
  type EntityShard,
  type EntityWrite,
  entityKeyOf,
  eventKey,
  type FeedStatsDelta,
  findContentHashes,
  findEntityFacts,
  insertNewEvents,
  insertRejectedEvents,
  lockForIngest,
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

/**
 * Entities are spread over this many shards per (feed, force) by a hash of their key; the shard
 * is part of the lock identity, so every worker must use the same number (changing it means
 * stopping every worker first).
 */
export const ENTITY_SHARDS = 8;
/** A job is stored in up to this many transactions, so that jobs of one feed overlap. */
const MAX_SUB_BATCHES = 4;
/** Fewer events than this per transaction would cost more in round trips than overlap gains. */
const MIN_EVENTS_PER_SUB_BATCH = 200;

/** FNV-1a over the entity key: cheap, stable across processes and versions. */
export function shardOf(forceId: string, kind: string, entityId: string): number {
  let hash = 0x811c9dc5;
  const key = `${forceId}\u0000${kind}\u0000${entityId}`;
  for (let i = 0; i < key.length; i++) {
    hash ^= key.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % ENTITY_SHARDS;
}

/** Events offered under one eventId: the first is the candidate, the rest are judged against what is stored. */
type EventGroup = readonly [PreparedEvent, ...PreparedEvent[]];

const add = (a: FeedBatchOutcome, b: FeedBatchOutcome): FeedBatchOutcome => ({
  offered: a.offered + b.offered,
  stored: a.stored + b.stored,
  duplicate: a.duplicate + b.duplicate,
  rejected: a.rejected + b.rejected,
  staleSnapshotHeads: a.staleSnapshotHeads + b.staleSnapshotHeads,
});

/**
 * Stores a batch of offered events: new events, duplicates recognised, conflicts and invalid
 * events kept with their reasons, affected entities re-folded, and the aggregate deltas, feed
 * stats, accounting and revision marks written with them.
 *
 * The batch is split by entity shard into up to four transactions, each holding the locks of its
 * shards (see `lockForIngest`), so that two jobs of the same busy feed proceed side by side
 * instead of queueing behind one lock. Each transaction is complete in itself; the job is
 * acknowledged only after all of them commit, so a crash between them is a redelivery whose
 * committed part comes back as duplicates, never doubles. Each transaction is a fixed handful of
 * statements (one `json_to_recordset` each), whatever the number of events.
 *
 * @param options.startAt which sub-batch to store first; concurrent jobs start at different ones
 *   so they do not march through the same shards in step.
 */
export async function storeFeedBatch(
  db: Db,
  batch: FeedBatch,
  context: IngestContext,
  options: { readonly startAt?: number } = {},
): Promise<FeedBatchOutcome> {
  const prepared = batch.inputs.map((input) => prepareEvent(input, batch.feed, context));
  const rejected: RejectedInput[] = [];
  const groups = new Map<string, PreparedEvent[]>();
  for (const item of prepared) {
    if (item.kind === 'rejected') {
      rejected.push(item);
      continue;
    }
    const key = eventKey(batch.feed, item.event.eventId);
    const group = groups.get(key);
    if (group) group.push(item);
    else groups.set(key, [item]);
  }
  const accepted = prepared.length - rejected.length;
  const subBatchCount = Math.max(1, Math.min(MAX_SUB_BATCHES, Math.floor(accepted / MIN_EVENTS_PER_SUB_BATCH)));
  const subBatches: EventGroup[][] = Array.from({ length: subBatchCount }, () => []);
  for (const group of groups.values()) {
    const [first] = group;
    const shard = shardOf(first!.event.forceId, first!.entity.kind, first!.entity.entityId);
    subBatches[shard % subBatchCount]!.push(group as unknown as EventGroup);
  }
  const start = (options.startAt ?? 0) % subBatchCount;
  let total: FeedBatchOutcome = { offered: 0, stored: 0, duplicate: 0, rejected: 0, staleSnapshotHeads: 0 };
  for (let i = 0; i < subBatchCount; i++) {
    const index = (start + i) % subBatchCount;
    const groupsOfSub = subBatches[index]!;
    // Rejected inputs go with the first transaction; an empty sub-batch is skipped.
    const rejectedHere = i === 0 ? rejected : [];
    if (groupsOfSub.length === 0 && rejectedHere.length === 0) continue;
    const outcome = await db.transaction().execute((trx) => storeSubBatch(trx, batch, groupsOfSub, rejectedHere, context));
    total = add(total, outcome);
  }
  return total;
}

async function storeSubBatch(
  trx: DbOrTransaction,
  batch: FeedBatch,
  groups: readonly EventGroup[],
  rejectedInputs: readonly RejectedInput[],
  context: IngestContext,
): Promise<FeedBatchOutcome> {
  const accounting = new Map<string, { stored: number; duplicate: number; rejected: number }>();
  const count = (forceId: string, outcome: 'stored' | 'duplicate' | 'rejected') => {
    const counts = accounting.get(forceId) ?? { stored: 0, duplicate: 0, rejected: 0 };
    counts[outcome] += 1;
    accounting.set(forceId, counts);
  };
  const rejections: NewRejectedEvent[] = [];
  const reject = (item: RejectedInput) => {
    // Accounting files a rejection under its force only when that is a known force, so random
    // strings in a malformed event cannot grow the accounting table.
    const forceId = item.hint.forceId !== undefined && context.knownForces.has(item.hint.forceId) ? item.hint.forceId : '';
    count(forceId, 'rejected');
    rejections.push({
      feed: batch.feed,
      forceId: item.hint.forceId ?? null,
      eventId: item.hint.eventId ?? null,
      eventType: item.hint.type ?? null,
      reason: item.reason,
      source: batch.source,
      payload: item.payload,
    });
  };
  for (const item of rejectedInputs) reject(item);

  const shards: EntityShard[] = groups.map(([first]) => ({
    feed: batch.feed,
    forceId: first.event.forceId,
    shard: shardOf(first.event.forceId, first.entity.kind, first.entity.entityId),
  }));
  await lockForIngest(trx, shards);

  // Sorted by eventId: two transactions inserting the same ids wait on each other in one order.
  const candidates = groups.map(([first]) => first).sort((a, b) => (a.event.eventId < b.event.eventId ? -1 : a.event.eventId > b.event.eventId ? 1 : 0));
  const inserted = await insertNewEvents(
    trx,
    candidates.map((item) => ({
      feed: batch.feed,
      eventId: item.event.eventId,
      type: item.event.type,
      forceId: item.event.forceId,
      occurredAt: item.event.occurredAt,
      entityKind: item.entity.kind,
      entityId: item.entity.entityId,
      contentHash: item.contentHash,
      body: item.event,
    })),
  );
  const isNew = (item: PreparedEvent) => inserted.has(eventKey(batch.feed, item.event.eventId));
  const previouslyStored = await findContentHashes(
    trx,
    candidates.filter((item) => !isNew(item)).map((item) => ({ feed: batch.feed, eventId: item.event.eventId })),
  );
  const stored: PreparedEvent[] = [];
  for (const [candidate, ...repeats] of groups) {
    const storedHash = previouslyStored.get(eventKey(batch.feed, candidate.event.eventId));
    if (storedHash === undefined) {
      stored.push(candidate);
      count(candidate.event.forceId, 'stored');
    } else if (storedHash === candidate.contentHash) count(candidate.event.forceId, 'duplicate');
    else reject(conflict(candidate, 'already stored'));
    // A repeat within the batch is judged against whichever version is now stored.
    const judgedAgainst = storedHash ?? candidate.contentHash;
    for (const repeat of repeats) {
      if (repeat.contentHash === judgedAgainst) count(repeat.event.forceId, 'duplicate');
      else reject(conflict(repeat, storedHash === undefined ? 'offered earlier in the same batch' : 'already stored'));
    }
  }

  const staleMarks = await foldStoredEvents(trx, stored, context);
  await insertRejectedEvents(trx, rejections);
  const accountingRows: AccountingDelta[] = [...accounting].map(([forceId, counts]) => ({ feed: batch.feed, forceId, ...counts }));
  await addToAccounting(trx, accountingRows.sort((a, b) => (a.forceId < b.forceId ? -1 : 1)));
  const staleSnapshotHeads = await markSnapshotHeadsStale(trx, staleMarks);

  let offered = rejectedInputs.length;
  for (const group of groups) offered += group.length;
  const sum = (key: 'stored' | 'duplicate' | 'rejected') => accountingRows.reduce((total, row) => total + row[key], 0);
  return { offered, stored: sum('stored'), duplicate: sum('duplicate'), rejected: sum('rejected'), staleSnapshotHeads };
}

function conflict(item: PreparedEvent, where: string): RejectedInput {
  return {
    kind: 'rejected',
    reason: `eventId: conflict, ${JSON.stringify(item.event.eventId)} was ${where} with different content (content hash ${item.contentHash.slice(0, 12)} differs); not applied`,
    hint: { eventId: item.event.eventId, forceId: item.event.forceId, type: item.event.type },
    // Already validated and pseudonymised: kept exactly as it would have been stored.
    payload: JSON.stringify(item.event),
  };
}

const compareKeys = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Re-folds every entity that received new events and writes the entity states, the aggregate
 * deltas and the feed stats, each sorted so that concurrent transactions lock rows in one order.
 * Returns, per force, the earliest day whose aggregates changed, for the revision marks.
 */
async function foldStoredEvents(trx: DbOrTransaction, stored: readonly PreparedEvent[], context: IngestContext): Promise<StaleMark[]> {
  if (stored.length === 0) return [];
  const byEntity = new Map<string, { item: PreparedEvent; facts: Fact[]; corrections: number }>();
  for (const item of stored) {
    const key = entityKeyOf({ forceId: item.event.forceId, kind: item.entity.kind, entityId: item.entity.entityId });
    const group = byEntity.get(key);
    if (group) {
      group.facts.push(item.fact);
      if (item.event.type === 'stop-search.amended') group.corrections += 1;
    } else {
      byEntity.set(key, { item, facts: [item.fact], corrections: item.event.type === 'stop-search.amended' ? 1 : 0 });
    }
  }
  const storedFacts = await findEntityFacts(
    trx,
    [...byEntity.values()].map(({ item }) => ({ forceId: item.event.forceId, kind: item.entity.kind, entityId: item.entity.entityId })),
  );

  const deltas = new Map<string, AggregateDelta>();
  const staleness = new Map<string, StaleMark>();
  const entityWrites: EntityWrite[] = [];
  for (const [key, { item, facts, corrections }] of byEntity) {
    const forceId = item.event.forceId;
    const result = foldEntity(item.entity.kind, (storedFacts.get(key) ?? []) as Fact[], facts, context.calendar);
    entityWrites.push({
      forceId,
      kind: item.entity.kind,
      entityId: item.entity.entityId,
      facts: result.facts,
      status: result.lifecycle.status,
      startedAt: result.lifecycle.startedAt === null ? null : new Date(result.lifecycle.startedAt).toISOString(),
      endedAt: result.lifecycle.endedAt === null ? null : new Date(result.lifecycle.endedAt).toISOString(),
      flags: result.lifecycle.flags,
    });
    let earliest: string | undefined;
    for (const delta of result.deltas) {
      const deltaKey = `${forceId}\u0001${delta.day}\u0001${delta.metric}\u0001${delta.dim}`;
      const existing = deltas.get(deltaKey);
      if (existing) deltas.set(deltaKey, { ...existing, value: existing.value + delta.value });
      else deltas.set(deltaKey, { forceId, day: delta.day, metric: delta.metric, dim: delta.dim, value: delta.value });
      if (earliest === undefined || delta.day < earliest) earliest = delta.day;
    }
    if (earliest !== undefined) {
      const markKey = `${forceId}\u0001${earliest}`;
      const mark = staleness.get(markKey) ?? { forceId, fromDay: earliest, lateEvents: 0, correctedEvents: 0 };
      staleness.set(markKey, { ...mark, lateEvents: mark.lateEvents + facts.length - corrections, correctedEvents: mark.correctedEvents + corrections });
    }
  }
  await upsertEntities(trx, entityWrites);
  const sortedDeltas = [...deltas.entries()]
    .filter(([, delta]) => delta.value !== 0)
    .sort(([a], [b]) => compareKeys(a, b))
    .map(([, delta]) => delta);
  await addToAggregates(trx, sortedDeltas);

  const feedStats = new Map<string, { forceId: string; feed: string; day: string; events: number; latest: number }>();
  for (const item of stored) {
    const key = `${item.event.forceId}\u0001${item.day}`;
    const existing = feedStats.get(key);
    if (existing) {
      existing.events += 1;
      if (item.fact.at > existing.latest) existing.latest = item.fact.at;
    } else {
      feedStats.set(key, { forceId: item.event.forceId, feed: item.event.feed, day: item.day, events: 1, latest: item.fact.at });
    }
  }
  const feedStatRows: FeedStatsDelta[] = [...feedStats.entries()]
    .sort(([a], [b]) => compareKeys(a, b))
    .map(([, row]) => ({ forceId: row.forceId, feed: row.feed, day: row.day, events: row.events, latestOccurredAt: new Date(row.latest).toISOString() }));
  await addToDailyFeedStats(trx, feedStatRows);
  return [...staleness.values()].sort((a, b) => compareKeys(`${a.forceId}\u0001${a.fromDay}`, `${b.forceId}\u0001${b.fromDay}`));
}

/** Stores rejections found before the queue (a bad line of a file), with their accounting. */
export async function recordRejections(
  db: Db,
  feed: Feed,
  rejected: readonly (RejectedInput & { source: string })[],
  context: Pick<IngestContext, 'knownForces'>,
): Promise<void> {
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
