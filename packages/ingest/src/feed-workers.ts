import type { Db } from '@rollcall/db';
import { FEEDS, type Feed } from '@rollcall/events';
import type { Logger } from '@rollcall/logger';
import { createWorker, feedQueueName } from '@rollcall/queue';
import type { Job, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { feedJobInputs } from './feed-job-inputs.ts';
import type { IngestContext } from './prepare-event.ts';
import type { FeedBatchOutcome } from './store-feed-batch.ts';
import { storeFeedBatchSafely } from './store-feed-batch-safely.ts';

export interface FeedWorkersOptions {
  readonly db: Db;
  /** Worker connection (`maxRetriesPerRequest: null`). */
  readonly connection: Redis;
  readonly prefix: string;
  readonly context: IngestContext;
  readonly concurrency: number;
  readonly log: Logger;
  readonly feeds?: readonly Feed[];
  /** Job lock duration and stalled-check interval, ms. */
  readonly lockDurationMs?: number;
  /** Called after each job's transaction committed, e.g. to observe metrics. */
  readonly onBatch?: (feed: Feed, outcome: FeedBatchOutcome, seconds: number) => void;
}

/**
 * One BullMQ worker per feed queue. A job completes only after its events are committed; its
 * return value is the outcome counts, so `offered = stored + duplicate + rejected` can be read
 * per job as well as per feed.
 */
export function createFeedWorkers(options: FeedWorkersOptions): Worker[] {
  return (options.feeds ?? FEEDS).map((feed) => {
    const queue = feedQueueName(feed);
    const log = options.log.child({ feed, queue });
    let jobsStarted = 0;
    const processor = async (job: Job): Promise<FeedBatchOutcome> => {
      const started = performance.now();
      const inputs = feedJobInputs(job.data);
      // Successive jobs start at different sub-batches, so concurrent jobs overlap instead of
      // queueing for the same shard locks in step.
      const startAt = jobsStarted++;
      const outcome = await storeFeedBatchSafely(
        options.db,
        { feed, inputs, source: `queue ${queue} job ${job.id ?? '?'}` },
        options.context,
        log,
        { startAt },
      );
      const seconds = (performance.now() - started) / 1000;
      options.onBatch?.(feed, outcome, seconds);
      log.debug({ jobId: job.id, ...outcome, ms: Math.round(seconds * 1000) }, 'batch stored');
      return outcome;
    };
    return createWorker(queue, processor, {
      connection: options.connection,
      prefix: options.prefix,
      concurrency: options.concurrency,
      log,
      ...(options.lockDurationMs !== undefined && { lockDurationMs: options.lockDurationMs }),
    });
  });
}
