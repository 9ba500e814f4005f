import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkAccounting } from '@rollcall/db';
import { ingestNdjsonFile } from '@rollcall/importers';
import { testIngestContext } from '@rollcall/testing';
import { exampleEvent, type FeedEvent } from '@rollcall/contract';
import { feedQueueName } from '@rollcall/queue';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answeredCalls } from './support/call-events.ts';
import { measureOf, PipelineHarness } from './support/pipeline-harness.ts';

/**
 * Issue 15's hostile inputs, each as the probe that found it: one absurd number or instant in a
 * job must be rejected with its reason, never fail the job, another event, another force or a
 * snapshot; a person reference sent in any shape (object, JSON text, array of texts, nested
 * texts) must not be kept in clear anywhere.
 */
let harness: PipelineHarness;
beforeAll(async () => {
  harness = await PipelineHarness.start();
});
afterAll(async () => {
  await harness.close();
});

const call999 = (
  callId: string,
  presentedAt: string,
  btTransferSeconds: number,
  answeredAfterMs = 4_000,
): FeedEvent[] => [
  exampleEvent('call.presented', {
    eventId: `${callId}-p`,
    occurredAt: presentedAt,
    payload: { callId, btTransferSeconds },
  }),
  exampleEvent('call.answered', {
    eventId: `${callId}-a`,
    occurredAt: new Date(Date.parse(presentedAt) + answeredAfterMs).toISOString(),
    payload: { callId },
  }),
];

const rejectionOf = (eventId: string) =>
  harness.db
    .selectFrom('rejected_events')
    .select(['reason', 'payload'])
    .where('event_id', '=', eventId)
    .executeTakeFirst();
const storedIds = async (prefix: string) =>
  (await harness.db.selectFrom('events').select('event_id').where('event_id', 'like', `${prefix}%`).execute())
    .map((row) => row.event_id)
    .sort();

describe('absurd numbers in the feed contract', () => {
  it('rejects a 1e306-second BT transfer with its reason and stores the other events of its job', async () => {
    const [presented] = call999('huge', '2024-05-02T10:00:00Z', 1e306);
    const neighbours = call999('ok-huge', '2024-05-02T10:01:00Z', 2);
    await harness.offer('call-handling', [neighbours[0], presented, neighbours[1]]);
    await harness.drain();
    expect((await rejectionOf('huge-p'))?.reason).toMatch(/btTransferSeconds.*86,?400/);
    expect(await storedIds('ok-huge')).toEqual(['ok-huge-a', 'ok-huge-p']);
    const failed = await harness.queues.queue(feedQueueName('call-handling')).getFailedCount();
    expect(failed).toBe(0);
  });

  it('rejects a transfer of 9,223,372,036,854,774 seconds, and later 999 answers of the month still count', async () => {
    await harness.offerEvents(call999('int8', '2024-06-03T09:00:00Z', 9223372036854774));
    await harness.drain();
    // Enough calls that the month's counts are published rather than suppressed as small.
    await harness.offerEvents(
      Array.from({ length: 8 }, (_, i) =>
        call999(`after-int8-${i}`, `2024-06-${String(10 + i).padStart(2, '0')}T09:00:00Z`, 1),
      ).flat(),
    );
    await harness.drain();
    expect((await rejectionOf('int8-p'))?.reason).toMatch(/btTransferSeconds/);
    expect(await storedIds('after-int8')).toHaveLength(16);
    const snapshot = await harness.publish('avon-and-somerset', '2024-06-30');
    expect(measureOf(snapshot, 'calls.999.answered_within_10s', 'month')).toMatchObject({
      denominator: 8,
      numerator: 8,
    });
  });

  it('rejects a transfer of 1e13 seconds, and both forces still publish', async () => {
    await harness.offerEvents([
      ...call999('e13', '2024-07-03T09:00:00Z', 1e13),
      ...answeredCalls(5, 'e13-ok').map((event) => ({ ...event, forceId: 'devon-and-cornwall' }) as FeedEvent),
    ]);
    await harness.offerEvents(call999('e13-avon', '2024-07-04T09:00:00Z', 3));
    await harness.drain();
    expect((await rejectionOf('e13-p'))?.reason).toMatch(/btTransferSeconds/);
    await expect(harness.publish('avon-and-somerset', '2024-07-31')).resolves.toMatchObject({
      forceId: 'avon-and-somerset',
    });
    await expect(harness.publish('devon-and-cornwall', '2024-07-31')).resolves.toMatchObject({
      forceId: 'devon-and-cornwall',
    });
  });

  it.each([
    ['2999-01-01T00:00:00Z', 'far-future'],
    ['9999-12-31T23:59:59Z', 'year-9999'],
    ['1800-06-01T12:00:00Z', 'far-past'],
    ['0000-01-01T00:00:00Z', 'year-0'],
  ])('rejects an instant outside the documented window (%s) with its reason', async (occurredAt, id) => {
    await harness.offerEvents([
      exampleEvent('wanted.circulated', { eventId: `window-${id}`, occurredAt, payload: { circulationId: `w-${id}` } }),
    ]);
    await harness.drain();
    expect((await rejectionOf(`window-${id}`))?.reason).toMatch(/occurredAt: .*1970-01-01.*2100-01-01/);
  });

  it('ignores, with a flag, a 999 answer timed more than a day after the call was presented', async () => {
    await harness.offerEvents(call999('late-answer', '2024-08-01T09:00:00Z', 1, 3 * 86_400_000));
    await harness.drain();
    const entity = await harness.db
      .selectFrom('entities')
      .select(['status', 'flags'])
      .where('entity_id', '=', 'late-answer')
      .executeTakeFirstOrThrow();
    expect(entity.status).toBe('waiting');
    expect(JSON.stringify(entity.flags)).toMatch(/more than 24 hours after call\.presented/);
  });

  it('keeps the accounting whatever was offered', async () => {
    for (const check of await checkAccounting(harness.db)) {
      expect(check.accountedStored).toBe(check.eventsInTable);
      expect(check.accountedRejected).toBe(check.rejectedInTable);
    }
  });
});

