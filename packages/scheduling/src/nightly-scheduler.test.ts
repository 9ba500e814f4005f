import { createSilentLogger } from '@rollcall/logger';
import { createRedisConnection, NIGHTLY_QUEUE, QueueFactory, type QueueEventsHandle } from '@rollcall/queue';
import { createTestDatabase, createTestRedis, type TestDatabase, type TestRedis } from '@rollcall/testing';
import { Job, type Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { readNightlyRun } from '@rollcall/db';
import {
  enqueueCatchUp,
  installNightlySchedule,
  NIGHTLY_SCHEDULER_ID,
  nextNightlyFires,
  removeNightlySchedule,
} from './nightly-scheduler.ts';
import { recordingPublisher } from '../test/nightly-test-kit.ts';
import { createNightlyWorker } from './nightly-worker.ts';
import { type NightlyRunReport, runNightly } from './run-nightly.ts';

const LONDON = 'Europe/London';
const DEFAULT_CRON = '30 3 * * *';
const log = createSilentLogger();

/** Wall-clock time of an instant in London, `HH:MM`. */
const londonTime = (ms: number): string =>
  new Intl.DateTimeFormat('en-GB', { timeZone: LONDON, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(
    ms,
  );

describe('nextNightlyFires (BullMQ getNextMillis, the scheduler strategy)', () => {
  it('fires at 03:30 London on every day of the spring-forward weekend', () => {
    const fires = nextNightlyFires(Date.parse('2022-03-25T12:00:00Z'), 4, { cron: DEFAULT_CRON, timeZone: LONDON });
    expect(fires.map((ms) => new Date(ms).toISOString())).toEqual([
      '2022-03-26T03:30:00.000Z', // GMT
      '2022-03-27T02:30:00.000Z', // BST from 01:00 GMT that morning: 23 hours after the previous fire
      '2022-03-28T02:30:00.000Z',
      '2022-03-29T02:30:00.000Z',
    ]);
    expect(fires.map(londonTime)).toEqual(['03:30', '03:30', '03:30', '03:30']);
  });

  it('fires at 03:30 London on every day of the autumn-back weekend', () => {
    const fires = nextNightlyFires(Date.parse('2022-10-28T12:00:00Z'), 4, { cron: DEFAULT_CRON, timeZone: LONDON });
    expect(fires.map((ms) => new Date(ms).toISOString())).toEqual([
      '2022-10-29T02:30:00.000Z', // BST
      '2022-10-30T03:30:00.000Z', // GMT from 02:00 BST that morning: 25 hours after the previous fire
      '2022-10-31T03:30:00.000Z',
      '2022-11-01T03:30:00.000Z',
    ]);
    expect(fires.map(londonTime)).toEqual(['03:30', '03:30', '03:30', '03:30']);
  });
});

describe('with Redis', () => {
  let redis: TestRedis;
  let producer: Redis;
  let workerConnection: Redis;
  let queues: QueueFactory;
  let events: QueueEventsHandle;
  let test: TestDatabase;
  const workers: Worker[] = [];

  beforeAll(async () => {
    redis = createTestRedis();
    test = await createTestDatabase();
    producer = createRedisConnection(redis.url, { role: 'producer' });
    workerConnection = createRedisConnection(redis.url, { role: 'worker' });
    queues = new QueueFactory({ connection: producer, prefix: redis.prefix, log });
    events = queues.events(NIGHTLY_QUEUE);
    await events.events.waitUntilReady();
  });
  afterEach(async () => {
    await Promise.allSettled(workers.splice(0).map((worker) => worker.close()));
    await queues.queue(NIGHTLY_QUEUE).obliterate({ force: true });
    await test.db.deleteFrom('nightly_runs').execute();
  });
  afterAll(async () => {
    await events?.close();
    await queues?.close();
    producer?.disconnect();
    workerConnection?.disconnect();
    await redis?.destroy();
    await test?.destroy();
  });

  const delayedJobs = () => queues.queue(NIGHTLY_QUEUE).getJobCountByTypes('delayed');

  describe('installNightlySchedule', () => {
    it('installs the scheduler with its pattern and zone; the next fire is 03:30 London', async () => {
      const before = Date.now();
      const installed = await installNightlySchedule(queues, { cron: DEFAULT_CRON, timeZone: LONDON });
      expect(installed).toMatchObject({
        key: NIGHTLY_SCHEDULER_ID,
        name: 'nightly-run',
        pattern: DEFAULT_CRON,
        tz: LONDON,
      });
      expect(installed.template?.data).toEqual({ trigger: 'schedule' });
      expect(installed.template?.opts).toMatchObject({ attempts: 10, backoff: { type: 'exponential', delay: 1_000 } });
      const next = installed.next ?? 0;
      expect(londonTime(next)).toBe('03:30');
      expect(next).toBeGreaterThan(before);
      expect(next - before).toBeLessThanOrEqual(25 * 3_600_000);
      expect(next).toBe(nextNightlyFires(before, 1, { cron: DEFAULT_CRON, timeZone: LONDON })[0]);
      expect(await delayedJobs()).toBe(1);
    });

    it('is idempotent, and installing another cron replaces the schedule', async () => {
      await installNightlySchedule(queues, { cron: DEFAULT_CRON, timeZone: LONDON });
      await installNightlySchedule(queues, { cron: DEFAULT_CRON, timeZone: LONDON });
      const queue = queues.queue(NIGHTLY_QUEUE);
      expect(await queue.getJobSchedulersCount()).toBe(1);
      expect(await delayedJobs()).toBe(1);

      const replaced = await installNightlySchedule(queues, { cron: '0 4 * * *', timeZone: LONDON });
      expect(replaced.pattern).toBe('0 4 * * *');
      expect(londonTime(replaced.next ?? 0)).toBe('04:00');
      expect(await queue.getJobSchedulersCount()).toBe(1);
      expect(await delayedJobs()).toBe(1);

      expect(await removeNightlySchedule(queues)).toBe(true);
      expect(await queue.getJobScheduler(NIGHTLY_SCHEDULER_ID)).toBeUndefined();
      expect(await delayedJobs()).toBe(0);
    });

    it('schedules the first fire of a DST change day at 03:30 London (BullMQ computing it in Redis)', async () => {
      // Started just before the 2030 changes: 31 March (spring forward) and 27 October (autumn back).
      const spring = await installNightlySchedule(queues, {
        cron: DEFAULT_CRON,
        timeZone: LONDON,
        startDate: Date.parse('2030-03-30T12:00:00Z'),
      });
      expect(new Date(spring.next ?? 0).toISOString()).toBe('2030-03-31T02:30:00.000Z');
      const autumn = await installNightlySchedule(queues, {
        cron: DEFAULT_CRON,
        timeZone: LONDON,
        startDate: Date.parse('2030-10-26T12:00:00Z'),
      });
      expect(new Date(autumn.next ?? 0).toISOString()).toBe('2030-10-27T03:30:00.000Z');
      expect(await delayedJobs()).toBe(1);
    });
  });

  describe('enqueueCatchUp', () => {
    it('adds one job when two processes start together', async () => {
      const now = () => Date.parse('2022-06-14T02:30:00Z');
      const ids = await Promise.all([
        enqueueCatchUp(queues, 'startup', { timeZone: LONDON, now }),
        enqueueCatchUp(queues, 'startup', { timeZone: LONDON, now }),
      ]);
      expect(ids).toEqual(['nightly-startup-2022-06-13', 'nightly-startup-2022-06-13']);
      expect(await queues.queue(NIGHTLY_QUEUE).getJobCountByTypes('waiting')).toBe(1);
    });
  });

  describe('createNightlyWorker', () => {
    const jobOf = async (id: string): Promise<Job> => {
      const job = await Job.fromId(queues.queue(NIGHTLY_QUEUE), id);
      if (!job) throw new Error(`job ${id} not found`);
      return job;
    };

    it('runs runNightly for a job on scheduler.nightly and returns its report', async () => {
      const publisher = recordingPublisher();
      const triggers: string[] = [];
      const worker = createNightlyWorker({
        connection: workerConnection,
        prefix: redis.prefix,
        log,
        run: (trigger) => {
          triggers.push(trigger);
          return runNightly({
            db: test.db,
            forces: ['kent', 'essex'],
            timeZone: LONDON,
            catchUpDays: 7,
            publish: publisher.publish,
            reviseStale: publisher.reviseStale,
            now: () => Date.parse('2022-03-27T02:30:00Z'),
            log,
            trigger,
          });
        },
      });
      workers.push(worker);
      expect(worker.opts.concurrency).toBe(1);

      const id = await enqueueCatchUp(queues, 'startup', {
        timeZone: LONDON,
        now: () => Date.parse('2022-03-27T02:30:00Z'),
      });
      const report = (await (await jobOf(id)).waitUntilFinished(events.events)) as NightlyRunReport;
      expect(triggers).toEqual(['startup']);
      expect(report.dates.map((d) => `${d.asOf} ${d.state}`)).toEqual(['2022-03-26 succeeded']);
      expect(publisher.calls).toEqual(['kent@2022-03-26', 'essex@2022-03-26']);
      expect(await readNightlyRun(test.db, '2022-03-26')).toMatchObject({ state: 'succeeded', trigger: 'startup' });
    });

    it('runs the jobs the scheduler fires, with trigger schedule', async () => {
      const fired: string[] = [];
      const worker = createNightlyWorker({
        connection: workerConnection,
        prefix: redis.prefix,
        log,
        run: async (trigger) => {
          fired.push(trigger);
          return {
            trigger,
            startedAt: new Date().toISOString(),
            dates: [],
            skipped: [],
            revised: [],
            reviseError: null,
          };
        },
      });
      workers.push(worker);
      const completed = new Promise<string>((resolve) =>
        events.events.once('completed', ({ jobId }) => resolve(jobId)),
      );
      // Every second (six-field cron), so that a fire happens within the test.
      await installNightlySchedule(queues, { cron: '* * * * * *', timeZone: LONDON });
      const jobId = await completed;
      await removeNightlySchedule(queues);
      expect(jobId.startsWith(`repeat:${NIGHTLY_SCHEDULER_ID}:`)).toBe(true);
      expect(fired[0]).toBe('schedule');
    });

    it('retries a run that throws, and the retry completes', async () => {
      let calls = 0;
      const worker = createNightlyWorker({
        connection: workerConnection,
        prefix: redis.prefix,
        log,
        run: async (trigger) => {
          calls += 1;
          if (calls === 1) throw new Error('PostgreSQL restarting');
          return {
            trigger,
            startedAt: new Date().toISOString(),
            dates: [],
            skipped: [],
            revised: [],
            reviseError: null,
          };
        },
      });
      workers.push(worker);
      const id = await enqueueCatchUp(queues, 'manual', { timeZone: LONDON });
      const job = await jobOf(id);
      await job.waitUntilFinished(events.events); // the first retry follows a 1 s backoff
      const finished = await jobOf(id);
      expect(calls).toBe(2);
      expect(finished.attemptsMade).toBe(2);
      expect(await finished.getState()).toBe('completed');
    });

    it('fails a job with bad data at once, without retrying, and keeps it visible', async () => {
      let calls = 0;
      const worker = createNightlyWorker({
        connection: workerConnection,
        prefix: redis.prefix,
        log,
        run: async () => {
          calls += 1;
          throw new Error('not reached');
        },
      });
      workers.push(worker);
      // Bypassing the catalog's parse, as a foreign producer might.
      const job = await queues
        .queue(NIGHTLY_QUEUE)
        .add('nightly-run', { trigger: 'whenever' }, { jobId: 'nightly-bad-data', attempts: 10 });
      await expect(job.waitUntilFinished(events.events)).rejects.toThrow(/invalid nightly-run data/);
      const failed = await jobOf('nightly-bad-data');
      expect(await failed.getState()).toBe('failed');
      expect(failed.attemptsMade).toBe(1);
      expect(calls).toBe(0);
    });
  });
});
