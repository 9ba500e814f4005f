import type { Logger } from '@rollcall/logger';
import { type Cluster, Redis } from 'ioredis';
import { describeRedisAddress, type RedisClient } from './redis-topology.ts';

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
  reportOutages(redis, options);
  return redis;
}

/**
 * Every connection gets an 'error' listener. ioredis does not throw an unheard 'error' as pg
 * does (it prints "[ioredis] Unhandled error event" to stderr, around the logger, at every
 * failed reconnection attempt); heard here, an outage is logged once when it starts and once
 * when it ends. The duplicates BullMQ opens of this connection report to the Worker's or the
 * Queue's 'error' listener (createWorker, QueueFactory).
 */
export function reportOutages(redis: Redis | Cluster, options: RedisConnectionOptions): void {
  let down = false;
  redis.on('error', (err) => {
    if (!down) options.log?.warn({ err, role: options.role }, 'redis connection error; reconnecting');
    down = true;
  });
  redis.on('ready', () => {
    if (down) options.log?.info({ role: options.role }, 'redis connection restored');
    down = false;
  });
}

/**
 * Redis' eviction policy. BullMQ loses jobs if Redis evicts keys, so anything but `noeviction`
 * must be reported loudly at start (operations.md).
 */
export async function readMaxMemoryPolicy(redis: RedisClient): Promise<string | undefined> {
  try {
    const reply = (await redis.config('GET', 'maxmemory-policy')) as string[];
    return reply[1];
  } catch {
    // Managed Redis services often disable CONFIG; INFO carries the same setting.
    const info = await redis.info('memory');
    return /maxmemory_policy:(\S+)/.exec(info)?.[1];
  }
}

/**
 * Resolves when the connection is ready, or rejects after `timeoutMs` with the address and the
 * last error. A fail-fast producer refuses commands until its first connect completes, so
 * anything that opens one waits here first.
 */
export async function waitForRedisReady(redis: RedisClient, timeoutMs = 5_000): Promise<void> {
  if (redis.status === 'ready') return;
  await new Promise<void>((resolve, reject) => {
    let lastError: Error | undefined;
    const onError = (error: Error) => (lastError = error);
    const onReady = () => {
      cleanup();
      resolve();
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(
        new Error(
          `${describeRedisAddress(redis)} not ready after ${timeoutMs} ms${lastError ? ` (${lastError.message})` : ''}`,
        ),
      );
    }, timeoutMs);
    const cleanup = () => {
      clearTimeout(timer);
      redis.off('ready', onReady);
      redis.off('error', onError);
    };
    redis.on('ready', onReady);
    redis.on('error', onError);
  });
}
