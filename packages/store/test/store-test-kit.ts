import { exampleEvent } from '@rollcall/contract';
import { createTestDatabase, type TestDatabase } from '@rollcall/testing';
import type { DbOrTransaction } from '@rollcall/db';
import { sql } from 'kysely';
import { afterAll, beforeAll, beforeEach } from 'vitest';

/** A call offered on 1 March 2022 (999, answered or not), by its call id. */
export const presented = (callId: string, occurredAt = '2022-03-01T10:00:00Z') =>
  exampleEvent('call.presented', { eventId: `${callId}-p`, occurredAt, payload: { callId, btTransferSeconds: 2 } });
/** Its answer, 5 s later by default. */
export const answered = (callId: string, occurredAt = '2022-03-01T10:00:05Z') =>
  exampleEvent('call.answered', { eventId: `${callId}-a`, occurredAt, payload: { callId } });

/**
 * A database of the test file's own, emptied of stored events and everything derived from them
 * before each test. `database()` is valid inside the tests.
 */
export function useEmptiedStoreDatabase(): { database: () => TestDatabase } {
  let test: TestDatabase | undefined;
  beforeAll(async () => {
    test = await createTestDatabase();
  });
  afterAll(async () => {
    await test?.destroy();
  });
  beforeEach(async () => {
    // Truncate, not delete: published snapshots refuse DELETE.
    await sql`truncate events, event_ids, entities, daily_aggregates, monthly_aggregates, ingest_parts, daily_feed_stats, event_accounting, rejected_events, snapshot_heads, snapshots cascade`.execute(
      database().db,
    );
  });
  const database = () => {
    if (test === undefined) throw new Error('the test database is made in beforeAll');
    return test;
  };
  return { database };
}

/**
 * Runs `work` while PostgreSQL raises `errcode` (default 22023, a data exception: "value
 * refused") on inserting the event `eventId`: a real refusal by the database, from a trigger.
 */
export async function whileEventRefused<T>(
  db: DbOrTransaction,
  eventId: string,
  work: () => Promise<T>,
  refusal: { errcode: string; message: string } = { errcode: '22023', message: 'value refused' },
): Promise<T> {
  await sql`create or replace function refuse_event() returns trigger language plpgsql as $$
            begin if new.event_id = ${sql.lit(eventId)} then raise exception ${sql.lit(refusal.message)} using errcode = ${sql.lit(refusal.errcode)}; end if; return new; end $$`.execute(
    db,
  );
  await sql`create trigger refuse_event before insert on events for each row execute function refuse_event()`.execute(
    db,
  );
  try {
    return await work();
  } finally {
    await sql`drop trigger refuse_event on events`.execute(db);
  }
}
