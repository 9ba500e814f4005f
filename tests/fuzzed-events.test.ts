import { createCalendar } from '@rollcall/calendar';
import { checkAccounting, readAccounting } from '@rollcall/db';
import { FEEDS, type Feed, type FeedEvent } from '@rollcall/contract';
import { replayAggregates } from '@rollcall/store';
import { feedQueueName } from '@rollcall/queue';
import { Random, simulateForceMonth } from '@rollcall/simulator';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PipelineHarness } from './support/pipeline-harness.ts';

/**
 * quality.md: "10,000 fuzzed events (mutations of valid ones): each lands in rejected events with
 * its reason or is stored; no worker crash; offered = stored + duplicate + rejected per feed;
 * nothing lost, nothing unexplained". Mutations are seeded, so a failure reproduces.
 */
const FUZZED = 10_000;
const SECRET = 'PNC-FUZZ-';

let harness: PipelineHarness;
beforeAll(async () => {
  harness = await PipelineHarness.start();
});
afterAll(async () => {
  await harness.close();
});

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** One random mutation of a valid event: the kinds of damage a real producer does. */
function mutate(event: FeedEvent, random: Random, previous: readonly Record<string, Json>[]): Json {
  const copy = JSON.parse(JSON.stringify(event)) as Record<string, Json> & { payload: Record<string, Json> };
  const pick = <T>(items: readonly T[]): T => items[random.integer(0, items.length - 1)]!;
  const junk = (): Json =>
    pick<() => Json>([
      () => null,
      () => random.integer(-1e9, 1e9),
      () => 'x'.repeat(random.integer(0, 300)),
      () => 'bad \u0000 byte',
      () => '\ud800 lone surrogate',
      () => [1, 'two', { three: 3 }],
      () => ({ personRef: `${SECRET}${random.integer(0, 1e6)}` }),
      () => true,
      () => 1.5e300, // near the top of the double range
    ])();
  switch (random.integer(0, 13)) {
    case 0:
      return copy; // left valid
    case 1:
      delete copy[pick(Object.keys(copy))];
      return copy;
    case 2: {
      const keys = Object.keys(copy.payload);
      if (keys.length > 0) delete copy.payload[pick(keys)];
      return copy;
    }
    case 3:
      copy[pick(Object.keys(copy))] = junk();
      return copy;
    case 4: {
      const keys = Object.keys(copy.payload);
      if (keys.length > 0) copy.payload[pick(keys)] = junk();
      return copy;
    }
    case 5:
      copy.occurredAt = String(copy.occurredAt).replace(/(Z|[+-]\d\d:\d\d)$/, '');
      return copy;
    case 6:
      copy.forceId = pick(['atlantis', 'AVON', '', 'avon-and-somerset ']);
      return copy;
    case 7:
      copy.schemaVersion = pick<Json>([2, '1', 0, null]);
      return copy;
    case 8:
      copy.type = pick(['call.held', 'wanted.found', '', 'stop-search.recorded']);
      return copy;
    case 9:
      // An exact duplicate of something offered before, or a conflicting one (same id, other content).
      if (previous.length === 0) return copy;
      return random.chance(0.5)
        ? previous[random.integer(0, previous.length - 1)]!
        : { ...previous[random.integer(0, previous.length - 1)]!, occurredAt: '2024-01-15T12:00:00Z' };
    case 10: {
      let deep: Json = { personRef: `${SECRET}deep` };
      for (let i = 0; i < random.integer(30, 3_000); i++) deep = { next: deep };
      copy.payload.deep = deep;
      return copy;
    }
    case 11:
      // A person reference somewhere the contract does not expect one.
      copy.payload.notes = { caller: { personRef: `${SECRET}${random.integer(0, 1e6)}`, subjectRef: `${SECRET}s` } };
      return copy;
    case 12:
      return pick<Json>(['not an event', 42, null, [copy], { events: [copy] }]);
    default:
      return { ...copy, payload: junk() };
  }
}

describe('10,000 fuzzed events through the queues and workers', () => {
  it('keeps or rejects each with a reason, crashes nothing, and accounts for every one', async () => {
    const month = simulateForceMonth({ forceId: 'avon-and-somerset', month: '2024-01', scale: 0.02, seed: 7 });
    const random = new Random(20_261_122);
    const offeredByFeed = new Map<Feed, number>();
    for (const feed of FEEDS) {
      const valid = month[feed];
      const inputs: Json[] = [];
      const previous: Record<string, Json>[] = [];
      for (let i = 0; i < FUZZED / FEEDS.length; i++) {
        const input = mutate(valid[i % valid.length]!, random, previous);
        inputs.push(input);
        if (input !== null && typeof input === 'object' && !Array.isArray(input)) previous.push(input);
      }
      await harness.offer(feed, inputs, 1_000);
      offeredByFeed.set(feed, inputs.length);
    }
    await harness.drain();

    // No job failed: every input was decided, none crashed its job.
    for (const feed of FEEDS) {
      expect(await harness.queues.queue(feedQueueName(feed)).getJobCounts('failed', 'completed')).toMatchObject({
        failed: 0,
        completed: 3,
      });
    }
    // offered = stored + duplicate + rejected, per feed, equal to what was offered.
    const accounting = await readAccounting(harness.db);
    for (const feed of FEEDS) {
      const rows = accounting.filter((row) => row.feed === feed);
      expect(rows.reduce((sum, row) => sum + row.offered, 0)).toBe(offeredByFeed.get(feed));
      expect(rows.reduce((sum, row) => sum + row.rejected, 0)).toBeGreaterThan(500);
      expect(rows.reduce((sum, row) => sum + row.stored, 0)).toBeGreaterThan(10);
    }
    // The counters agree with the tables they count, and every rejection says why.
    for (const check of await checkAccounting(harness.db)) {
      expect(check.accountedStored).toBe(check.eventsInTable);
      expect(check.accountedRejected).toBe(check.rejectedInTable);
    }
    const unexplained = await sql<{
      n: number;
    }>`select count(*)::int as n from rejected_events where length(reason) < 10`.execute(harness.db);
    expect(unexplained.rows[0]!.n).toBe(0);
    // No person reference in clear anywhere in the database.
    const leaks = await sql<{ n: number }>`
      select (select count(*) from events where concat_ws(' ', envelope::text, payload::text) like ${`%${SECRET}%`})
           + (select count(*) from entities where facts::text like ${`%${SECRET}%`})
           + (select count(*) from rejected_events where payload like ${`%${SECRET}%`} or reason like ${`%${SECRET}%`}) as n`.execute(
      harness.db,
    );
    expect(Number(leaks.rows[0]!.n)).toBe(0);
    // And what was stored folded into aggregates exactly as a full recompute gives.
    expect((await replayAggregates(harness.db, createCalendar('Europe/London'))).changedRows).toBe(0);
  });
});
