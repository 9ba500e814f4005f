import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { inject } from 'vitest';

export interface TestRedis {
  readonly url: string;
  /** A queue prefix no other test file uses. */
  readonly prefix: string;
  /** Deletes every key under the prefix. */
  destroy(): Promise<void>;
}

/** Deletes every key under `prefix:` with SCAN + UNLINK (never KEYS, never FLUSHDB on a shared Redis). */
export async function deleteKeysWithPrefix(redis: Redis, prefix: string): Promise<number> {
  let cursor = '0';
  let deleted = 0;
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) deleted += await redis.unlink(...keys);
  } while (cursor !== '0');
  return deleted;
}

export function createTestRedis(): TestRedis {
  const url = inject('rollcallRedisUrl');
  const prefix = `rct-${inject('rollcallRunId')}-${randomBytes(4).toString('hex')}`;
  return {
    url,
    prefix,
    destroy: async () => {
      const redis = new Redis(url, { maxRetriesPerRequest: 3 });
      try {
        await deleteKeysWithPrefix(redis, prefix);
      } finally {
        redis.disconnect();
      }
    },
  };
}
