import { createCalendar } from '@rollcall/calendar';
import { FEEDS } from '@rollcall/contract';
import { replayAggregates } from '@rollcall/store';
import { simulateForceMonth } from '@rollcall/simulator';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { readDerivedState } from './support/derived-state.ts';
import { PipelineHarness } from './support/pipeline-harness.ts';

const calendar = createCalendar('Europe/London');
let harness: PipelineHarness;

beforeAll(async () => {
  harness = await PipelineHarness.start();
  const month = simulateForceMonth({ forceId: 'avon-and-somerset', month: '2024-01', scale: 0.02, seed: 7 });
  await harness.offerEvents(
    FEEDS.flatMap((feed) => month[feed]),
    500,
  );
  await harness.drain();
});
afterAll(async () => {
  await harness.close();
});

describe('rollcall replay', () => {
  it('rebuilds exactly what live processing produced', async () => {
    const live = await readDerivedState(harness.db);
    const result = await replayAggregates(harness.db, calendar, { entities: true });
    expect(result.events).toBeGreaterThan(4_000);
    expect(result.changedRows).toBe(0);
    expect(result.entities).toBe(live.entities.length);
    expect(await readDerivedState(harness.db)).toEqual(live);
  });

  it('gives the same state read on one connection and on three, each its own entities', async () => {
    const live = await readDerivedState(harness.db);
    // 4,000+ events, some 700 kB of COPY text: chunks end mid-row, and shards end mid-chunk.
    for (const shards of [1, 3]) {
      const result = await replayAggregates(harness.db, calendar, { entities: true, shards });
      expect(result.changedRows).toBe(0);
      expect(result.events).toBe(live.feedStats.reduce((n, row) => n + row.events, 0));
      expect(result.entities).toBe(live.entities.length);
      expect(await readDerivedState(harness.db)).toEqual(live);
    }
  });

  it('gives the same aggregates and feed stats folded on one lane, two and three, each its own threads', async () => {
    const live = await readDerivedState(harness.db);
    for (const lanes of [1, 2, 3]) {
      const progress: number[] = [];
      const result = await replayAggregates(harness.db, calendar, { lanes, onProgress: (done) => progress.push(done) });
      expect(result.changedRows).toBe(0);
      expect(result.events).toBe(live.feedStats.reduce((n, row) => n + row.events, 0));
      expect(result.entities).toBe(live.entities.length);
      expect(progress.at(-1)).toBe(result.events);
      expect(await readDerivedState(harness.db)).toEqual(live);
    }
  });

  it('fails, and only fails, when its progress callback throws, whichever lane reported', async () => {
    const live = await readDerivedState(harness.db);
    // Whichever lane reports first, this thread's or the other's by message (replay-lane.test.ts
    // holds the message's case alone, where a throw would otherwise end the process).
    const failing = (done: number) => {
      if (done > 0) throw new Error('progress display failed');
    };
    await expect(replayAggregates(harness.db, calendar, { lanes: 2, onProgress: failing })).rejects.toThrow(
      'progress display failed',
    );
    expect(await readDerivedState(harness.db)).toEqual(live);
  });

  it("counts its progress against PostgreSQL's estimate of the events, and ends on those it read", async () => {
    const progress: [number, number][] = [];
    // Unanalyzed, the planner guesses from the tables' sizes; analyzed, it is close (its sums over
    // the month partitions round: 4,102 for 4,098 events here).
    await sql`analyze events`.execute(harness.db);
    const result = await replayAggregates(harness.db, calendar, {
      onProgress: (done, total) => progress.push([done, total]),
    });
    const [started, estimate] = progress[0] ?? [];
    expect(started).toBe(0);
    expect(Math.abs((estimate ?? 0) - result.events)).toBeLessThan(result.events * 0.02);
    expect(progress.at(-1)).toEqual([result.events, result.events]);
    for (const [done, total] of progress) expect(done).toBeLessThanOrEqual(total);
  });

  it('repairs aggregates that drifted, and marks the snapshots it changes for revision', async () => {
    const live = await readDerivedState(harness.db);
    const published = await harness.publish('avon-and-somerset', '2024-01-31');
    await sql`update daily_aggregates set value = value + 5 where metric = 'calls.presented' and day = '2024-01-10'`.execute(
      harness.db,
    );
    await sql`delete from daily_aggregates where metric = 'wanted.open' and day < '2023-01-01'`.execute(harness.db);
    const result = await replayAggregates(harness.db, calendar);
    expect(result.changedRows).toBeGreaterThan(2);
    expect(result.staleSnapshotHeads).toBe(1);
    expect(await readDerivedState(harness.db)).toEqual(live);
    // Republishing finds the figures back where they were: no new revision.
    const [revised] = await harness.reviseStale();
    expect(revised).toMatchObject({ created: false, snapshotId: published.snapshotId });
  });

  it('repairs a monthly sum that drifted while its days are right, and marks the snapshots that read it', async () => {
    const live = await readDerivedState(harness.db);
    const published = await harness.publish('avon-and-somerset', '2024-01-31');
    await sql`update monthly_aggregates set value = value + 3 where metric = 'calls.presented' and month = '2024-01-01'`.execute(
      harness.db,
    );
    const result = await replayAggregates(harness.db, calendar);
    expect(result.changedRows).toBe(0); // no daily row differed
    expect(result.staleSnapshotHeads).toBe(1);
    expect(await readDerivedState(harness.db)).toEqual(live);
    const [revised] = await harness.reviseStale();
    expect(revised).toMatchObject({ created: false, snapshotId: published.snapshotId });
  });

  it('rewrites only the days of a range, leaving the others as they are', async () => {
    await sql`update daily_aggregates set value = value + 1 where metric = 'calls.presented' and day in ('2024-01-05', '2024-01-20')`.execute(
      harness.db,
    );
    const result = await replayAggregates(harness.db, calendar, { from: '2024-01-15', to: '2024-01-31' });
    expect(result.changedRows).toBe(2);
    const rows = await harness.db
      .selectFrom('daily_aggregates')
      .select(['day', 'value'])
      .where('metric', '=', 'calls.presented')
      .where('dim', '=', '999')
      .where('day', 'in', ['2024-01-05', '2024-01-20'])
      .orderBy('day')
      .execute();
    const live = (await readDerivedState(harness.db)).aggregates;
    const jan20 = live.find((row) => row.metric === 'calls.presented' && row.dim === '999' && row.day === '2024-01-20');
    expect(rows[1]?.value).toBe(jan20?.value);
    // 5 January was outside the range: its drift is still there for a full replay to fix.
    await replayAggregates(harness.db, calendar);
    const fixed = await harness.db
      .selectFrom('daily_aggregates')
      .select('value')
      .where('metric', '=', 'calls.presented')
      .where('dim', '=', '999')
      .where('day', '=', '2024-01-05')
      .executeTakeFirstOrThrow();
    expect(fixed.value).toBe((rows[0]?.value ?? 0) - 1);
  });

  it.each([
    {
      // b-15 hashes into the first of the 4 shards (hashtext 6,846,413 of 2^31, below 1/15), so the
      // failure comes while the next shard is asked for and not yet read.
      failing: 'one shard',
      entityId: 'b-15',
      options: { entities: true, shards: 4 },
    },
    {
      // b-1 hashes into the second of two lanes (hashtext 1,936,671,604 of 2^31): its thread reads it.
      failing: 'a lane on another thread',
      entityId: 'b-1',
      options: { lanes: 2 },
    },
  ])(
    'fails whole when $failing fails, leaving the state as it was and no reading connection behind',
    async ({ entityId, options }) => {
      const live = await readDerivedState(harness.db);
      await sql`insert into events (feed, event_id, type, force_id, occurred_at, entity_kind, entity_id, envelope, payload)
      values ('call-handling', 'bogus-1', 'call.answered', 'avon-and-somerset', '2024-01-10T12:00:00Z', 'bogus',
              ${entityId}, '{}', '{}')`.execute(harness.db);
      try {
        await expect(replayAggregates(harness.db, calendar, options)).rejects.toThrow(
          'stored event bogus-1 has unknown entity kind bogus',
        );
        expect(await readDerivedState(harness.db)).toEqual(live);
        // The other shards (and lanes) stopped and ended their connections: a backend goes once its socket closes.
        await vi.waitFor(async () => {
          const { rows } = await sql<{ n: number }>`select count(*)::int as n from pg_stat_activity
          where datname = current_database() and query ilike 'copy (%'`.execute(harness.db);
          expect(rows[0]?.n).toBe(0);
        });
      } finally {
        await sql`delete from events where event_id = 'bogus-1'`.execute(harness.db);
      }
      expect((await replayAggregates(harness.db, calendar, options)).changedRows).toBe(0);
      expect(await readDerivedState(harness.db)).toEqual(live);
    },
  );

  it("counts each event under its type's feed, and refuses a stored type the contract does not have", async () => {
    const live = await readDerivedState(harness.db);
    // The feed is not read but taken from the type: the rebuilt feed stats are live's, feed by feed.
    expect((await replayAggregates(harness.db, calendar)).changedRows).toBe(0);
    expect((await readDerivedState(harness.db)).feedStats).toEqual(live.feedStats);
    expect(new Set(live.feedStats.map((row) => row.feed))).toEqual(new Set(FEEDS));

    await sql`insert into events (feed, event_id, type, force_id, occurred_at, entity_kind, entity_id, envelope, payload)
      values ('call-handling', 'retired-1', 'call.teleported', 'avon-and-somerset', '2024-01-10T12:00:00Z', 'call',
              'c-retired', '{}', '{}')`.execute(harness.db);
    try {
      await expect(replayAggregates(harness.db, calendar)).rejects.toThrow(
        'stored event retired-1 has type call.teleported, which no feed of the contract has',
      );
      expect(await readDerivedState(harness.db)).toEqual(live);
    } finally {
      await sql`delete from events where event_id = 'retired-1'`.execute(harness.db);
    }
  });
});
