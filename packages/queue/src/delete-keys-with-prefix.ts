import { type RedisClient, scanTargets } from './redis-topology.ts';

/**
 * Deletes every key under `prefix:` with SCAN + UNLINK: never KEYS (it blocks Redis) and never
 * FLUSHDB (the Redis may be shared with other prefixes). For test clean-up and the demo's reset.
 * On a Cluster the scan visits every primary (each holds only its slots) and each key is unlinked
 * on its own, so keys of different slots are never named in one command (CROSSSLOT).
 */
export async function deleteKeysWithPrefix(redis: RedisClient, prefix: string): Promise<number> {
  let deleted = 0;
  for (const node of scanTargets(redis)) {
    let cursor = '0';
    do {
      const [next, keys] = await node.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) {
        const replies = (await node.pipeline(keys.map((key) => ['unlink', key])).exec()) ?? [];
        for (const [error, count] of replies) {
          if (error) throw error;
          deleted += Number(count);
        }
      }
    } while (cursor !== '0');
  }
  return deleted;
}
