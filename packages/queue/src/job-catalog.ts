import type { Feed } from '@rollcall/contract';
import type { JobsOptions } from 'bullmq';
import { z } from 'zod';
import { type FeedQueueName, feedQueueName, NIGHTLY_QUEUE, SNAPSHOTS_PUBLISHED_QUEUE } from './queue-names.ts';

/** A feed job carries one event or up to this many (feeds.md, "Queues"). */
export const MAX_EVENTS_PER_JOB = 1_000;

/**
 * Data of a job on a feed queue. The envelope of each event is not checked here: a bad event is
 * the worker's to reject and keep with its reason, one by one, never a reason to drop the job.
 */
export const FeedJobData = z.union([
  z.object({ events: z.array(z.unknown()).min(1).max(MAX_EVENTS_PER_JOB) }),
  z.looseObject({ eventId: z.unknown() }),
]);
export type FeedJobData = z.infer<typeof FeedJobData>;

export const SnapshotPublishedData = z.object({
  snapshotId: z.string(),
  forceId: z.string(),
  asOf: z.string(),
  revision: z.number().int().positive(),
  supersedes: z.string().nullable(),
  contentHash: z.string(),
  generatedAt: z.string(),
  /** The JSON file written in SNAPSHOT_DIR (absolute path on the publishing host). */
  file: z.string().nullable(),
});
export type SnapshotPublishedData = z.infer<typeof SnapshotPublishedData>;

export const NightlyRunData = z.object({
  /** `schedule` from the job scheduler, `startup` catch-up, `manual` from the CLI. */
  trigger: z.enum(['schedule', 'startup', 'manual']),
});
export type NightlyRunData = z.infer<typeof NightlyRunData>;

/** Retries and retention for jobs that do real work: a PostgreSQL restart is ridden out. */
const WORK_JOB_OPTIONS: JobsOptions = {
  // 1 + 2 + 4 + ... + 256 s: about 8.5 minutes of retrying before a job is failed for people to see.
  attempts: 10,
  backoff: { type: 'exponential', delay: 1_000 },
  // Finished jobs go, by age and count, so Redis memory stays flat; failed ones stay a week.
  removeOnComplete: { age: 3_600, count: 1_000 },
  removeOnFail: { age: 7 * 24 * 3_600, count: 10_000 },
};

/**
 * Feed jobs carry events as producers sent them, person references possibly in clear (only our
 * own CLI pseudonymises before queuing), so a finished one is kept only minutes: long enough for
 * status to sample processing times, not long enough to make Redis a second copy of the feed.
 */
const FEED_JOB_OPTIONS: JobsOptions = { ...WORK_JOB_OPTIONS, removeOnComplete: { age: 300, count: 200 } };

/**
 * Every job this system adds or consumes: its queue, data schema and options. Producers parse
 * data with the schema before adding, and a worker must handle every job of its queue
 * (`createWorker` takes one handler per job name of the queue: a missing one is a type error).
 * Every queue's finished jobs are removed by age and by count, so Redis memory stays bounded.
 */
export const JOB_CATALOG = {
  'feed-batch': {
    queue: (feed: Feed): FeedQueueName => feedQueueName(feed),
    schema: FeedJobData,
    options: FEED_JOB_OPTIONS,
  },
  'snapshot.published': {
    queue: (): typeof SNAPSHOTS_PUBLISHED_QUEUE => SNAPSHOTS_PUBLISHED_QUEUE,
    schema: SnapshotPublishedData,
    // For downstream consumers; kept a day so a consumer that was down can still catch up. At
    // most a few snapshots a day per force are published, so 1,000 is never the binding limit
    // in normal use: it only caps memory if a replay publishes thousands at once.
    options: {
      removeOnComplete: { age: 86_400, count: 1_000 },
      removeOnFail: { age: 7 * 86_400, count: 1_000 },
    } satisfies JobsOptions,
  },
  'nightly-run': {
    queue: (): typeof NIGHTLY_QUEUE => NIGHTLY_QUEUE,
    schema: NightlyRunData,
    options: WORK_JOB_OPTIONS,
  },
} as const;

export type JobName = keyof typeof JOB_CATALOG;
export type JobData<N extends JobName> = z.infer<(typeof JOB_CATALOG)[N]['schema']>;
/** The queue a job goes on (for `feed-batch`, any of the four feed queues). */
export type QueueOfJob<N extends JobName> = ReturnType<(typeof JOB_CATALOG)[N]['queue']>;
/** Every queue of the catalog. */
export type CatalogQueueName = QueueOfJob<JobName>;
/** The job names a queue of the catalog carries. */
export type JobNameOfQueue<Q extends CatalogQueueName> = {
  [N in JobName]: Q extends QueueOfJob<N> ? N : never;
}[JobName];
