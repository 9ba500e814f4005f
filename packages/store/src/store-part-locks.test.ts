import { lockForIngest } from '@rollcall/db';
import { testIngestContext } from '@rollcall/testing';
import { sql } from 'kysely';
import { describe, expect, it, vi } from 'vitest';
import { answered, presented, useEmptiedStoreDatabase } from '../test/store-test-kit.ts';
import { ENTITY_SHARDS } from './entity-shards.ts';
import { storeFeedBatch } from './store-feed-batch.ts';

const { database } = useEmptiedStoreDatabase();
const context = testIngestContext();

describe('a part and the shard locks', () => {
  it('inserts its events while another transaction holds its shards, and folds them once they are free', async () => {
    const db = database().db;
    // Another transaction holds every shard of the force's call handling, as one folding calls does.
    let release = () => {};
    const released = new Promise<void>((resolve) => (release = resolve));
    let holding = () => {};
    const held = new Promise<void>((resolve) => (holding = resolve));
    const holder = db.transaction().execute(async (trx) => {
      const shards = Array.from({ length: ENTITY_SHARDS }, (_, shard) => ({
        feed: 'call-handling',
        forceId: 'avon-and-somerset',
        shard,
      }));
      await lockForIngest(trx, shards);
      holding();
      await released;
    });
    await held;

    const storing = storeFeedBatch(
      db,
      { feed: 'call-handling', inputs: [presented('c1'), presented('c2'), answered('c1')], source: 'test' },
      context,
    );
    try {
      // It waits for the shard locks with its events inserted already (the insert's lock on
      // event_ids is held): the longest statement does not wait behind another fold.
      await vi.waitFor(
        async () => {
          const { rows } = await sql<{ inserted: boolean }>`
            select exists (
              select 1 from pg_locks l join pg_class c on c.oid = l.relation
              where l.pid = a.pid and c.relname = 'event_ids' and l.mode = 'RowExclusiveLock'
            ) as inserted
            from pg_stat_activity a
            where a.datname = current_database() and a.wait_event_type = 'Lock' and a.wait_event = 'advisory'`.execute(
            db,
          );
          expect(rows).toEqual([{ inserted: true }]);
        },
        { timeout: 5_000 },
      );
      // Nothing of it is visible before it commits.
      const visible = await db
        .selectFrom('events')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .executeTakeFirst();
      expect(Number(visible?.n)).toBe(0);
    } finally {
      release();
      await holder;
    }
    expect(await storing).toMatchObject({ offered: 3, stored: 3, duplicate: 0, rejected: 0 });
  });
});
