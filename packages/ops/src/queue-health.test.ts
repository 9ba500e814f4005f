import type { QueueThresholds } from '@rollcall/config';
import { JOB_CATALOG } from '@rollcall/queue';
import type { Job } from 'bullmq';
import { afterAll, describe, expect, it } from 'vitest';
import { createOpsTestKit, eventsOf } from '../test/ops-test-kit.ts';
import { collectQueueHealth } from './queue-health.ts';
import { createStalledRecorder } from './stalled-counter.ts';

const thresholds: QueueThresholds = {
  lagWarnSeconds: 120,
  lagCriticalSeconds: 300,
  backlogWarn: 10_000,
  backlogCritical: 100_000,
  failedWarn: 1,
  failedCritical: 100,
};

const kit = createOpsTestKit();
afterAll(() => kit.close());

describe('collectQueueHealth on a queue with no worker', () => {
  it('counts each state and measures lag from the oldest waiting job', async () => {
    const queue = kit.queue('feed.dvpo');
    const now = Date.now();
    // Added oldest first, as a producer would; `timestamp` stands for when each was added.
    for (const age of [340, 100, 10]) await queue.add('feed-batch', { age }, { timestamp: now - age * 1_000 });
    await queue.add('feed-batch', { delayed: 1 }, { delay: 3_600_000 });
    await queue.add('feed-batch', { delayed: 2 }, { delay: 3_600_000 });
    await queue.add('feed-batch', { prioritized: 1 }, { priority: 5 });

    const [health] = await collectQueueHealth([queue], { thresholds, now });
    expect(health).toMatchObject({
      queue: 'feed.dvpo',
      counts: { waiting: 3, active: 0, delayed: 2, prioritized: 1, failed: 0, completed: 0 },
      backlog: 6,
      oldestWaitingSeconds: 340,
      completedPerMinute: { lastMinute: 0, mean15m: 0 },
      failedPerMinute: { lastMinute: 0, mean15m: 0 },
      processingTime: { p50Ms: null, p95Ms: null, sampled: 0 },
      stalledSeen: null,
      workers: 0,
      status: 'critical',
      reasons: ['oldest waiting job is 340 s old (critical at 300 s)', '4 jobs waiting and no workers connected'],
    });
  });

  it('measures lag at the injected instant: warn at 120 s, only the missing worker below', async () => {
    const queue = kit.queue('feed.stop-search');
    const added = Date.now();
    await queue.add('feed-batch', { n: 1 }, { timestamp: added });
    const at = async (secondsLater: number) =>
      (await collectQueueHealth([queue], { thresholds, now: added + secondsLater * 1_000 }))[0];
    expect(await at(150)).toMatchObject({
      oldestWaitingSeconds: 150,
      status: 'warn',
      reasons: ['oldest waiting job is 150 s old (warn at 120 s)', '1 job waiting and no workers connected'],
    });
    expect(await at(5)).toMatchObject({
      oldestWaitingSeconds: 5,
      status: 'warn',
      reasons: ['1 job waiting and no workers connected'],
    });
  });

  it('judges the backlog against the thresholds it is given', async () => {
    const queue = kit.queue('feed.dvpo');
    const [health] = await collectQueueHealth([queue], {
      thresholds: { ...thresholds, backlogWarn: 5, backlogCritical: 6 },
      now: Date.now(),
    });
    expect(health?.reasons).toContain('backlog is 6 jobs waiting, delayed or prioritized (critical at 6)');
  });

  it('is ok with no reasons for an empty queue', async () => {
    const [health] = await collectQueueHealth([kit.queue('scheduler.nightly')], { thresholds });
    expect(health).toMatchObject({ status: 'ok', reasons: [], backlog: 0, oldestWaitingSeconds: null, workers: 0 });
  });
});

