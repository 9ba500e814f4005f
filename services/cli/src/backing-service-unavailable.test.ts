import { BackingServiceUnavailableError, resolveBackingServices } from '@rollcall/backing-services';
import { closedPort, createTestDatabase, createTestRedis, type TestDatabase, type TestRedis } from '@rollcall/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { capturedIo } from './captured-io.ts';
import { runCli } from './run-cli.ts';

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

  it('`rollcall demo` says so on stderr, exits 1, and touches nothing', async () => {
    const io = capturedIo({ DATABASE_URL: postgresDown(), REDIS_URL: redis.url, LOG_LEVEL: 'silent' });
    expect(await runCli(['demo', '--scale', '0.01'], io)).toBe(1);
    expect(io.output()).toEqual({
      stdout: 'Rollcall demo: avon-and-somerset, 2024-01 at 0.01x volume\n',
      stderr: `rollcall demo: ${postgresLine()}\n`,
    });
  });
});
