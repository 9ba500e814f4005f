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
 * batch is stored: the batch's claim waits on that transaction, and when it commits the batch
 * meets a unique violation. Alone, the event was being claimed by the optimistic COPY, which rolls
 * back to its savepoint and claims by statement, now seeing the event stored. Beside an event
 * stored before, the COPY was refused at once and the statement met the race (it skips stored
 * ids with `not exists`, issue 19): the transaction runs again (`isEventIdRace`).
 */
async function storeWhileAnotherClaims(contentHash: string, besideStored: boolean) {
  const db = database().db;
  const event = presented('c1');
  // Stored first; its id sorts before the racing one's, so the batch's COPY is refused at once.
  const storedBefore = presented('a0');
  if (besideStored)
    await storeFeedBatch(db, { feed: 'call-handling', inputs: [storedBefore], source: 'test' }, context);
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
  const storing = storeFeedBatch(
    db,
    { feed: 'call-handling', inputs: besideStored ? [storedBefore, event] : [event], source: 'test' },
    context,
  );
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

describe.each([
  ['alone (the optimistic COPY meets the race)', false],
  ['beside an event stored before (the claim by statement meets the race)', true],
])('two transactions storing the same new event at once, %s', (_, besideStored) => {
  const others = besideStored ? 1 : 0;
  it('the one that commits second counts it a duplicate when the content is the same', async () => {
    const prepared = prepareEvent(presented('c1'), 'call-handling', context);
    if (prepared.kind !== 'event') throw new Error('the example event is valid');
    const outcome = await storeWhileAnotherClaims(prepared.contentHash, besideStored);
    expect(outcome).toMatchObject({ offered: 1 + others, stored: 0, duplicate: 1 + others, rejected: 0 });
    expect(await database().db.selectFrom('rejected_events').select('reason').execute()).toEqual([]);
  });

  it('the one that commits second rejects it as a conflict when the content differs', async () => {
    const outcome = await storeWhileAnotherClaims('0'.repeat(64), besideStored);
    expect(outcome).toMatchObject({ offered: 1 + others, stored: 0, duplicate: others, rejected: 1 });
    const [rejected] = await database().db.selectFrom('rejected_events').select('reason').execute();
    expect(rejected?.reason).toMatch(/^eventId: conflict, "c1-p" was already stored with different content/);
  });
});
