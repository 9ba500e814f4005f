import { once } from 'node:events';
import type { QueueThresholds } from '@rollcall/config';
import { createSilentLogger } from '@rollcall/logger';
import { createRedisConnection, createWorker } from '@rollcall/queue';
import { Worker } from 'bullmq';
import { afterAll, describe, expect, it } from 'vitest';
import { createOpsTestKit } from '../test/ops-test-kit.ts';
import { collectQueueHealth } from './queue-health.ts';

const thresholds: QueueThresholds = {
  lagWarnSeconds: 120,
  lagCriticalSeconds: 300,
  backlogWarn: 10_000,
  backlogCritical: 100_000,
  failedWarn: 1,
  failedCritical: 100,
};

const kit = createOpsTestKit();
const log = createSilentLogger();
const workerConnection = createRedisConnection(kit.url, { role: 'worker' });
afterAll(async () => {
  await kit.close();
  workerConnection.disconnect();
});

/** As a corrupted key or a producer outside Rollcall leaves a job: its data not JSON. */
async function addPoisonJob(queueName: string, jobId: string): Promise<void> {
  await kit.queue(queueName).add('feed-batch', { events: [] }, { jobId, attempts: 3 });
  await kit.redis.hset(`${kit.prefix}:${queueName}:${jobId}`, 'data', '{not json');
}

describe('queue health and a job whose data is not JSON (issue 15)', () => {
  it('reads while the job waits with no worker, and names the job and its reason once a worker has failed it', async () => {
    const name = 'feed.dvpo';
    await addPoisonJob(name, 'poison-1');
    const [waiting] = await collectQueueHealth([kit.queue(name)], { thresholds });
    expect(waiting).toMatchObject({
      counts: { waiting: 1, failed: 0 },
      status: 'warn',
      reasons: ['1 job waiting and no workers connected'],
      recentFailures: [],
      repeatedlyStalled: [],
    });

    const worker = createWorker(
      name,
      { 'feed-batch': async () => 'stored' },
      { connection: workerConnection, prefix: kit.prefix, log, concurrency: 1 },
    );
    kit.track({ close: () => worker.close() });
    await once(worker, 'failed');
    const [health] = await collectQueueHealth([kit.queue(name)], { thresholds });
    // The parser's own words, which differ between Node versions.
    const parserError = (() => {
      try {
        return JSON.parse('{not json') as never;
      } catch (error) {
        return (error as Error).message;
      }
    })();
    const reason = `job data is not JSON (${parserError}): failed without running; the stored data is kept for inspection`;
    expect(health).toMatchObject({
      counts: { waiting: 0, active: 0, failed: 1 },
      status: 'warn',
      recentFailures: [
        {
          jobId: 'poison-1',
          name: 'feed-batch',
          attemptsMade: 1,
          failedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
          reason,
        },
      ],
      reasons: [
        `1 failed job (warn at 1); inspect, then rollcall retry-failed --queue feed.dvpo; job poison-1 (feed-batch) after 1 attempt: ${reason}`,
      ],
    });
  });
});

describe('queue health and a job whose workers keep dying (issue 15)', () => {
  it('warns about a job found stalled twice, naming it, while it waits to be taken a third time', async () => {
    const name = 'feed.stop-search';
    const lockMs = 200;
    const queue = kit.queue(name);
    // Only the stalled checker of this worker runs: it finds each death and hands the job back.
    const checker = createWorker(
      name,
      { 'feed-batch': async () => 'stored' },
      { connection: workerConnection, prefix: kit.prefix, log, concurrency: 1, lockDurationMs: lockMs, autorun: false },
    );
    kit.track({ close: () => checker.close() });
    await checker.waitUntilReady();
    await checker.startStalledCheckTimer();
    await queue.add('feed-batch', { events: [] }, { jobId: 'large-1', attempts: 3 });
    for (let death = 0; death < 2; death++) {
      const stalled = once(checker, 'stalled');
      // A worker that takes the job and is SIGKILLed: the lock is never renewed, the job never finished.
      const dying = new Worker(name, null, {
        connection: workerConnection,
        prefix: kit.prefix,
        lockDuration: lockMs,
        autorun: false,
      });
      expect((await dying.getNextJob('killed', { block: false }))?.id).toBe('large-1');
      await dying.close();
      expect((await stalled)[0]).toBe('large-1');
    }
    const [health] = await collectQueueHealth([queue], { thresholds });
    expect(health).toMatchObject({
      counts: { waiting: 1, active: 0, failed: 0 },
      repeatedlyStalled: [{ jobId: 'large-1', name: 'feed-batch', stalls: 2, state: 'waiting' }],
      status: 'warn',
      reasons: [
        'job large-1 (feed-batch) stalled 2 times, now waiting: the workers that took it died or held its lock too long; check for out-of-memory kills and long database waits',
      ],
    });
  });
});
