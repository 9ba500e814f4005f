import { checkAccounting, readAccounting } from '@rollcall/db';
import { EXAMPLE_PAYLOADS, type EventType, exampleEvent, FEEDS, type Feed, feedOfType } from '@rollcall/contract';
import { feedQueueName } from '@rollcall/queue';
import { Queue } from 'bullmq';
import fc from 'fast-check';
import { Redis } from 'ioredis';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PipelineHarness } from './support/pipeline-harness.ts';

/**
 * Issue 15's property suite: 20,000 generated inputs at the edges of every field (extreme
 * numbers, strings of every Unicode class, instants far outside any year reported on, deep and
 * wide JSON, person references in clear in every shape) offered as outside producers send them
 * (objects, JSON texts, batches of both, jobs of 1 to 200). Whatever is generated: no job fails,
 * `offered = stored + duplicate + rejected` per feed with the counters equal to the tables, no
 * reference is kept in clear in PostgreSQL or Redis, and every force still publishes.
 *
 * The seed is new each run and printed; `HOSTILE_SEED=<seed> pnpm exec vitest run
 * tests/hostile-properties.test.ts` replays a failure exactly.
 */
const INPUTS = 20_000;
const SEED = Number(process.env.HOSTILE_SEED ?? Math.floor(Math.random() * 2 ** 31));
const SECRET = 'PNC-PROP-';
const FORCES = ['avon-and-somerset', 'devon-and-cornwall', 'wiltshire'];

const TYPES = Object.keys(EXAMPLE_PAYLOADS) as EventType[];

const edgeNumber = fc.oneof(
  fc.constantFrom(
    0,
    -0,
    -1,
    1e306,
    9223372036854774,
    1e13,
    2 ** 53 + 1,
    Number.MAX_VALUE,
    Number.MIN_VALUE,
    86_400,
    86_400.0001,
    90.0000001,
    -180,
  ),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.integer(),
);
const edgeString = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.constantFrom('', '\u0000', '\ufffd', '\ud800', 'x'.repeat(129), '__proto__', 'null', '1', 'true'),
);
const edgeInstant = fc.oneof(
  fc
    .date({ min: new Date('0000-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59Z'), noInvalidDate: true })
    .map((date) => date.toISOString()),
  fc.constantFrom(
    '1970-01-01T00:00:00Z',
    '2099-12-31T23:59:59.999Z',
    '2100-01-01T00:00:00Z',
    '1969-12-31T23:59:59Z',
    '2024-03-31T00:30:00+01:00',
    '2024-03-31T01:30:00',
  ),
);
const edgeValue = fc.oneof(
  edgeNumber,
  edgeString,
  edgeInstant,
  fc.constantFrom(null, true, false, [], {}),
  fc.jsonValue({ maxDepth: 3 }),
);
const deepText = fc.integer({ min: 20, max: 1_500 }).map((depth) => `${'{"d":'.repeat(depth)}0${'}'.repeat(depth)}`);

/** One generated input: a valid event (its ids spread so lifecycles meet) with zero or more edge mutations. */
const input = fc.record({
  type: fc.constantFrom(...TYPES),
  force: fc.constantFrom(...FORCES),
  entity: fc.integer({ min: 0, max: 2_000 }),
  occurredAt: fc.date({
    min: new Date('2022-01-01T00:00:00Z'),
    max: new Date('2022-12-31T23:59:59Z'),
    noInvalidDate: true,
  }),
  mutations: fc.array(
    fc.oneof(
      { weight: 3, arbitrary: fc.tuple(fc.constant('payload-field'), edgeValue) },
      { weight: 2, arbitrary: fc.tuple(fc.constant('envelope-field'), edgeValue) },
      { weight: 2, arbitrary: fc.tuple(fc.constant('occurredAt'), edgeInstant) },
      { weight: 1, arbitrary: fc.tuple(fc.constant('deep'), deepText) },
      { weight: 1, arbitrary: fc.tuple(fc.constant('wide'), fc.integer({ min: 100, max: 1_000 })) },
      {
        weight: 2,
        arbitrary: fc.tuple(fc.constant('person-ref'), fc.constantFrom('payload', 'extra', 'note-text', 'nested-text')),
      },
    ),
    { maxLength: 3 },
  ),
  shape: fc.constantFrom('object', 'object', 'object', 'object', 'object', 'object', 'json-text'),
});
type GeneratedInput = typeof input extends fc.Arbitrary<infer T> ? T : never;

