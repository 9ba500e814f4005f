import { type Job, Worker } from 'bullmq';
import { afterAll, describe, expect, it } from 'vitest';
import { readOldestWaitingAge, readyToRunAt } from './oldest-waiting-age.ts';
import { createOpsTestKit } from '../test/ops-test-kit.ts';

const kit = createOpsTestKit();
afterAll(() => kit.close());

type Timing = Parameters<typeof readyToRunAt>[0];
const job = (fields: Partial<Timing>): Timing => ({
  timestamp: 1_000_000,
  opts: {},
  processedOn: undefined,
  attemptsMade: 0,
  attemptsStarted: 0,
  ...fields,
});

describe('readyToRunAt', () => {
  it('is when a job was added, plus the delay it was added with, until it is first started', () => {
    expect(readyToRunAt(job({}))).toBe(1_000_000);
    expect(readyToRunAt(job({ opts: { delay: 30_000 } }))).toBe(1_030_000);
  });

  it('is the last start of a job handed back without an attempt charged', () => {
    expect(readyToRunAt(job({ processedOn: 1_900_000, attemptsStarted: 3, attemptsMade: 1 }))).toBe(1_900_000);
  });

  it('is the last start plus the backoff of a job retried after a failed attempt, not its whole history', () => {
    const exponential = { attempts: 10, backoff: { type: 'exponential', delay: 1_000 } };
    // After its 8th failure the catalog's feed job waits 2^7 s: ready 128 s after that start.
    expect(readyToRunAt(job({ opts: exponential, processedOn: 1_500_000, attemptsStarted: 8, attemptsMade: 8 }))).toBe(
      1_628_000,
    );
    expect(readyToRunAt(job({ opts: exponential, processedOn: 1_500_000, attemptsStarted: 1, attemptsMade: 1 }))).toBe(
      1_501_000,
    );
    expect(
      readyToRunAt(job({ opts: { backoff: 2_500 }, processedOn: 1_500_000, attemptsStarted: 2, attemptsMade: 2 })),
    ).toBe(1_502_500);
    // Jittered: the shortest pause it could have had.
    expect(
      readyToRunAt(
        job({
          opts: { backoff: { type: 'fixed', delay: 1_000, jitter: 0.5 } },
          processedOn: 1_500_000,
          attemptsStarted: 1,
          attemptsMade: 1,
        }),
      ),
    ).toBe(1_500_500);
    expect(readyToRunAt(job({ opts: {}, processedOn: 1_500_000, attemptsStarted: 1, attemptsMade: 1 }))).toBe(
      1_500_000,
    );
  });
});

describe('readOldestWaitingAge', () => {
  it('measures a retried job from when its backoff ended, not from when it was first added', async () => {
    const queue = kit.queue('feed.stop-search');
    const added = Date.now() - 600_000;
    const worker = kit.worker('feed.stop-search', async () => {
      throw new Error('database unavailable');
    });
    const failed = new Promise<void>((resolve) => worker.once('failed', () => resolve()));
    await queue.add(
      'feed-batch',
      { n: 1 },
      { jobId: 'retried', timestamp: added, attempts: 3, backoff: { type: 'fixed', delay: 50 } },
    );
    await failed;
    await worker.close();
    // Due for its retry; promoted to waiting as a worker would, but no worker is left to take it.
    const retried = (await queue.getJob('retried')) as Job;
    await retried.promote();
    const waiting = (await queue.getWaiting()) as Job[];
    expect(waiting.map((job) => [job.id, job.attemptsMade])).toEqual([['retried', 1]]);
    const startedAt = waiting[0]!.processedOn!;
    expect(await readOldestWaitingAge(queue, startedAt + 50 + 7_000)).toBe(7);
  });

  it('reads past jobs handed back to the front of the line to the one that has waited longest', async () => {
    const queue = kit.queue('feed.dvpo');
    const events = kit.events('feed.dvpo');
    await events.waitUntilReady();
    const added = Date.now();
    await queue.add('feed-batch', { n: 'front' }, { jobId: 'front', timestamp: added });
    const handedBack = new Promise<void>((resolve) =>
      events.on('waiting', ({ jobId, prev }) => {
        if (jobId === 'front' && prev === 'active') resolve();
      }),
    );
    const worker: Worker = kit.worker<unknown, unknown>('feed.dvpo', async () => {
      // While it holds the job, one that was added ten minutes ago joins the line behind it.
      await queue.add('feed-batch', { n: 'behind' }, { jobId: 'behind', timestamp: added - 600_000 });
      await worker.pause(true);
      throw Worker.RateLimitError();
    });
    await handedBack;
    const waiting = (await queue.getWaiting()) as Job[];
    expect(waiting.map((job) => job.id)).toEqual(['front', 'behind']);
    const now = waiting[0]!.processedOn! + 5_000;
    expect(await readOldestWaitingAge(queue, now, 1)).toBe(5);
    expect(await readOldestWaitingAge(queue, now)).toBe((now - (added - 600_000)) / 1_000);
  });

  it('is null for a queue where nothing waits', async () => {
    expect(await readOldestWaitingAge(kit.queue('scheduler.nightly'), Date.now())).toBeNull();
  });
});
