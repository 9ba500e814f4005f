import { Writable } from 'node:stream';
import { loadConfig } from '@rollcall/config';
import { createLogger } from '@rollcall/logger';
import { createTestDatabase, createTestRedis, type TestDatabase, type TestRedis } from '@rollcall/testing';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServiceContext } from './service-context.ts';

let database: TestDatabase;
let redis: TestRedis;
beforeAll(async () => {
  database = await createTestDatabase();
  redis = createTestRedis();
});
afterAll(async () => {
  await redis.destroy();
  await database.destroy();
});

function capturingLogger() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  return { lines, log: createLogger({ service: 'test', destination: stream }) };
}

describe('ServiceContext.checkRedisEvictionPolicy', () => {
  it('says nothing for noeviction and reports any other policy loudly, at error level', async () => {
    const { lines, log } = capturingLogger();
    const context = await ServiceContext.open(
      loadConfig({ DATABASE_URL: database.url, REDIS_URL: redis.url, QUEUE_PREFIX: redis.prefix }),
      log,
    );
    const admin = new Redis(redis.url);
    const before = ((await admin.config('GET', 'maxmemory-policy')) as string[])[1] ?? 'noeviction';
    try {
      await admin.config('SET', 'maxmemory-policy', 'noeviction');
      expect(await context.checkRedisEvictionPolicy()).toBe('noeviction');
      expect(lines.filter((line) => line.level === 'error')).toEqual([]);
      // maxmemory is 0 (no limit) on the test Redis, so nothing is evicted meanwhile.
      await admin.config('SET', 'maxmemory-policy', 'allkeys-lru');
      expect(await context.checkRedisEvictionPolicy()).toBe('allkeys-lru');
      const error = lines.find((line) => line.level === 'error');
      expect(error).toMatchObject({ maxmemoryPolicy: 'allkeys-lru' });
      expect(String(error?.msg)).toContain('may evict queue keys and lose jobs. Set maxmemory-policy noeviction');
    } finally {
      await admin.config('SET', 'maxmemory-policy', before);
      admin.disconnect();
      await context.close();
    }
  });
});
