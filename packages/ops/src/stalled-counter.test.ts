import { createSilentLogger } from '@rollcall/logger';
import { Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { createOpsTestKit } from '../test/ops-test-kit.ts';
import { createStalledRecorder, readStalledCount, stalledCounterKey, watchStalled } from './stalled-counter.ts';

const kit = createOpsTestKit();
afterAll(() => kit.close());

describe('the stalled recorder', () => {
  it('counts per queue under the prefix, readable by any connection', async () => {
    const recorder = createStalledRecorder(kit.redis, kit.prefix);
    expect(await recorder.record('feed.dvpo', 'j-1')).toBe(1);
    expect(await recorder.record('feed.dvpo', 'j-2')).toBe(2);
    expect(await recorder.count('feed.dvpo')).toBe(2);
    expect(await readStalledCount(kit.redis, kit.prefix, 'feed.wanted-persons')).toBe(0);
    expect(stalledCounterKey(kit.prefix, 'feed.dvpo')).toBe(`${kit.prefix}:rollcall:stalled:feed.dvpo`);
    expect(await kit.redis.get(`${kit.prefix}:rollcall:stalled:feed.dvpo`)).toBe('2');
  });
});

describe('watchStalled', () => {
  it('records a job whose worker stopped renewing its lock, once per watched source', async () => {
    const name = 'feed.wanted-persons';
    const queue = kit.queue(name);
    const fromWorker = createStalledRecorder(kit.redis, `${kit.prefix}:w`);
    const fromEvents = createStalledRecorder(kit.redis, `${kit.prefix}:e`);
    const queueEvents = kit.events(name);
    watchStalled(queueEvents, fromEvents);
    await queueEvents.waitUntilReady();

    // Worker A takes the job and hangs without renewing its 300 ms lock: a process that froze.
    let release = (): void => undefined;
    const hung = new Promise<void>((resolve) => (release = resolve));
    let started = (): void => undefined;
    const taken = new Promise<void>((resolve) => (started = resolve));
    const connection = new Redis(kit.url, { maxRetriesPerRequest: null });
    const frozen = new Worker(
      name,
      async () => {
        started();
        await hung;
      },
      { connection, prefix: kit.prefix, lockDuration: 300, skipLockRenewal: true, skipStalledCheck: true },
    );
    frozen.on('error', () => undefined);
    kit.track({
      close: async () => {
        await frozen.close(true);
        release();
        connection.disconnect();
      },
    });
    await queue.add('feed-batch', { n: 1 }, { jobId: 'stalls-once' });
    await taken;

    // Worker B checks for stalls every 100 ms (30 s by default), finds the job once the lock has
    // expired, moves it back to wait and then completes it.
    const healthyConnection = new Redis(kit.url, { maxRetriesPerRequest: null });
    const healthy = new Worker(name, async () => 'done', {
      connection: healthyConnection,
      prefix: kit.prefix,
      stalledInterval: 100,
    });
    healthy.on('error', () => undefined);
    kit.track({
      close: async () => {
        await healthy.close(true);
        healthyConnection.disconnect();
      },
    });
    const stop = watchStalled(healthy, fromWorker, createSilentLogger());
    const stalled = new Promise<string>((resolve) => healthy.on('stalled', (jobId) => resolve(jobId)));
    const completed = new Promise<string | undefined>((resolve) => healthy.on('completed', (job) => resolve(job.id)));

    expect(await stalled).toBe('stalls-once');
    expect(await completed).toBe('stalls-once');
    await expect.poll(() => fromWorker.count(name)).toBe(1);
    await expect.poll(() => fromEvents.count(name)).toBe(1);

    stop();
    healthy.emit('stalled', 'not-counted', 'active');
    expect(await fromWorker.count(name)).toBe(1);
  });
});
