import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadServiceRoles } from '@rollcall/cli';
import { runServices } from '@rollcall/runtime';
import { addDays, createCalendar } from '@rollcall/calendar';
import { exampleEvent } from '@rollcall/contract';
import { storeFeedBatch } from '@rollcall/store';
import { testIngestContext } from '@rollcall/testing';
import { createSilentLogger } from '@rollcall/logger';
import { publishSnapshot, SnapshotDeliveryError, type SnapshotDocument } from '@rollcall/publishing';
import {
  closeQueueConnection,
  NIGHTLY_QUEUE,
  type QueueBackendKind,
  QueueFactory,
  SNAPSHOTS_PUBLISHED_QUEUE,
} from '@rollcall/queue';
import type { GracefulShutdown } from '@rollcall/runtime';
import {
  createTestDatabase,
  createTestRedis,
  QUEUE_BACKENDS,
  type TestDatabase,
  testQueueConnection,
} from '@rollcall/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const log = createSilentLogger();

/** A database, a queue prefix and a SNAPSHOT_DIR of their own, and the environment naming them. */
interface SchedulerResources {
  readonly database: TestDatabase;
  readonly queues: QueueFactory;
  readonly dir: string;
  readonly env: Record<string, string>;
  close(): Promise<void>;
}

async function openResources(queueBackend: QueueBackendKind): Promise<SchedulerResources> {
  const database = await createTestDatabase();
  const redis = createTestRedis();
  const producer = testQueueConnection(queueBackend, redis, database.url, 'producer');
  const queues = new QueueFactory({ connection: producer, prefix: redis.prefix, log });
  const dir = await mkdtemp(join(tmpdir(), 'rollcall-scheduler-start-'));
  return {
    database,
    queues,
    dir,
    env: {
      DATABASE_URL: database.url,
      REDIS_URL: redis.url,
      QUEUE_PREFIX: redis.prefix,
      QUEUE_BACKEND: queueBackend,
      SNAPSHOT_DIR: dir,
    },
    async close() {
      await queues.close();
      await closeQueueConnection(producer);
      await redis.destroy();
      await database.destroy();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

let shared: SchedulerResources;
let database: TestDatabase;
let queues: QueueFactory;
let dir: string;
let env: Record<string, string>;

/** Runs the scheduler role as `rollcall start --role scheduler` does; resolves once it has started. */
async function startScheduler(
  environment: Record<string, string>,
  now?: () => number,
): Promise<{ shutdown: GracefulShutdown; running: Promise<void> }> {
  let started!: (shutdown: GracefulShutdown) => void;
  const ready = new Promise<GracefulShutdown>((resolve) => (started = resolve));
  const roles = await loadServiceRoles(['scheduler'], now ? { now } : {});
  const running = runServices(roles, {
    env: environment,
    log,
    handleSignals: false,
    onStarted: (shutdown) => started(shutdown),
  });
  // A start that fails rejects `running` and never calls onStarted.
  const shutdown = await Promise.race([
    ready,
    running.then(() => Promise.reject(new Error('the scheduler stopped before it started'))),
  ]);
  return { shutdown, running };
}

// The nightly job scheduler and the snapshot messages on both queue backends (issue 18).
describe.each(QUEUE_BACKENDS)('on %s queues', (queueBackend) => {
  beforeAll(async () => {
    shared = await openResources(queueBackend);
    ({ database, queues, dir, env } = shared);
  });
  afterAll(async () => {
    await shared?.close();
  });

  describe('starting the scheduler', () => {
    it('refuses a FORCES entry the reference data does not know, naming it, and installs nothing', async () => {
      await expect(
        runServices(await loadServiceRoles(['scheduler']), {
          env: { ...env, FORCES: 'kent,kentt' },
          log,
          handleSignals: false,
        }),
      ).rejects.toThrow(
        /^FORCES names a force not in the reference forces table: "kentt"\. Known force ids: .*\bkent\b/,
      );
      expect(await queues.queue(NIGHTLY_QUEUE).getJobSchedulersCount()).toBe(0);
    });

    it('delivers a snapshot that a previous process committed but did not write out', async () => {
      // The previous process: committed kent's snapshot, then could not write its files.
      const blocker = join(dir, 'kent');
      await writeFile(blocker, 'not a directory');
      const deps = {
        db: database.db,
        queues,
        snapshotDir: dir,
        disclosure: { maxSuppressedCount: 4 },
        timeZone: 'Europe/London',
        log,
      };
      await expect(publishSnapshot(deps, 'kent', '2022-03-31')).rejects.toBeInstanceOf(SnapshotDeliveryError);
      await rm(blocker);

      const { shutdown, running } = await startScheduler({ ...env, FORCES: 'kent' });
      try {
        const file = JSON.parse(
          await readFile(join(dir, 'kent', '2022-03-31', 'kent_2022-03-31_r1.json'), 'utf8'),
        ) as SnapshotDocument;
        expect(file.snapshotId).toBe('kent_2022-03-31_r1');
        expect((await queues.queue(SNAPSHOTS_PUBLISHED_QUEUE).getJob('kent_2022-03-31_r1'))?.data).toMatchObject({
          snapshotId: 'kent_2022-03-31_r1',
        });
        const row = await database.db
          .selectFrom('snapshot_outbox')
          .select('delivered_at')
          .where('snapshot_id', '=', 'kent_2022-03-31_r1')
          .executeTakeFirstOrThrow();
        expect(row.delivered_at).toBeInstanceOf(Date);
      } finally {
        await shutdown.shutdown('test finished');
        await running;
      }
    });
  });

  describe('the nightly path, from the scheduler role to the files', () => {
    it('publishes yesterday at start-up through the real publisher: snapshot, ledger, files, latest.json and message', async () => {
      // Resources of its own: the start-ups above have run a catch-up job whose id
      // (`nightly-startup-<yesterday>`) would make this start-up's a no-op.
      const own = await openResources(queueBackend);
      const nightlyEvents = own.queues.events(NIGHTLY_QUEUE);
      try {
        await nightlyEvents.events.waitUntilReady();
        // The process starts at 09:00 on 30 March 2026 (BST): the run publishes yesterday, the
        // 23-hour day of the spring change, whatever the real clock says. 100 of Kent's 999 calls,
        // 90 answered within 10 s.
        const now = () => Date.parse('2026-03-30T08:00:00Z');
        const yesterday = addDays(createCalendar('Europe/London').dayOf(now()), -1);
        expect(yesterday).toBe('2026-03-29');
        const calls = Array.from({ length: 100 }, (_, i) => [
          exampleEvent('call.presented', {
            eventId: `n-${i}-p`,
            forceId: 'kent',
            occurredAt: `${yesterday}T12:00:00Z`,
            payload: { callId: `n-${i}`, btTransferSeconds: 0 },
          }),
          exampleEvent('call.answered', {
            eventId: `n-${i}-a`,
            forceId: 'kent',
            occurredAt: `${yesterday}T12:00:${i < 90 ? '05' : '30'}Z`,
            payload: { callId: `n-${i}` },
          }),
        ]).flat();
        await storeFeedBatch(
          own.database.db,
          { feed: 'call-handling', inputs: calls, source: 'test' },
          testIngestContext(),
        );

        const { shutdown, running } = await startScheduler(
          { ...own.env, FORCES: 'kent', NIGHTLY_CATCH_UP_DAYS: '1' },
          now,
        );
        try {
          // The start-up catch-up job, waited on until the worker finishes it: by then the ledger
          // is written, which the snapshot.published message (added before it) would not promise.
          const job = await own.queues.queue(NIGHTLY_QUEUE).getJob(`nightly-startup-${yesterday}`);
          expect(job?.data).toEqual({ trigger: 'startup' });
          const report: unknown = await job!.waitUntilFinished(nightlyEvents.events, 30_000);
          const snapshotId = `kent_${yesterday}_r1`;
          expect(report).toMatchObject({
            trigger: 'startup',
            dates: [
              {
                asOf: yesterday,
                state: 'succeeded',
                attempt: 1,
                published: [{ forceId: 'kent', asOf: yesterday, snapshotId, revision: 1, created: true }],
                error: null,
              },
            ],
            skipped: [],
            revised: [],
            reviseError: null,
          });

          const rows = await own.database.db
            .selectFrom('snapshots')
            .select(['snapshot_id', 'as_of', 'revision', 'supersedes'])
            .execute();
          expect(rows).toEqual([{ snapshot_id: snapshotId, as_of: yesterday, revision: 1, supersedes: null }]);
          const ledger = await own.database.db
            .selectFrom('nightly_runs')
            .select(['as_of', 'state', 'attempts', 'trigger', 'error'])
            .execute();
          expect(ledger).toEqual([
            { as_of: yesterday, state: 'succeeded', attempts: 1, trigger: 'startup', error: null },
          ]);

          const jsonPath = join(own.dir, 'kent', yesterday, `${snapshotId}.json`);
          const file = JSON.parse(await readFile(jsonPath, 'utf8')) as SnapshotDocument;
          expect(file).toMatchObject({ snapshotId, forceId: 'kent', asOf: yesterday, revision: 1 });
          const month = file.measures.find(
            (m) => m.measureId === 'calls.999.answered_within_10s' && m.period.id === 'month' && m.breakdown === null,
          );
          expect(month).toMatchObject({ value: 90, numerator: 90, denominator: 100 });
          expect(await readFile(join(own.dir, 'kent', 'latest.json'), 'utf8')).toBe(await readFile(jsonPath, 'utf8'));
          expect(await readFile(join(own.dir, 'kent', 'latest.csv'), 'utf8')).toContain(
            `\r\n${snapshotId},kent,${yesterday},1,calls.999.answered_within_10s,`,
          );

          const message = await own.queues.queue(SNAPSHOTS_PUBLISHED_QUEUE).getJob(snapshotId);
          expect(message?.data).toMatchObject({
            snapshotId,
            forceId: 'kent',
            asOf: yesterday,
            revision: 1,
            supersedes: null,
            file: jsonPath,
          });
        } finally {
          await shutdown.shutdown('test finished');
          await running;
        }
      } finally {
        await nightlyEvents.close();
        await own.close();
      }
    });
  });
});
