import { FEEDS, type FeedEvent } from '@rollcall/events';
import { Random, simulateForceMonth } from '@rollcall/simulator';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readDerivedState, resetPipelineTables } from './support/derived-state.ts';
import { PipelineHarness } from './support/pipeline-harness.ts';

const FORCE = 'avon-and-somerset';
const AS_OF = '2024-01-31';

/** A small but complete month: every feed, every lifecycle, circulations years old. */
const EVENTS: FeedEvent[] = (() => {
  const month = simulateForceMonth({ forceId: FORCE, month: '2024-01', scale: 0.01, seed: 42 });
  return FEEDS.flatMap((feed) => month[feed]);
})();

let harness: PipelineHarness;

beforeAll(async () => {
  harness = await PipelineHarness.start();
});
afterAll(async () => {
  await harness.close();
});

/**
 * Delivers the event set in the given order through the queues: most of it, then (after the
 * snapshot was published once) the delayed part, as late events. Returns what the pipeline
 * derived and the content hash of the final published snapshot.
 */
async function deliver(main: readonly FeedEvent[], delayed: readonly FeedEvent[], batchSize: number) {
  await resetPipelineTables(harness.db);
  await harness.offerEvents(main, batchSize);
  await harness.drain();
  let published = await harness.publish(FORCE, AS_OF);
  if (delayed.length > 0) {
    await harness.offerEvents(delayed, batchSize);
    await harness.drain();
    const revisions = await harness.reviseStale();
    published = revisions.at(-1) ?? published;
  }
  return { state: await readDerivedState(harness.db), contentHash: published.document.contentHash, revision: published.revision };
}

describe('order independence through the queues, workers and database', () => {
  it(`derives the same state and snapshot from ${EVENTS.length} events in any order, duplicated and delayed`, async () => {
    const inOrder = await deliver([...EVENTS].sort((a, b) => (a.occurredAt < b.occurredAt ? -1 : 1)), [], 1_000);
    expect(inOrder.state.aggregates.length).toBeGreaterThan(100);
    expect(inOrder.state.entities.length).toBeGreaterThan(500);

    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 2 ** 31 - 1 }),
        fc.integer({ min: 7, max: 1_000 }), // up to four parts per job
        fc.double({ min: 0, max: 0.3, noNaN: true }),
        fc.double({ min: 0, max: 0.1, noNaN: true }),
        async (seed, batchSize, delayedShare, duplicateShare) => {
          const random = new Random(seed);
          const shuffled = random.shuffle([...EVENTS]);
          const duplicates = shuffled.filter(() => random.chance(duplicateShare));
          const delivery = random.shuffle([...shuffled, ...duplicates]);
          const main: FeedEvent[] = [];
          const delayed: FeedEvent[] = [];
          for (const event of delivery) (random.chance(delayedShare) ? delayed : main).push(event);
          const run = await deliver(main, delayed, batchSize);
          expect(run.state.aggregates).toEqual(inOrder.state.aggregates);
          expect(run.state.entities).toEqual(inOrder.state.entities);
          expect(run.state.feedStats).toEqual(inOrder.state.feedStats);
          // The revision published after the late events has exactly the in-order content.
          expect(run.contentHash).toBe(inOrder.contentHash);
        },
      ),
      { numRuns: 5, seed: 20_240_131 },
    );
  });
});