describe('bytes and sizes', () => {
  it('reads a file with a line nested 5,000 deep to its end: that line rejected with its reason, the rest queued and stored', async () => {
    // Written as text: JSON.stringify itself overflows its stack on this depth.
    const deep = `${'{"d":'.repeat(5_000)}"bottom"${'}'.repeat(5_000)}`;
    const lines = [
      JSON.stringify(
        exampleEvent('wanted.circulated', { eventId: 'deep-before', payload: { circulationId: 'deep-before' } }),
      ),
      JSON.stringify({
        ...exampleEvent('wanted.circulated', { eventId: 'deep-line', payload: { circulationId: 'deep-line' } }),
        extra: '__DEEP__',
      }).replace('"__DEEP__"', deep),
      JSON.stringify(
        exampleEvent('wanted.circulated', { eventId: 'deep-after', payload: { circulationId: 'deep-after' } }),
      ),
    ];
    const dir = await mkdtemp(join(tmpdir(), 'rollcall-hostile-'));
    try {
      const path = join(dir, 'deep.ndjson');
      await writeFile(path, `${lines.join('\n')}\n`);
      const summary = await ingestNdjsonFile({
        path,
        feed: 'wanted-persons',
        db: harness.db,
        queues: harness.queues,
        context: testIngestContext(),
      });
      expect(summary).toMatchObject({ lines: 3, accepted: 2, rejected: 1 });
      expect(summary.rejections[0]).toMatchObject({
        line: 2,
        reason: expect.stringMatching(/extra(\.d)+: nested more than 32 levels deep/),
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    await harness.drain();
    expect(await storedIds('deep-')).toEqual(['deep-after', 'deep-before']);
  });

  it('refuses a payload holding __proto__ instead of dropping the key, so a re-send without it is not its duplicate', async () => {
    const event = exampleEvent('wanted.arrested', { eventId: 'proto-1', payload: { circulationId: 'proto-1' } });
    const withProto = JSON.parse(
      JSON.stringify(event).replace('"payload":{', '"payload":{"__proto__":{"x":1},'),
    ) as unknown;
    await harness.offer('wanted-persons', [withProto]);
    await harness.drain();
    expect((await rejectionOf('proto-1'))?.reason).toBe(
      "payload.__proto__: a key that cannot be kept as data (JavaScript reads it as the object's prototype); rename it",
    );
    await harness.offer('wanted-persons', [event]);
    await harness.drain();
    expect(await storedIds('proto-1')).toEqual(['proto-1']);
  });

  it('refuses a job of more than 10,000 events whole, at once, with its reason; one of 1,500 is stored', async () => {
    const events = (prefix: string, count: number) =>
      Array.from({ length: count }, (_, i) =>
        exampleEvent('dvpo.breached', { eventId: `${prefix}-${i}`, payload: { caseRef: `${prefix}-${i % 50}` } }),
      );
    const raw = new Queue(feedQueueName('dvpo'), {
      connection: { url: harness.redis.url },
      prefix: harness.redis.prefix,
    });
    try {
      const huge = await raw.add('feed-batch', { events: events('oversize', 10_001) });
      const large = await raw.add('feed-batch', { events: events('large', 1_500) });
      await harness.drain();
      const failed = await raw.getJob(huge.id!);
      expect(await failed?.getState()).toBe('failed');
      expect(failed?.attemptsMade).toBe(1);
      expect(failed?.failedReason).toBe(
        'job holds 10,001 events; a worker takes at most 10,000 in one job (the contract says 1,000): split it into jobs of 1,000 and send them again',
      );
      expect(await (await raw.getJob(large.id!))?.getState()).toBe('completed');
    } finally {
      await raw.close();
    }
    expect(await storedIds('oversize-')).toEqual([]);
    expect(await storedIds('large-')).toHaveLength(1_500);
  });

  it('keeps a 20 MB event cut to 64 KB, with its full length and hash', async () => {
    const huge = exampleEvent('wanted.circulated', { eventId: 'huge-20mb', payload: { circulationId: 'huge-20mb' } });
    await harness.offer('wanted-persons', [{ ...huge, notes: 'x'.repeat(20_000_000) }]);
    await harness.drain();
    const kept = await rejectionOf('huge-20mb');
    expect(kept?.reason).toMatch(/^event: 20,000,\d{3} characters long; the limit is 65,536$/);
    expect(kept?.payload.length).toBeLessThan(65_536 + 200);
    expect(kept?.payload).toMatch(/… \[cut: 20,000,\d{3} characters in all, sha256 [0-9a-f]{64}\]$/);
  });
});

describe('person references in every shape a producer may send', () => {
  const SECRET = 'PNC-CLEAR-4242';
  const circulated = (eventId: string) =>
    exampleEvent('wanted.circulated', { eventId, payload: { circulationId: eventId, personRef: SECRET } });

  /** Every place a clear reference could be kept: stored events, rejections, and the queue's own keys. */
  async function placesHolding(secret: string): Promise<string[]> {
    const places: string[] = [];
    const events = await harness.db.selectFrom('events').select(['event_id', 'envelope', 'payload']).execute();
    for (const row of events)
      if (JSON.stringify([row.envelope, row.payload]).includes(secret)) places.push(`events ${row.event_id}`);
    const rejected = await harness.db.selectFrom('rejected_events').select(['id', 'payload', 'reason']).execute();
    for (const row of rejected)
      if (row.payload.includes(secret) || row.reason.includes(secret)) places.push(`rejected_events ${row.id}`);
    const redis = new Redis(harness.redis.url);
    try {
      for (const key of await redis.keys(`${harness.redis.prefix}:*`)) {
        const type = await redis.type(key);
        const values =
          type === 'hash'
            ? Object.values(await redis.hgetall(key))
            : type === 'string'
              ? [await redis.get(key)]
              : type === 'list'
                ? await redis.lrange(key, 0, -1)
                : [];
        if (values.some((value) => value?.includes(secret))) places.push(`redis ${key}`);
      }
    } finally {
      redis.disconnect();
    }
    return places;
  }

  it('pseudonymises an event sent as JSON text, a batch of texts and texts nested in fields, in the database and in Redis', async () => {
    const queue = harness.queues.queue(feedQueueName('wanted-persons'));
    // Added raw, as another producer would, bypassing our own producer's validation.
    const raw = new Queue(feedQueueName('wanted-persons'), {
      connection: { url: harness.redis.url },
      prefix: harness.redis.prefix,
    });
    try {
      await raw.add('feed-batch', JSON.stringify(circulated('shape-text')));
      await raw.add('feed-batch', {
        events: [JSON.stringify(circulated('shape-batch-text')), circulated('shape-object')],
      });
      await raw.add('feed-batch', {
        events: [
          {
            ...circulated('shape-nested'),
            payload: { ...circulated('shape-nested').payload, note: JSON.stringify({ personRef: SECRET }) },
          },
        ],
      });
      await raw.add('feed-batch', { events: [JSON.stringify(JSON.stringify(circulated('shape-double-text')))] });
      await harness.drain();
    } finally {
      await raw.close();
    }
    expect(await queue.getFailedCount()).toBe(0);
    expect(await placesHolding(SECRET)).toEqual([]);
    expect((await rejectionOf('shape-text'))?.reason).toMatch(/JSON text/);
    expect(await storedIds('shape-object')).toEqual(['shape-object']);
  });
});
