import type { Job, JobsOptions } from 'bullmq';
import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  type CatalogQueueName,
  JOB_CATALOG,
  type JobData,
  type JobName,
  type JobNameOfQueue,
  type NightlyRunData,
  type QueueOfJob,
  type SnapshotPublishedData,
} from './job-catalog.ts';
import type { QueueFactory } from './queue-factory.ts';
import type { SNAPSHOTS_PUBLISHED_QUEUE } from './queue-names.ts';
import { ALL_QUEUE_NAMES, type FeedQueueName, NIGHTLY_QUEUE } from './queue-names.ts';
import { createWorker, type JobHandlers } from './worker-factory.ts';

describe('the job catalog (types)', () => {
  it('names each job, its queue and its data', () => {
    expectTypeOf<JobName>().toEqualTypeOf<'feed-batch' | 'snapshot.published' | 'nightly-run'>();
    expectTypeOf<QueueOfJob<'feed-batch'>>().toEqualTypeOf<FeedQueueName>();
    expectTypeOf<QueueOfJob<'snapshot.published'>>().toEqualTypeOf<'snapshots.published'>();
    expectTypeOf<QueueOfJob<'nightly-run'>>().toEqualTypeOf<'scheduler.nightly'>();
    expectTypeOf<CatalogQueueName>().toEqualTypeOf<FeedQueueName | 'snapshots.published' | 'scheduler.nightly'>();
    expectTypeOf<JobData<'nightly-run'>>().toEqualTypeOf<NightlyRunData>();
    expectTypeOf<JobData<'snapshot.published'>>().toEqualTypeOf<SnapshotPublishedData>();
    expectTypeOf<NightlyRunData['trigger']>().toEqualTypeOf<'schedule' | 'startup' | 'manual'>();
  });

  it('knows which jobs each queue carries', () => {
    expectTypeOf<JobNameOfQueue<'feed.dvpo'>>().toEqualTypeOf<'feed-batch'>();
    expectTypeOf<JobNameOfQueue<FeedQueueName>>().toEqualTypeOf<'feed-batch'>();
    expectTypeOf<JobNameOfQueue<typeof NIGHTLY_QUEUE>>().toEqualTypeOf<'nightly-run'>();
    expectTypeOf<JobNameOfQueue<typeof SNAPSHOTS_PUBLISHED_QUEUE>>().toEqualTypeOf<'snapshot.published'>();
    expectTypeOf<keyof JobHandlers<'feed.stop-search', number>>().toEqualTypeOf<'feed-batch'>();
    expectTypeOf<Parameters<JobHandlers<'scheduler.nightly', string>['nightly-run']>[0]>().toEqualTypeOf<
      Job<unknown, string, 'nightly-run'>
    >();
  });

  it('makes a worker without a handler for every job of its queue a type error', () => {
    // Only compiled, never run: each line below must fail to type-check, or tsc fails on the directive.
    const typeChecksOnly = (options: Parameters<typeof createWorker>[2]) => {
      const handler = async (job: Job) => job.name;
      // @ts-expect-error: the nightly queue's worker lacks its `nightly-run` handler
      createWorker(NIGHTLY_QUEUE, {}, options);
      // @ts-expect-error: `feed-batch` jobs never go on the nightly queue
      createWorker(NIGHTLY_QUEUE, { 'nightly-run': handler, 'feed-batch': handler }, options);
      // @ts-expect-error: a queue of the catalog takes handlers by job name, not a bare processor
      createWorker('feed.dvpo', handler, options);
      // A queue outside the catalog (tests of queue mechanics) may take a bare processor.
      createWorker('test.mechanics', handler, options);
      createWorker(NIGHTLY_QUEUE, { 'nightly-run': handler }, options);
    };
    const addChecksOnly = async (queues: QueueFactory) => {
      // @ts-expect-error: a feed-batch goes on a feed queue
      await queues.add('feed-batch', NIGHTLY_QUEUE, { events: [{}] });
      // @ts-expect-error: nightly-run data is { trigger }
      await queues.add('nightly-run', NIGHTLY_QUEUE, { events: [{}] });
      await queues.add('feed-batch', 'feed.dvpo', { events: [{}] });
    };
    expectTypeOf(typeChecksOnly).toBeFunction();
    expectTypeOf(addChecksOnly).toBeFunction();
  });
});

describe('the job catalog (retention)', () => {
  const isBounded = (keep: JobsOptions['removeOnComplete']) => {
    const { age, count } =
      typeof keep === 'object' ? { age: undefined, ...keep } : { age: undefined, count: undefined };
    return (
      age !== undefined && age > 0 && Number.isFinite(age) && count !== undefined && count > 0 && Number.isFinite(count)
    );
  };

  it.each(Object.keys(JOB_CATALOG) as JobName[])(
    '%s: finished and failed jobs are removed by age and by count',
    (name) => {
      const { options } = JOB_CATALOG[name];
      expect(isBounded(options.removeOnComplete)).toBe(true);
      expect(isBounded(options.removeOnFail)).toBe(true);
    },
  );

  it('covers every queue the system uses', () => {
    const catalogQueues = new Set([
      ...(['call-handling', 'wanted-persons', 'dvpo', 'stop-search'] as const).map((feed) =>
        JOB_CATALOG['feed-batch'].queue(feed),
      ),
      JOB_CATALOG['snapshot.published'].queue(),
      JOB_CATALOG['nightly-run'].queue(),
    ]);
    expect([...catalogQueues].sort()).toEqual([...ALL_QUEUE_NAMES].sort());
  });
});
