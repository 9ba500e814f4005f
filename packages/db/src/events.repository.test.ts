import { createTestDatabase, type TestDatabase } from '../test/index.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventKey, findContentHashes, insertNewEvents, type NewEvent, readEventsOfType } from './events.repository.ts';
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
  it('inserts new events in one statement and reports which were new', async () => {
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