function build(generated: GeneratedInput, id: number, secret: string): { feed: Feed; input: unknown } {
  const feed = feedOfType(generated.type);
  const base = exampleEvent(generated.type, {
    eventId: `p-${id}`,
    forceId: generated.force,
    occurredAt: generated.occurredAt.toISOString(),
  }) as unknown as Record<string, unknown> & { payload: Record<string, unknown> };
  // Entities shared across events, so lifecycles are folded from several facts.
  for (const key of ['callId', 'incidentId', 'circulationId', 'caseRef', 'crimeRef', 'recordId'])
    if (key in base.payload) base.payload[key] = `${key}-${generated.entity}`;
  let event: Record<string, unknown> & { payload: Record<string, unknown> } = { ...base, payload: { ...base.payload } };
  for (const [kind, value] of generated.mutations) {
    const payloadKeys = Object.keys(event.payload);
    switch (kind) {
      case 'payload-field':
        event.payload[payloadKeys[id % payloadKeys.length]!] = value;
        break;
      case 'envelope-field':
        event = { ...event, [['eventId', 'forceId', 'schemaVersion', 'feed', 'type'][id % 5]!]: value };
        break;
      case 'occurredAt':
        event = { ...event, occurredAt: value };
        break;
      case 'deep':
        event = { ...event, deep: JSON.parse(value as string) as unknown };
        break;
      case 'wide':
        event.payload.wide = Object.fromEntries(Array.from({ length: value as number }, (_, i) => [`k${i}`, i]));
        break;
      case 'person-ref':
        if (value === 'payload') event.payload.personRef = secret;
        else if (value === 'extra') event = { ...event, extra: { a: [{ subjectRef: secret }] } };
        else if (value === 'note-text') event.payload.note = JSON.stringify({ personRef: secret });
        else event.payload.note = JSON.stringify({ inner: JSON.stringify({ subjectRef: secret }) });
        break;
    }
  }
  return { feed, input: generated.shape === 'json-text' ? JSON.stringify(event) : event };
}

let harness: PipelineHarness;
beforeAll(async () => {
  harness = await PipelineHarness.start();
});
afterAll(async () => {
  await harness.close();
});

describe(`hostile properties (seed ${SEED})`, () => {
  it(`survives ${INPUTS.toLocaleString('en-GB')} generated inputs at the edges of every field`, async () => {
    console.log(
      `hostile-properties: seed ${SEED}; replay with HOSTILE_SEED=${SEED} pnpm exec vitest run tests/hostile-properties.test.ts`,
    );
    const generated = fc.sample(input, { seed: SEED, numRuns: INPUTS });
    const sizes = fc.sample(fc.integer({ min: 1, max: 200 }), { seed: SEED, numRuns: INPUTS });
    const byFeed = new Map<Feed, unknown[]>(FEEDS.map((feed) => [feed, []]));
    generated.forEach((item, id) => {
      const { feed, input: built } = build(item, id, `${SECRET}${id}`);
      byFeed.get(feed)!.push(built);
    });

    // Added as an outside producer adds them: raw BullMQ, no validation of ours in the way.
    const queues = FEEDS.map(
      (feed) =>
        new Queue(feedQueueName(feed), { connection: { url: harness.redis.url }, prefix: harness.redis.prefix }),
    );
    try {
      let sizeIndex = 0;
      for (const [index, feed] of FEEDS.entries()) {
        const inputs = byFeed.get(feed)!;
        const jobs: { name: string; data: unknown }[] = [];
        for (let start = 0; start < inputs.length;) {
          const size = sizes[sizeIndex++ % sizes.length]!;
          const events = inputs.slice(start, start + size);
          // A job of one input is sent bare (as an object or a text), as producers do.
          jobs.push({ name: 'feed-batch', data: events.length === 1 ? events[0] : { events } });
          start += size;
        }
        await queues[index]!.addBulk(jobs);
      }
      await harness.drain(240_000);
      for (const queue of queues) expect(await queue.getFailedCount(), `failed jobs on ${queue.name}`).toBe(0);
    } finally {
      await Promise.all(queues.map((queue) => queue.close()));
    }

    // offered = stored + duplicate + rejected, per feed, equal to what was offered.
    const accounting = await readAccounting(harness.db);
    for (const feed of FEEDS) {
      const offered = accounting.filter((row) => row.feed === feed).reduce((sum, row) => sum + row.offered, 0);
      expect(offered, `offered on ${feed}`).toBe(byFeed.get(feed)!.length);
    }
    for (const check of await checkAccounting(harness.db)) {
      expect(check.accountedStored).toBe(check.eventsInTable);
      expect(check.accountedRejected).toBe(check.rejectedInTable);
    }

    // No reference in clear in PostgreSQL or Redis.
    const leaks = await sql<{ n: string }>`
      select (select count(*) from events where concat_ws(' ', envelope::text, payload::text) like ${`%${SECRET}%`})
           + (select count(*) from entities where facts::text like ${`%${SECRET}%`})
           + (select count(*) from rejected_events where payload like ${`%${SECRET}%`} or reason like ${`%${SECRET}%`}) as n`.execute(
      harness.db,
    );
    expect(Number(leaks.rows[0]!.n)).toBe(0);
    const redis = new Redis(harness.redis.url);
    try {
      const leaking: string[] = [];
      for (const key of await redis.keys(`${harness.redis.prefix}:*`)) {
        if ((await redis.type(key)) !== 'hash') continue;
        const data = await redis.hget(key, 'data');
        if (data?.includes(SECRET)) leaking.push(key);
      }
      expect(leaking).toEqual([]);
    } finally {
      redis.disconnect();
    }

    // Every force still publishes, whatever its events held.
    for (const force of FORCES)
      await expect(harness.publish(force, '2022-12-31')).resolves.toMatchObject({ forceId: force });
  });
});
