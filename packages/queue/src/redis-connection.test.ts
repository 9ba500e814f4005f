import { closedPort, createTestRedis } from '../test/index.ts';
import { afterAll, describe, expect, it } from 'vitest';
import { createRedisConnection, waitForRedisReady } from './redis-connection.ts';

const redis = createTestRedis();
afterAll(() => redis.destroy());

describe("createRedisConnection, as BullMQ's production guide says", () => {
  it('gives workers a connection whose commands wait for Redis for ever (maxRetriesPerRequest: null)', async () => {
    const worker = createRedisConnection(redis.url, { role: 'worker' });
    try {
      expect(worker.options).toMatchObject({
        maxRetriesPerRequest: null,
        enableOfflineQueue: true,
        connectionName: 'rollcall-worker',
      });
      expect(await worker.ping()).toBe('PONG');
    } finally {
      worker.disconnect();
    }
  });

  it('gives producers a connection that fails fast (enableOfflineQueue: false) instead of hanging while Redis is down', async () => {
    const port = await closedPort();
    const producer = createRedisConnection(`redis://127.0.0.1:${port}`, { role: 'producer', name: 'rollcall-cli' });
    try {
      expect(producer.options).toMatchObject({
        maxRetriesPerRequest: 1,
        enableOfflineQueue: false,
        connectionName: 'rollcall-cli',
      });
      await expect(producer.ping()).rejects.toThrow("Stream isn't writeable and enableOfflineQueue options is false");
      await expect(waitForRedisReady(producer, 300)).rejects.toThrow(
        new RegExp(`^Redis at 127\\.0\\.0\\.1:${port} not ready after 300 ms \\(.*ECONNREFUSED.*\\)$`),
      );
    } finally {
      producer.disconnect();
    }
  });
});
