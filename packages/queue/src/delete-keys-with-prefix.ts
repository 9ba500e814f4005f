import type { Redis } from 'ioredis';

/**
 * Deletes every key under `prefix:` with SCAN + UNLINK: never KEYS (it blocks Redis) and never
 * FLUSHDB (the Redis may be shared with other prefixes). For test clean-up and the demo's reset.
 */
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
