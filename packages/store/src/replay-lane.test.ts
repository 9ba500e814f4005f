import { connectionSettingsOf, exportReplaySnapshot } from '@rollcall/db';
import { testIngestContext } from '@rollcall/testing';
import { describe, expect, it } from 'vitest';
import { answered, presented, useEmptiedStoreDatabase } from '../test/store-test-kit.ts';
import { startReplayLane } from './replay-lane.ts';
import { storeFeedBatch } from './store-feed-batch.ts';

const { database } = useEmptiedStoreDatabase();
const context = testIngestContext();

/** A lane over everything stored, on its thread, read in an open transaction's snapshot. */
async function withLane<T>(
  hooks: Parameters<typeof startReplayLane>[1],
  use: (lane: ReturnType<typeof startReplayLane>) => Promise<T>,
): Promise<T> {
  const db = database().db;
  await storeFeedBatch(
    db,
    { feed: 'call-handling', inputs: [presented('c1'), presented('c2'), answered('c1')], source: 'test' },
    context,
  );
  return db.transaction().execute(async (trx) => {
    const snapshot = await exportReplaySnapshot(trx);
    const lane = startReplayLane(
      {
        connection: connectionSettingsOf(db),
        source: { snapshot, lane: 0, lanes: 1, shards: 2 },
        timeZone: 'Europe/London',
        from: null,
        to: null,
      },
      hooks,
    );
    return use(lane);
  });
}

describe('a replay lane on a thread of its own', () => {
  it('folds the events of its entities and posts their sums and feed-day counts', async () => {
    let reported = 0;
    const result = await withLane({ onFirstEvents: () => {}, onEvents: (n) => (reported += n) }, (lane) => lane.done);
    expect(result).toMatchObject({ events: 3, entities: 2 });
    expect(reported).toBe(3);
    expect(result.feedDays).toEqual([
      expect.objectContaining({ forceId: 'avon-and-somerset', feed: 'call-handling', day: '2022-03-01', events: 3 }),
    ]);
    expect(result.sums.values.length).toBeGreaterThan(0);
  });

  it("fails, and does not end the process, when a hook throws on the thread's message", async () => {
    const failing = () => {
      throw new Error('progress display failed');
    };
    await expect(withLane({ onFirstEvents: failing, onEvents: () => {} }, (lane) => lane.done)).rejects.toThrow(
      'progress display failed',
    );
  });
});
