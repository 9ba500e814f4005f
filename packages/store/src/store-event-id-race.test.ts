import { prepareEvent } from '@rollcall/intake';
import { testIngestContext } from '@rollcall/testing';
import { sql } from 'kysely';
import { describe, expect, it, vi } from 'vitest';
import { presented, useEmptiedStoreDatabase } from '../test/store-test-kit.ts';
import { storeFeedBatch } from './store-feed-batch.ts';

const { database } = useEmptiedStoreDatabase();
const context = testIngestContext();

/**
 * Another transaction claims the event's id in `event_ids` and holds it uncommitted while the
 * batch is stored: the batch's insert waits on that transaction, and when it commits the batch
 * meets a unique violation (the claim skips stored ids with `not exists`, issue 19) and runs its
 * transaction again, now seeing the event stored.
 */
async function storeWhileAnotherClaims(contentHash: string) {
  const db = database().db;
  const event = presented('c1');
  let release = () => {};
  const released = new Promise<void>((resolve) => (release = resolve));
  let claiming = () => {};
  const claimed = new Promise<void>((resolve) => (claiming = resolve));
  const other = db.transaction().execute(async (trx) => {
    await sql`insert into event_ids (feed, event_id, occurred_at, content_hash)
      values ('call-handling', ${event.eventId}, ${event.occurredAt}, ${contentHash})`.execute(trx);
    claiming();
    await released;
  });
  await claimed;
  const storing = storeFeedBatch(db, { feed: 'call-handling', inputs: [event], source: 'test' }, context);
  try {
    // The batch's insert waits for the other transaction (its claim on the same id).
    await vi.waitFor(
      async () => {
        const { rows } = await sql<{ n: number }>`
          select count(*)::int as n from pg_stat_activity
          where datname = current_database() and wait_event_type = 'Lock' and wait_event = 'transactionid'`.execute(db);
        expect(rows).toEqual([{ n: 1 }]);
      },
      { timeout: 5_000 },
    );
  } finally {
    release();
    await other;
  }
  return storing;
}

describe('two transactions storing the same new event at once', () => {
  it('the one that commits second counts it a duplicate when the content is the same', async () => {
    const prepared = prepareEvent(presented('c1'), 'call-handling', context);
    if (prepared.kind !== 'event') throw new Error('the example event is valid');
    const outcome = await storeWhileAnotherClaims(prepared.contentHash);
    expect(outcome).toMatchObject({ offered: 1, stored: 0, duplicate: 1, rejected: 0 });
    expect(await database().db.selectFrom('rejected_events').select('reason').execute()).toEqual([]);
  });

  it('the one that commits second rejects it as a conflict when the content differs', async () => {
    const outcome = await storeWhileAnotherClaims('0'.repeat(64));
    expect(outcome).toMatchObject({ offered: 1, stored: 0, duplicate: 0, rejected: 1 });
    const [rejected] = await database().db.selectFrom('rejected_events').select('reason').execute();
    expect(rejected?.reason).toMatch(/^eventId: conflict, "c1-p" was already stored with different content/);
  });
});
