import { createSilentLogger } from '@rollcall/logger';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestQueueDatabase, createTestRedis, type TestQueueDatabase } from '../test/index.ts';
import { jsonbRefuses, jsonbSafeFeedBatch } from './jsonb-safe-events.ts';
import { PostgresQueueStore, queueSchemaFor } from './queue-backend.ts';
import { QueueFactory } from './queue-factory.ts';

const NUL = { eventId: 'nul', payload: { note: 'a\u0000b' } };
const LONE_HIGH = { eventId: 'lone', payload: { note: 'x\ud800y' } };
const LONE_LOW = { eventId: 'low', payload: { note: '\udc00' } };
const PAIRED = { eventId: 'pair', payload: { note: '\ud83d\ude00' } };
const ESCAPED_BACKSLASH = { eventId: 'text', payload: { note: '\\u0000 is six characters here' } };

describe('which values PostgreSQL jsonb refuses', () => {
  it('finds U+0000 and unpaired surrogates, not paired ones or an escaped backslash before u0000', () => {
    expect([NUL, LONE_HIGH, LONE_LOW].map(jsonbRefuses)).toEqual([true, true, true]);
    expect([PAIRED, ESCAPED_BACKSLASH, 'plain text', 42].map(jsonbRefuses)).toEqual([false, false, false, false]);
  });

  it('sends only those events as their JSON text, which parses back to the same value', () => {
    const data = { events: [PAIRED, NUL, LONE_HIGH] };
    const safe = jsonbSafeFeedBatch<{ events: unknown[] }>(data);
    expect(safe.events[0]).toBe(PAIRED);
    expect(safe.events.slice(1).map((event) => JSON.parse(event as string))).toEqual([NUL, LONE_HIGH]);
    expect(jsonbSafeFeedBatch({ events: [PAIRED] })).toEqual({ events: [PAIRED] });
  });
});

describe('a feed batch holding them, on PostgreSQL queues', () => {
  const redis = createTestRedis();
  let database: TestQueueDatabase;
  let store: PostgresQueueStore;
  let queues: QueueFactory;
  beforeAll(async () => {
    database = await createTestQueueDatabase();
    store = new PostgresQueueStore(database.url, queueSchemaFor(redis.prefix));
    queues = new QueueFactory({ connection: store, prefix: redis.prefix, log: createSilentLogger() });
  });
  afterAll(async () => {
    await queues.close();
    await store.close();
    await database.destroy();
  });

  it('is queued whole (jsonb would refuse the job), every event readable as it was sent', async () => {
    const events = [NUL, LONE_HIGH, LONE_LOW, PAIRED, ESCAPED_BACKSLASH];
    const id = await queues.add('feed-batch', 'feed.dvpo', { events });
    const job = await queues.queue('feed.dvpo').getJob(id!);
    const stored = (job!.data as { events: unknown[] }).events;
    expect(stored.map((event) => (typeof event === 'string' ? JSON.parse(event) : event))).toEqual(events);
  });
});
