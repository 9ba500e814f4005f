import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { createTestDatabase, type TestDatabase } from '../test/index.ts';
import type { Database } from './database.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  eventKey,
  findContentHashes,
  insertNewEvents,
  type NewEvent,
  readEventsOfType,
  type StoredEventRow,
} from './events.repository.ts';
import { pendingMigrations } from './migrate.ts';
import { readCurrentReferenceVersion, readForceIds } from './reference.repository.ts';

let test: TestDatabase;
beforeAll(async () => {
  test = await createTestDatabase();
});
afterAll(async () => {
  await test.destroy();
});

const event = (eventId: string, overrides: Partial<NewEvent> = {}): NewEvent => ({
  feed: 'call-handling',
  eventId,
  type: 'call.answered',
  forceId: 'avon-and-somerset',
  occurredAt: '2022-03-01T10:00:06Z',
  entityKind: 'call',
  entityId: 'c-1',
  contentHash: `hash-${eventId}`,
  body: {
    eventId,
    feed: 'call-handling',
    type: 'call.answered',
    forceId: 'avon-and-somerset',
    note: 'it\'s "quoted" and \\ backslashed, {braced}',
    payload: { callId: 'c-1', line: '\u2028' },
  },
  ...overrides,
});

describe('the test database', () => {
  it('is migrated and holds the reference data', async () => {
    expect(await pendingMigrations(test.db)).toEqual([]);
    expect((await readForceIds(test.db)).size).toBe(43);
    expect((await readCurrentReferenceVersion(test.db))?.populationVintage).toBe('census-2011');
  });
});

describe('insertNewEvents', () => {
  it('inserts new events and reports which were new', async () => {
    const inserted = await insertNewEvents(test.db, [event('e-1'), event('e-2')]);
    expect(inserted).toEqual(new Set([eventKey('call-handling', 'e-1'), eventKey('call-handling', 'e-2')]));
    const again = await insertNewEvents(test.db, [event('e-2'), event('e-3')]);
    expect(again).toEqual(new Set([eventKey('call-handling', 'e-3')]));
  });

  it('keys events by feed: the same id on another feed is another event', async () => {
    const inserted = await insertNewEvents(test.db, [event('e-1', { feed: 'dvpo' })]);
    expect(inserted.size).toBe(1);
  });

  it('round-trips bodies with awkward characters exactly', async () => {
    const stored = await readEventsOfType(test.db, { feed: 'call-handling', type: 'call.answered' });
    expect(stored.map((row) => row.eventId)).toEqual(['e-1', 'e-2', 'e-3']);
    expect(stored[0]?.body).toEqual(event('e-1').body);
    // An event whose own feed differs from its column's (never, as the workers store) comes back whole too.
    const [onOtherFeed] = await readEventsOfType(test.db, { feed: 'dvpo', type: 'call.answered' });
    expect(onOtherFeed?.body).toEqual(event('e-1').body);
  });

  it('keeps the payload apart from the rest of the event, each as JSON text', async () => {
    const row = await test.db
      .selectFrom('events')
      .select(['envelope', 'payload'])
      .where('event_id', '=', 'e-1')
      .executeTakeFirstOrThrow();
    // Nor the fields held in columns already; the rest of the envelope (note) stays.
    const { note, payload } = event('e-1').body as { note: string; payload: unknown };
    expect(row).toEqual({ envelope: { note }, payload });
  });

  it('finds content hashes of stored events to tell duplicates from conflicts', async () => {
    const hashes = await findContentHashes(test.db, [
      { feed: 'call-handling', eventId: 'e-1' },
      { feed: 'call-handling', eventId: 'missing' },
    ]);
    expect(hashes).toEqual(new Map([[eventKey('call-handling', 'e-1'), 'hash-e-1']]));
  });
});

