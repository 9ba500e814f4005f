import { randomBytes } from 'node:crypto';
import { deleteKeysWithPrefix } from '../src/index.ts';
import './test-run-context.ts';
import { Redis } from 'ioredis';
import { inject } from 'vitest';

export interface TestRedis {
  readonly url: string;
  /** A queue prefix no other test file uses. */
  readonly prefix: string;
  /** Deletes every key under the prefix. */
  destroy(): Promise<void>;
}

export function createTestRedis(): TestRedis {
  const url = inject('rollcallRedisUrl');
  const prefix = `rct-${inject('rollcallRunId')}-${randomBytes(4).toString('hex')}`;
  return {
    url,
    prefix,
    destroy: async () => {
      const redis = new Redis(url, { maxRetriesPerRequest: 3 });
      // A lost connection fails the commands below; ioredis would also print each error unheard.
      redis.on('error', () => undefined);
      try {
        await deleteKeysWithPrefix(redis, prefix);
      } finally {
        redis.disconnect();
      }
    },
  };
}
