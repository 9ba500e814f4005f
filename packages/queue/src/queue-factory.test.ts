import { exampleEvent } from '@rollcall/contract';
import { createSilentLogger } from '@rollcall/logger';
import { createTestRedis } from '../test/index.ts';
import { afterAll, describe, expect, it } from 'vitest';
import { InvalidJobError } from './invalid-job-error.ts';
import { MAX_EVENTS_PER_JOB } from './job-catalog.ts';
import { QueueFactory } from './queue-factory.ts';
import { NIGHTLY_QUEUE, SNAPSHOTS_PUBLISHED_QUEUE } from './queue-names.ts';
import { createRedisConnection } from './redis-connection.ts';

const redis = createTestRedis();
const producer = createRedisConnection(redis.url, { role: 'producer' });
const queues = new QueueFactory({ connection: producer, prefix: redis.prefix, log: createSilentLogger() });
afterAll(async () => {
  await queues.close();
  producer.disconnect();
  await redis.destroy();
});

const events = (count: number) =>
  Array.from({ length: count }, (_, i) => exampleEvent('dvpo.applied', { eventId: `n-${i}` }));
const outstanding = async (name: string) =>
  Object.values(await queues.queue(name).getJobCounts('waiting', 'delayed')).reduce((a, b) => a + b, 0);

describe('QueueFactory.add', () => {
  it('refuses a feed-batch of more than 1,000 events with a message saying so, and adds nothing', async () => {
    const add = queues.add('feed-batch', 'feed.dvpo', { events: events(MAX_EVENTS_PER_JOB + 1) });
    await expect(add).rejects.toThrow(
      new InvalidJobError(
        'a feed-batch job carries at most 1,000 events (got 1,001): split the batch',
        'feed-batch',
        'feed.dvpo',
      ),
    );
    await expect(add).rejects.toMatchObject({ name: 'InvalidJobError', jobName: 'feed-batch', queueName: 'feed.dvpo' });
    expect(await outstanding('feed.dvpo')).toBe(0);
  });

  it('adds a feed-batch of exactly 1,000 events', async () => {
    const id = await queues.add(
      'feed-batch',
      'feed.dvpo',
      { events: events(MAX_EVENTS_PER_JOB) },
      { jobId: 'full-batch' },
    );
    expect(id).toBe('full-batch');
    expect(((await queues.queue('feed.dvpo').getJob('full-batch'))?.data as { events: unknown[] }).events).toHaveLength(
      1_000,
    );
  });

  it('refuses data the schema refuses, naming the field', async () => {
    // @ts-expect-error: the trigger is not one of the catalog's
    const add = queues.add('nightly-run', NIGHTLY_QUEUE, { trigger: 'whenever' });
    await expect(add).rejects.toThrow(
      /^invalid nightly-run job data: trigger: Invalid option: expected one of "schedule"\|"startup"\|"manual"$/,
    );
    await expect(queues.add('feed-batch', 'feed.dvpo', { events: [] })).rejects.toThrow(InvalidJobError);
    expect(await outstanding(NIGHTLY_QUEUE)).toBe(0);
  });

  it.each([
    ['with a colon', 'nightly:2024-01-31', true],
    ['all digits', '20240131', true],
    ['a single digit', '7', true],
    ['digits and letters', 'nightly-20240131', false],
    ['digits with a dash', '2024-01-31', false],
  ])('job id %s (%s): refused = %s', async (_, jobId, refused) => {
    const add = queues.add('nightly-run', NIGHTLY_QUEUE, { trigger: 'manual' }, { jobId });
    if (refused) {
      await expect(add).rejects.toThrow(
        new InvalidJobError(
          `job id ${JSON.stringify(jobId)} must not contain ':' or be all digits`,
          'nightly-run',
          NIGHTLY_QUEUE,
        ),
      );
      expect(await queues.queue(NIGHTLY_QUEUE).getJob(jobId)).toBeUndefined();
    } else {
      expect(await add).toBe(jobId);
    }
  });

  it('gives every job its catalog options: retries, and retention by age and by count', async () => {
    await queues.add('feed-batch', 'feed.stop-search', { events: events(1) }, { jobId: 'opts-feed' });
    await queues.add('nightly-run', NIGHTLY_QUEUE, { trigger: 'startup' }, { jobId: 'opts-nightly', delay: 60_000 });
    const snapshot = {
      snapshotId: 'kent_2024-01-31_r1',
      forceId: 'kent',
      asOf: '2024-01-31',
      revision: 1,
      supersedes: null,
      contentHash: 'abc',
      generatedAt: '2024-02-01T03:30:00Z',
      file: null,
    };
    await queues.add('snapshot.published', SNAPSHOTS_PUBLISHED_QUEUE, snapshot, { jobId: 'opts-snapshot' });

    const optsOf = async (queue: string, id: string) => (await queues.queue(queue).getJob(id))?.opts;
    const week = 7 * 86_400;
    expect(await optsOf('feed.stop-search', 'opts-feed')).toMatchObject({
      attempts: 10,
      backoff: { type: 'exponential', delay: 1_000 },
      removeOnComplete: { age: 300, count: 200 },
      removeOnFail: { age: week, count: 10_000 },
    });
    expect(await optsOf(NIGHTLY_QUEUE, 'opts-nightly')).toMatchObject({
      attempts: 10,
      delay: 60_000,
      removeOnComplete: { age: 3_600, count: 1_000 },
      removeOnFail: { age: week, count: 10_000 },
    });
    expect(await optsOf(SNAPSHOTS_PUBLISHED_QUEUE, 'opts-snapshot')).toMatchObject({
      removeOnComplete: { age: 86_400, count: 1_000 },
      removeOnFail: { age: week, count: 1_000 },
    });
    expect((await queues.queue(SNAPSHOTS_PUBLISHED_QUEUE).getJob('opts-snapshot'))?.data).toEqual(snapshot);
  });
});