describe('insertNewEvents by COPY', () => {
  // Every character COPY's text format treats specially, in the identity columns and the JSON.
  const awkward = (eventId: string): NewEvent =>
    event(eventId, {
      type: 'call.awkward',
      entityId: `entity\t\\N\n${eventId}`,
      body: {
        eventId,
        feed: 'call-handling',
        type: 'call.awkward',
        forceId: 'avon-and-somerset',
        note: 'tab\there, line\nbreak\r\n, \\N and \\ alone',
        payload: { text: '\\t is not a tab\t', empty: '', nested: { list: [null, 1.5, '\u00e9\u2028'] } },
      },
    });
  const read = async (eventIds: string[]): Promise<StoredEventRow[]> =>
    (await readEventsOfType(test.db, { feed: 'call-handling', type: 'call.awkward' })).filter((row) =>
      eventIds.includes(row.eventId),
    );

  it('stores every field exactly as given, by COPY and by the fallback alike', async () => {
    const ids = ['copy\t1', 'copy\\2', 'copy\n3'];
    expect((await insertNewEvents(test.db, ids.map(awkward))).size).toBe(3);
    // A database not made by createDatabase: its connection's pg client cannot be found for COPY.
    const pool = new pg.Pool({ connectionString: test.url, max: 1 });
    const foreign = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    try {
      expect((await insertNewEvents(foreign, ['fallback-1'].map(awkward))).size).toBe(1);
    } finally {
      await foreign.destroy();
    }
    const stored = await read([...ids, 'fallback-1']);
    expect(stored).toHaveLength(4);
    for (const row of stored) {
      const offered = awkward(row.eventId);
      expect(row.body).toEqual(offered.body);
      expect(row.entityId).toBe(offered.entityId);
      expect(row.occurredAt.toISOString()).toBe('2022-03-01T10:00:06.000Z');
    }
  });

  it('claims and stores an event together: a transaction that gives up leaves neither', async () => {
    await expect(
      test.db.transaction().execute(async (trx) => {
        expect((await insertNewEvents(trx, [awkward('given-up')])).size).toBe(1);
        throw new Error('caller gives up');
      }),
    ).rejects.toThrow('caller gives up');
    expect(await read(['given-up'])).toEqual([]);
    expect(await findContentHashes(test.db, [{ feed: 'call-handling', eventId: 'given-up' }])).toEqual(new Map());
    // Offered again, it is new.
    expect((await insertNewEvents(test.db, [awkward('given-up')])).size).toBe(1);
  });

  it('refuses an event whose text PostgreSQL could not hold (22021), claiming nothing', async () => {
    await expect(insertNewEvents(test.db, [{ ...awkward('lone-1'), entityId: 'half \ud800 a pair' }])).rejects.toThrow(
      expect.objectContaining({ code: '22021' }),
    );
    expect(await findContentHashes(test.db, [{ feed: 'call-handling', eventId: 'lone-1' }])).toEqual(new Map());
  });

  it('copies only the events it claimed, those stored before left as they are', async () => {
    await insertNewEvents(test.db, [awkward('mixed-1')]);
    const again = await insertNewEvents(test.db, [{ ...awkward('mixed-1'), entityId: 'changed' }, awkward('mixed-2')]);
    expect(again).toEqual(new Set([eventKey('call-handling', 'mixed-2')]));
    expect((await read(['mixed-1', 'mixed-2'])).map((row) => row.entityId)).toEqual([
      awkward('mixed-1').entityId,
      awkward('mixed-2').entityId,
    ]);
  });

  it('claims the ids of an all-new batch by COPY under a savepoint, a subtransaction of its own', async () => {
    const xmins = await test.db.transaction().execute(async (trx) => {
      await insertNewEvents(trx, [awkward('all-new-1'), awkward('all-new-2')]);
      // A row's xmin is the transaction that wrote it: the savepoint's subtransaction for the
      // claims copied under it, the transaction itself for the events. The claim by statement
      // (the fallback) writes both under the transaction's own id.
      const { rows } = await sql<{ ids: string; events: string }>`
        select (select string_agg(distinct xmin::text, ',') from event_ids where event_id like 'all-new-%') as ids,
          (select string_agg(distinct xmin::text, ',') from events where event_id like 'all-new-%') as events`.execute(
        trx,
      );
      return rows[0];
    });
    expect(xmins?.ids).toMatch(/^\d+$/);
    expect(xmins?.events).toMatch(/^\d+$/);
    expect(xmins?.ids).not.toBe(xmins?.events);
  });

  it('falls back to the claim by statement when the copy meets a stored id after new ones, claiming each once', async () => {
    await insertNewEvents(test.db, [awkward('late-9')]);
    const counts = await test.db.transaction().execute(async (trx) => {
      // Copied in id order: late-1 and late-2 are in when late-9 is refused, and must not stay twice.
      const inserted = await insertNewEvents(trx, ['late-1', 'late-2', 'late-9'].map(awkward));
      expect(inserted).toEqual(new Set(['late-1', 'late-2'].map((id) => eventKey('call-handling', id))));
      // The transaction goes on: the refused copy was rolled back to its savepoint, not the transaction.
      const { rows } = await sql<{ ids: number; events: number }>`
        select (select count(*)::int from event_ids where event_id like 'late-%') as ids,
          (select count(*)::int from events where event_id like 'late-%') as events`.execute(trx);
      return rows[0];
    });
    expect(counts).toEqual({ ids: 3, events: 3 });
  });
});
