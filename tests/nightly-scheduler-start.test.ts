import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runServices } from '@rollcall/app';
import { createSilentLogger } from '@rollcall/logger';
import { publishSnapshot, SnapshotDeliveryError, type SnapshotDocument } from '@rollcall/publishing';
import { createRedisConnection, NIGHTLY_QUEUE, QueueFactory, SNAPSHOTS_PUBLISHED_QUEUE } from '@rollcall/queue';
import type { GracefulShutdown } from '@rollcall/runtime';
import { createTestDatabase, createTestRedis, type TestDatabase, type TestRedis } from '@rollcall/testing';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const log = createSilentLogger();
let database: TestDatabase;
let redis: TestRedis;
let producer: Redis;
let queues: QueueFactory;
let dir: string;
let env: Record<string, string>;

beforeAll(async () => {
  database = await createTestDatabase();
  redis = createTestRedis();
  producer = createRedisConnection(redis.url, { role: 'producer' });
  queues = new QueueFactory({ connection: producer, prefix: redis.prefix, log });
  dir = await mkdtemp(join(tmpdir(), 'rollcall-scheduler-start-'));
  env = { DATABASE_URL: database.url, REDIS_URL: redis.url, QUEUE_PREFIX: redis.prefix, SNAPSHOT_DIR: dir };
});
afterAll(async () => {
  await queues?.close();
  producer?.disconnect();
  await redis?.destroy();
  await database?.destroy();
  await rm(dir, { recursive: true, force: true });
});

describe('starting the scheduler', () => {
  it('refuses a FORCES entry the reference data does not know, naming it, and installs nothing', async () => {
    await expect(runServices(['scheduler'], { env: { ...env, FORCES: 'kent,kentt' }, log, handleSignals: false })).rejects.toThrow(
      /^FORCES names a force not in the reference forces table: "kentt"\. Known force ids: .*\bkent\b/,
    );
    expect(await queues.queue(NIGHTLY_QUEUE).getJobSchedulersCount()).toBe(0);
  });

  it('delivers a snapshot that a previous process committed but did not write out', async () => {
    // The previous process: committed kent's snapshot, then could not write its files.
    const blocker = join(dir, 'kent');
    await writeFile(blocker, 'not a directory');
    const deps = { db: database.db, queues, snapshotDir: dir, disclosure: { maxSuppressedCount: 4 }, timeZone: 'Europe/London', log };
    await expect(publishSnapshot(deps, 'kent', '2022-03-31')).rejects.toBeInstanceOf(SnapshotDeliveryError);
    await rm(blocker);

    let started!: (shutdown: GracefulShutdown) => void;
    const ready = new Promise<GracefulShutdown>((resolve) => (started = resolve));
    const running = runServices(['scheduler'], { env: { ...env, FORCES: 'kent' }, log, handleSignals: false, onStarted: (shutdown) => started(shutdown) });
    const shutdown = await ready;
    try {
      const file = JSON.parse(await readFile(join(dir, 'kent', '2022-03-31', 'kent_2022-03-31_r1.json'), 'utf8')) as SnapshotDocument;
      expect(file.snapshotId).toBe('kent_2022-03-31_r1');
      expect((await queues.queue(SNAPSHOTS_PUBLISHED_QUEUE).getJob('kent_2022-03-31_r1'))?.data).toMatchObject({ snapshotId: 'kent_2022-03-31_r1' });
      const row = await database.db.selectFrom('snapshot_outbox').select('delivered_at').where('snapshot_id', '=', 'kent_2022-03-31_r1').executeTakeFirstOrThrow();
      expect(row.delivered_at).toBeInstanceOf(Date);
    } finally {
      await shutdown.shutdown('test finished');
      await running;
    }
  });
});
