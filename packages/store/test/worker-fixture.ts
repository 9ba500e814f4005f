import type { Feed } from '@rollcall/contract';
import { createSilentLogger } from '@rollcall/logger';
import {
  createRedisConnection,
  FEED_QUEUE_NAMES,
  feedQueueName,
  MAX_EVENTS_PER_JOB,
  QueueFactory,
  waitForQueuesDrained,
} from '@rollcall/queue';
import { test as base, testIngestContext } from '@rollcall/testing';
import { createFeedWorkers } from '../src/feed-workers.ts';

/** Producer side of a test file's queues: offer inputs in jobs, wait until the workers took them all. */
export interface FeedQueues {
  readonly factory: QueueFactory;
  /** Offers inputs (valid or not) on a feed's queue in jobs of up to `batchSize`. */
  offer(feed: Feed, inputs: readonly unknown[], batchSize?: number): Promise<void>;
  /** Waits until every feed queue is empty and every job finished (throws on timeout). */
  drain(timeoutMs?: number): Promise<void>;
}

/**
 * `@rollcall/testing`'s `test` plus running feed workers: `feedQueues` is the file's producer, and
 * using it starts one worker per feed over the file's database and queue prefix, stopped when the
 * file ends.
 */
export const test = base
  .extend('feedWorkers', { scope: 'file' }, async ({ database, queuePrefix }, { onCleanup }) => {
    const connection = createRedisConnection(queuePrefix.url, { role: 'worker' });
    const workers = createFeedWorkers({
      db: database.db,
      connection,
      prefix: queuePrefix.prefix,
      context: testIngestContext(),
      concurrency: 2,
      log: createSilentLogger(),
    });
    onCleanup(async () => {
      await Promise.all(workers.map((worker) => worker.close()));
      connection.disconnect();
    });
    return workers;
  })
  .extend('feedQueues', { scope: 'file' }, async ({ queuePrefix, feedWorkers }, { onCleanup }): Promise<FeedQueues> => {
    if (feedWorkers.length === 0) throw new Error('no feed workers are running');
    const producer = createRedisConnection(queuePrefix.url, { role: 'producer' });
    const factory = new QueueFactory({ connection: producer, prefix: queuePrefix.prefix, log: createSilentLogger() });
    onCleanup(async () => {
      await factory.close();
      producer.disconnect();
    });
    return {
      factory,
      async offer(feed, inputs, batchSize = MAX_EVENTS_PER_JOB) {
        for (let start = 0; start < inputs.length; start += batchSize) {
          await factory.add('feed-batch', feedQueueName(feed), { events: inputs.slice(start, start + batchSize) });
        }
      },
      async drain(timeoutMs = 120_000) {
        const result = await waitForQueuesDrained(factory, FEED_QUEUE_NAMES, { timeoutMs });
        if (!result.drained)
          throw new Error(`queues not drained after ${timeoutMs} ms: ${JSON.stringify(result.outstanding)}`);
      },
    };
  });
