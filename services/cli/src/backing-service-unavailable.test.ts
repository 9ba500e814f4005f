import { BackingServiceUnavailableError, resolveBackingServices } from '@rollcall/backing-services';
import { closedPort, createTestDatabase, createTestRedis, type TestDatabase, type TestRedis } from '@rollcall/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { capturedIo } from './captured-io.ts';
import { demoCommand } from './commands/demo-command.ts';

// No Docker: testcontainers looks here first, and finds nothing. Undone after the file: its
// worker runs other files next (vitest.config.ts, `isolate: false`).
vi.stubEnv('DOCKER_HOST', 'unix:///nonexistent/docker.sock');

let database: TestDatabase;
let redis: TestRedis;
let postgresPort: number;
let redisPort: number;
beforeAll(async () => {
  database = await createTestDatabase();
  redis = createTestRedis();
  postgresPort = await closedPort();
  redisPort = await closedPort();
});
afterAll(async () => {
  vi.unstubAllEnvs();
  await redis?.destroy();
  await database?.destroy();
});

const postgresDown = () => `postgres://postgres@127.0.0.1:${postgresPort}/rollcall`;
const redisDown = () => `redis://127.0.0.1:${redisPort}`;
const postgresLine = () =>
  `PostgreSQL is not reachable at 127.0.0.1:${postgresPort} (connect ECONNREFUSED 127.0.0.1:${postgresPort}). DATABASE_URL is set: check the address and that the server is running.`;
// The connection's own error, not ioredis's "Connection is closed." that follows it.
const redisLine = () =>
  `Redis is not reachable at 127.0.0.1:${redisPort} (connect ECONNREFUSED 127.0.0.1:${redisPort}). REDIS_URL is set: check the address and that the server is running.`;

describe('when PostgreSQL or Redis cannot be reached', () => {
  it('names each service that is down, its address, the error and what to check', async () => {
    const both = resolveBackingServices({
      env: { DATABASE_URL: postgresDown(), REDIS_URL: redisDown() },
      allowContainers: true,
    });
    await expect(both).rejects.toThrow(BackingServiceUnavailableError);
    await expect(both).rejects.toMatchObject({
      name: 'BackingServiceUnavailableError',
      message: `${postgresLine()}\n${redisLine()}`,
    });

    const onlyRedis = resolveBackingServices({
      env: { DATABASE_URL: database.url, REDIS_URL: redisDown() },
      allowContainers: true,
    });
    await expect(onlyRedis).rejects.toMatchObject({ name: 'BackingServiceUnavailableError', message: redisLine() });
  });

  // Since issue 18 the demo does not stop there: it needs Node alone (tests/node-only-demo.test.ts
  // for PostgreSQL down). With PostgreSQL up and Redis down it puts the queues in PostgreSQL.
  it('`rollcall demo` with Redis down puts the queues in PostgreSQL, says why in one line, and publishes', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'rollcall-demo-no-redis-'));
    try {
      const io = capturedIo({
        DATABASE_URL: database.url,
        REDIS_URL: redisDown(),
        LOG_LEVEL: 'silent',
        SNAPSHOT_DIR: join(dir, 'snapshots'),
      });
      const code = await demoCommand(['--scale', '0.01'], io, { database: database.name, prefix: redis.prefix, dir });
      const { stdout, stderr } = io.output();
      expect(code, stderr).toBe(0);
      expect(stdout).toContain(
        `Queues on PostgreSQL (QUEUE_BACKEND=postgres), because Redis is not reachable at 127.0.0.1:${redisPort} (connect ECONNREFUSED 127.0.0.1:${redisPort}) and no container could be started for it.\n`,
      );
      expect(stdout).toMatch(/^published \S+ \(\d+ measure entries, content [0-9a-f]+\)$/m);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
