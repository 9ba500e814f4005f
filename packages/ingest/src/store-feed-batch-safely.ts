import type { Db } from '@rollcall/db';
import type { Logger } from '@rollcall/logger';
import { type IngestContext, prepareEvent, rejectInput } from './prepare-event.ts';
import { type FeedBatch, type FeedBatchOutcome, recordRejections, storeFeedBatch } from './store-feed-batch.ts';

const sqlStateOf = (error: unknown): string | undefined => (error as { code?: unknown }).code as string | undefined;

/**
 * Errors about the data, not the database's health: a value PostgreSQL refuses (class 22, data
 * exception; 23, integrity; 54, program limit such as an over-long index key). Retrying such a
 * batch would fail the same way for ever; isolating the offending event lets the rest through.
 */
export function isDataError(error: unknown): boolean {
  const state = sqlStateOf(error);
  return state !== undefined && /^(22|23|54)/.test(state);
}

/** Deadlock or serialisation failure: the transaction can simply run again. */
export function isTransientConflict(error: unknown): boolean {
  const state = sqlStateOf(error);
  return state === '40P01' || state === '40001';
}

const sum = (a: FeedBatchOutcome, b: FeedBatchOutcome): FeedBatchOutcome => ({
  offered: a.offered + b.offered,
  stored: a.stored + b.stored,
  duplicate: a.duplicate + b.duplicate,
  rejected: a.rejected + b.rejected,
  staleSnapshotHeads: a.staleSnapshotHeads + b.staleSnapshotHeads,
});

/**
 * `storeFeedBatch` that never lets one event poison a batch: if PostgreSQL refuses the batch's
 * data, the batch is halved until the refused event stands alone, and that event is rejected with
 * the database's reason. A deadlock is retried at once (three times). Anything else (the database
 * is down) is thrown, so the job retries with backoff and nothing is acknowledged uncommitted.
 */
export async function storeFeedBatchSafely(
  db: Db,
  batch: FeedBatch,
  context: IngestContext,
  log: Logger,
  options: { readonly startAt?: number } = {},
): Promise<FeedBatchOutcome> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await storeFeedBatch(db, batch, context, options);
    } catch (error) {
      if (isTransientConflict(error) && attempt < 3) {
        log.warn({ err: error, attempt }, 'transaction conflict; retrying batch');
        continue;
      }
      if (!isDataError(error)) throw error;
      if (batch.inputs.length > 1) {
        const middle = Math.ceil(batch.inputs.length / 2);
        log.warn({ err: error, events: batch.inputs.length }, 'database refused batch data; isolating the event');
        const first = await storeFeedBatchSafely(db, { ...batch, inputs: batch.inputs.slice(0, middle) }, context, log);
        const second = await storeFeedBatchSafely(db, { ...batch, inputs: batch.inputs.slice(middle) }, context, log);
        return sum(first, second);
      }
      const input = batch.inputs[0];
      const prepared = prepareEvent(input, batch.feed, context);
      const hint = prepared.kind === 'event' ? { eventId: prepared.event.eventId, forceId: prepared.event.forceId, type: prepared.event.type } : prepared.hint;
      const reason = `storage: the database refused this event (${(error as Error).message})`;
      await recordRejections(db, batch.feed, [{ ...rejectInput(input, reason, hint, context), source: batch.source }], context);
      return { offered: 1, stored: 0, duplicate: 0, rejected: 1, staleSnapshotHeads: 0 };
    }
  }
}
