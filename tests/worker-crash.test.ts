import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createCalendar } from '@rollcall/calendar';
import { readAccounting } from '@rollcall/db';
import { replayAggregates } from '@rollcall/store';
import { QUEUE_BACKENDS, TEST_PSEUDONYM_KEY } from '@rollcall/testing';
import { feedQueueName } from '@rollcall/queue';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { answeredCalls } from './support/call-events.ts';
import { PipelineHarness } from './support/pipeline-harness.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const QUEUE = feedQueueName('call-handling');
let harness: PipelineHarness;
const children: ChildProcess[] = [];

/** The worker service as deployed (`services/worker/src/main.ts`), in its own process. */
function spawnWorker(): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'services/worker/src/main.ts'], {
    cwd: ROOT,
    env: {
      ...process.env,
      ...harness.serviceEnv(),
      PSEUDONYM_KEY: TEST_PSEUDONYM_KEY,
      // A killed worker's job is found stalled within about 2 x 2 s instead of a minute.
      WORKER_LOCK_SECONDS: '2',
      WORKER_CONCURRENCY: '2',
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  children.push(child);
  return child;
}

const storedEvents = async () =>
  Number(
    (
      await harness.db
        .selectFrom('events')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );

const exited = (child: ChildProcess) =>
  new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );

// Both queue backends (issue 18): the same crash, redelivery and shutdown guarantees on each.
describe.each(QUEUE_BACKENDS)('on %s queues', (queueBackend) => {
  // A database and queue prefix per test: each counts its own events from zero.
  beforeEach(async () => {
    harness = await PipelineHarness.start({ startWorkers: false, queueBackend });
  });
  afterEach(async () => {
    for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
    await harness.close();
  });

  describe('a worker killed with SIGKILL mid-batch', () => {
    it('loses nothing and counts nothing twice once another worker takes over', async () => {
      await harness.offerEvents(answeredCalls(5_000), 500); // 20 jobs of 500 events
      const listener = harness.queues.events(QUEUE);
      await listener.events.waitUntilReady();
      let completed = 0;
      const twoDone = new Promise<void>((resolve) =>
        listener.events.on('completed', () => {
          completed += 1;
          if (completed === 2) resolve();
        }),
      );

      const first = spawnWorker();
      await twoDone;
      // Mid-stream: jobs are active (each a transaction in flight) when the process dies.
      expect((await harness.queues.queue(QUEUE).getJobCounts('active')).active).toBeGreaterThan(0);
      first.kill('SIGKILL');
      expect(await exited(first)).toEqual({ code: null, signal: 'SIGKILL' });
      await listener.close();

      const second = spawnWorker();
      await harness.drain(120_000);
      second.kill('SIGTERM');
      expect((await exited(second)).code).toBe(0);

      const counts = await harness.queues.queue(QUEUE).getJobCounts('completed', 'failed');
      expect(counts).toMatchObject({ completed: 20, failed: 0 });
      expect(await storedEvents()).toBe(10_000);
      const row = (await readAccounting(harness.db)).find((r) => r.feed === 'call-handling');
      // A job whose parts committed (all or some) just before the kill is delivered again: the
      // committed parts are recognised and skipped, so nothing is even offered twice. A part killed
      // mid-transaction rolled back and left nothing.
      expect(row?.stored).toBe(10_000);
      expect(row?.duplicate).toBe(0);
      expect(row?.rejected).toBe(0);
      // And the aggregates are exactly what a full recompute from the events gives.
      expect((await replayAggregates(harness.db, createCalendar('Europe/London'))).changedRows).toBe(0);
    });
  });

  describe('a worker sent SIGTERM mid-batch', () => {
    it('finishes the jobs in hand, exits 0, and the next worker does the rest: every event stored exactly once', async () => {
      await harness.offerEvents(answeredCalls(5_000), 500); // 20 jobs of 500 events
      const queue = harness.queues.queue(QUEUE);
      const listener = harness.queues.events(QUEUE);
      await listener.events.waitUntilReady();
      const active = new Promise<void>((resolve) => listener.events.once('active', () => resolve()));

      const first = spawnWorker();
      await active;
      first.kill('SIGTERM');
      expect(await exited(first)).toEqual({ code: 0, signal: null });
      await listener.close();

      // Stopped cleanly: nothing held, nothing failed, and what completed is stored in full.
      const after = await queue.getJobCounts('active', 'waiting', 'completed', 'failed');
      expect(after.active).toBe(0);
      expect(after.failed).toBe(0);
      expect(after.completed).toBeGreaterThanOrEqual(1);
      expect((after.completed ?? 0) + (after.waiting ?? 0)).toBe(20);
      expect(await storedEvents()).toBe((after.completed ?? 0) * 500);

      // The second worker in this process: the first's exit is what is under test, not another start.
      harness.startWorkers(2);
      await harness.drain(120_000);
      expect(await queue.getJobCounts('completed', 'failed', 'active')).toEqual({
        completed: 20,
        failed: 0,
        active: 0,
      });
      expect(await storedEvents()).toBe(10_000);
      const row = (await readAccounting(harness.db)).find((r) => r.feed === 'call-handling');
      expect(row).toMatchObject({ stored: 10_000, duplicate: 0, rejected: 0 });
    });
  });
});
