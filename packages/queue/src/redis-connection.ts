import type { Logger } from '@rollcall/logger';
import { Redis } from 'ioredis';

/**
 * - `worker`: blocking and long-lived; commands wait for reconnection forever
 *   (`maxRetriesPerRequest: null`, required by BullMQ workers), so a Redis restart pauses work
 *   and it resumes by itself.
 * - `producer`: adds jobs and reads state; fails fast when Redis is down
 *   (`enableOfflineQueue: false`) so a CLI command or an HTTP request reports it instead of hanging.
 */
export type ConnectionRole = 'worker' | 'producer';

export interface RedisConnectionOptions {
  readonly role: ConnectionRole;
  readonly log?: Logger;
  readonly name?: string;
}

export function createRedisConnection(url: string, options: RedisConnectionOptions): Redis {
  const redis = new Redis(url, {
    connectionName: options.name ?? `rollcall-${options.role}`,
    maxRetriesPerRequest: options.role === 'worker' ? null : 1,
    enableOfflineQueue: options.role === 'worker',
    // Reconnect with a growing pause, capped at 5 s, for ever: an outage ends when Redis returns.
    retryStrategy: (attempt) => Math.min(250 * 2 ** Math.min(attempt, 5), 5_000),
    enableReadyCheck: true,
  });
  let down = false;
  redis.on('error', (err) => {
    if (!down) options.log?.warn({ err, role: options.role }, 'redis connection error; reconnecting');
    down = true;
  });
  redis.on('ready', () => {
    if (down) options.log?.info({ role: options.role }, 'redis connection restored');
    down = false;
  });
  return redis;
}

/**
 * Redis' eviction policy. BullMQ loses jobs if Redis evicts keys, so anything but `noeviction`
 * must be reported loudly at start (operations.md).
 */
export async function readMaxMemoryPolicy(redis: Redis): Promise<string | undefined> {
  try {
    const reply = (await redis.config('GET', 'maxmemory-policy')) as string[];
    return reply[1];
  } catch {
    // Managed Redis services often disable CONFIG; INFO carries the same setting.
    const info = await redis.info('memory');
    return /maxmemory_policy:(\S+)/.exec(info)?.[1];
  }
}