describe('collectQueueHealth on a queue that has been worked', () => {
  it('reports throughput, processing time, failures, workers and stalls', async () => {
    const queue = kit.queue('feed.call-handling');
    // Four quick jobs and one of at least 200 ms, so p95 is the slow one and p50 a quick one.
    const worker = kit.worker<{ ms: number; fail?: boolean }>('feed.call-handling', async (job) => {
      if (job.data.fail) throw new Error('bad batch');
      if (job.data.ms > 0) await new Promise((resolve) => setTimeout(resolve, job.data.ms));
      return 'ok';
    });
    await worker.waitUntilReady();
    const finished = Promise.all([eventsOf(worker, 'completed', 5), eventsOf(worker, 'failed', 2)]);
    for (const ms of [0, 0, 0, 0, 200]) await queue.add('feed-batch', { ms }, { attempts: 1 });
    for (let i = 0; i < 2; i++) await queue.add('feed-batch', { ms: 0, fail: true }, { attempts: 1 });
    await finished;

    const recorder = createStalledRecorder(kit.redis, kit.prefix);
    await recorder.record('feed.call-handling', 'job-a');

    // Measured a minute after the last finish, so the minutes holding every job are complete.
    const jobs = [...(await queue.getCompleted()), ...(await queue.getFailed())] as Job[];
    const finishes = jobs.map((job) => job.finishedOn ?? 0);
    const lastFinish = Math.max(...finishes);
    const lastMinute = Math.floor(lastFinish / 60_000);
    const inLastMinute = (list: Job[]) =>
      list.filter((job) => Math.floor((job.finishedOn ?? 0) / 60_000) === lastMinute).length;
    const [health] = await collectQueueHealth([queue], { thresholds, now: lastFinish + 60_000, stalled: recorder });

    expect(health).toMatchObject({
      counts: { waiting: 0, active: 0, delayed: 0, prioritized: 0, failed: 2, completed: 5 },
      workers: 1,
      stalledSeen: 1,
      status: 'warn',
      recentFailures: [
        { name: 'feed-batch', attemptsMade: 1, reason: 'bad batch' },
        { name: 'feed-batch', attemptsMade: 1, reason: 'bad batch' },
      ],
      repeatedlyStalled: [],
    });
    // Both failed jobs named, newest first (the set's order: by finishedOn, then id).
    const [newest, older] = health?.recentFailures ?? [];
    expect(health?.reasons).toEqual([
      `2 failed jobs (warn at 1); inspect, then rollcall retry-failed --queue feed.call-handling; job ${newest?.jobId} (feed-batch) after 1 attempt: bad batch; job ${older?.jobId} (feed-batch) after 1 attempt: bad batch`,
    ]);
    expect([newest?.jobId, older?.jobId].sort()).toEqual(['6', '7']);
    expect(health?.completedPerMinute.lastMinute).toBe(inLastMinute((await queue.getCompleted()) as Job[]));
    expect(health?.failedPerMinute.lastMinute).toBe(inLastMinute((await queue.getFailed()) as Job[]));
    expect(health?.completedPerMinute.mean15m).toBeCloseTo(5 / 15, 10);
    expect(health?.failedPerMinute.mean15m).toBeCloseTo(2 / 15, 10);
    expect(health?.processingTime.sampled).toBe(5);
    expect(health?.processingTime.p95Ms).toBeGreaterThanOrEqual(195);
    expect(health?.processingTime.p50Ms).toBeLessThan(195);

    // The sample is the most recent completions: the slow job finished last of the five.
    const [recent] = await collectQueueHealth([queue], { thresholds, sampleSize: 1 });
    expect(recent?.processingTime).toMatchObject({ sampled: 1 });
    expect(recent?.processingTime.p50Ms).toBeGreaterThanOrEqual(195);
  });
});

describe('collectQueueHealth on a feed queue after many jobs', () => {
  it('counts at most the 200 completed jobs the catalog keeps, so Redis memory stays flat', async () => {
    const queue = kit.queue('feed.wanted-persons');
    const worker = kit.worker('feed.wanted-persons', async () => 'stored', 8);
    await worker.waitUntilReady();
    const done = eventsOf(worker, 'completed', 205);
    await queue.addBulk(
      Array.from({ length: 205 }, (_, n) => ({
        name: 'feed-batch',
        data: { n },
        opts: JOB_CATALOG['feed-batch'].options,
      })),
    );
    await done;
    const [health] = await collectQueueHealth([queue], { thresholds });
    expect(health?.counts).toMatchObject({ completed: 200, failed: 0, waiting: 0, active: 0 });
  });
});
