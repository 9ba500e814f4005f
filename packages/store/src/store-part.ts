import {
  type AccountingDelta,
  addToAccounting,
  type DbOrTransaction,
  type EntityShard,
  eventKey,
  findContentHashes,
  insertNewEvents,
  insertRejectedEvents,
  lockForIngest,
  markSnapshotHeadsStale,
} from '@rollcall/db';
import { shardOf } from './entity-shards.ts';
import type { FeedBatchOutcome } from './feed-batch-outcome.ts';
import { foldStoredEvents } from './fold-stored-events.ts';
import type { IngestContext, PreparedEvent, RejectedInput } from '@rollcall/intake';
import { rejectedEventRow, rejectionForceOf, type SourcedRejection } from '@rollcall/intake';
import type { FeedBatch } from './store-feed-batch.ts';

/** Events offered under one eventId: the first is the candidate, the rest are judged against what is stored. */
export type EventGroup = readonly [PreparedEvent, ...PreparedEvent[]];

/** Every offered input ends as exactly one of these. */
export type InputOutcome = 'stored' | 'duplicate' | 'rejected';

/**
 * Who offered each input, when one transaction stores several jobs (`storeJobsTogether`): each
 * input's outcome is told to its job, and its rejection keeps its job's source.
 */
export interface InputOwners {
  sourceOf(input: PreparedEvent | RejectedInput): string;
  counted(input: PreparedEvent | RejectedInput, outcome: InputOutcome): void;
}

/**
 * Stores one part of a batch inside the caller's transaction: inserts the new events, sorts out
 * duplicates and conflicts, takes the locks of its shards, re-folds the entities, keeps the
 * rejections and writes aggregates, accounting and revision marks. A fixed handful of statements
 * (one `json_to_recordset` each), whatever the number of events.
 */
export async function storePart(
  trx: DbOrTransaction,
  batch: FeedBatch,
  groups: readonly EventGroup[],
  rejectedInputs: readonly RejectedInput[],
  context: IngestContext,
  owners?: InputOwners,
): Promise<FeedBatchOutcome> {
  const accounting = new Map<string, { stored: number; duplicate: number; rejected: number }>();
  const count = (forceId: string, outcome: InputOutcome, input: PreparedEvent | RejectedInput) => {
    const counts = accounting.get(forceId) ?? { stored: 0, duplicate: 0, rejected: 0 };
    counts[outcome] += 1;
    accounting.set(forceId, counts);
    owners?.counted(input, outcome);
  };
  const rejections: SourcedRejection[] = [];
  /** `offered` is the input as it came (a conflict's rejection is made afresh from it). */
  const reject = (item: RejectedInput, offered: PreparedEvent | RejectedInput = item) => {
    count(rejectionForceOf(item, context.knownForces), 'rejected', offered);
    rejections.push({ ...item, source: owners?.sourceOf(offered) ?? batch.source });
  };
  for (const item of rejectedInputs) reject(item);

  // Sorted by eventId: two transactions inserting the same ids wait on each other in one order.
  const candidates = groups
    .map(([first]) => first)
    .sort((a, b) => (a.event.eventId < b.event.eventId ? -1 : a.event.eventId > b.event.eventId ? 1 : 0));
  const inserted = await insertNewEvents(
    trx,
    candidates.map((item) => ({
      feed: batch.feed,
      eventId: item.event.eventId,
      type: item.event.type,
      forceId: item.event.forceId,
      // Whole milliseconds, as the fact holds it, so a replay from stored rows sees the same instant.
      occurredAt: item.occurredAtUtc,
      entityKind: item.entity.kind,
      entityId: item.entity.entityId,
      contentHash: item.contentHash,
      body: item.event,
      payloadJson: item.payloadJson,
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
      count(candidate.event.forceId, 'stored', candidate);
    } else if (storedHash === candidate.contentHash) count(candidate.event.forceId, 'duplicate', candidate);
    else reject(conflict(candidate, 'already stored'), candidate);
    // A repeat within the batch is judged against whichever version is now stored.
    const judgedAgainst = storedHash ?? candidate.contentHash;
    for (const repeat of repeats) {
      if (repeat.contentHash === judgedAgainst) count(repeat.event.forceId, 'duplicate', repeat);
      else
        reject(
          conflict(repeat, storedHash === undefined ? 'offered earlier in the same batch' : 'already stored'),
          repeat,
        );
    }
  }

  // The locks come after the events are in (issue 19): inserting them is the longest statement,
  // and it needs no lock of ours (identity is `event_ids`' key; a concurrent insert of the same id
  // waits for the first to commit). A call-handling transaction touches every shard of its force,
  // so under lock those transactions ran strictly one after another; now one inserts its events
  // while another folds. Nothing is visible before commit, which still waits for the locks.
  const shards: EntityShard[] = groups.map(([first]) => ({
    feed: batch.feed,
    forceId: first.event.forceId,
    shard: shardOf(first.event.forceId, first.entity.kind, first.entity.entityId),
  }));
  await lockForIngest(trx, shards);
  const staleMarks = await foldStoredEvents(trx, stored, context);
  await insertRejectedEvents(
    trx,
    rejections.map((item) => rejectedEventRow(batch.feed, item, context.knownForces)),
  );
  const accountingRows: AccountingDelta[] = [...accounting].map(([forceId, counts]) => ({
    feed: batch.feed,
    forceId,
    ...counts,
  }));
  await addToAccounting(
    trx,
    accountingRows.sort((a, b) => (a.forceId < b.forceId ? -1 : 1)),
  );
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
