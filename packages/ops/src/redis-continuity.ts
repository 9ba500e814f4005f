import { randomUUID } from 'node:crypto';
import { type DbOrTransaction, readPipelineMarker, writePipelineMarker } from '@rollcall/db';
import { type QueueConnection, redisOf } from '@rollcall/queue';
import type { HealthStatus } from './health-status.ts';

/** The Redis commands the check needs (an ioredis client, or a queue's). */
export interface RedisMarkerClient {
  get(key: string): Promise<string | null>;
  set(key: string, value: string, mode: 'NX'): Promise<unknown>;
}

/**
 * The `redisMarker` option of the status report for queues on `connection`: none when they are in
 * PostgreSQL, which keeps them as durably as the figures (there is no epoch to lose).
 */
export function redisMarkerFor(
  connection: QueueConnection,
  prefix: string,
): { readonly redisMarker?: { readonly client: RedisMarkerClient; readonly prefix: string } } {
  const redis = redisOf(connection);
  return redis ? { redisMarker: { client: redis, prefix } } : {};
}

/** How long status keeps warning after a loss was detected. */
export const REDIS_LOSS_WARN_HOURS = 24;

export interface RedisContinuity {
  readonly status: HealthStatus;
  /** When a loss of Redis's data was last detected (ISO instant), or null. */
  readonly lostDetectedAt: string | null;
  readonly reason: string | null;
}

/**
 * Notices that Redis lost its data (issue 15): restarted without AOF, flushed, or replaced. Redis
 * holds an epoch key under the queue prefix and PostgreSQL remembers the epoch it last saw; when
 * Redis no longer has it, jobs that producers were told were queued, and that were not stored yet,
 * may be gone, and nothing in Redis can say so. The check starts a new epoch and warns for
 * REDIS_LOSS_WARN_HOURS, naming when the old one was last seen, so an operator can ask producers
 * to re-send from then (and run Redis with AOF and `noeviction`, operations.md).
 */
export async function checkRedisContinuity(
  db: DbOrTransaction,
  redis: RedisMarkerClient,
  prefix: string,
  now = Date.now(),
): Promise<RedisContinuity> {
  const key = `${prefix}:rollcall:epoch`;
  const markerName = `redis-epoch:${prefix}`;
  const lossName = `redis-lost:${prefix}`;
  // NX: two checks at once start one epoch between them.
  await redis.set(key, randomUUID(), 'NX');
  const epoch = await redis.get(key);
  const remembered = await readPipelineMarker(db, markerName);
  if (epoch !== null && remembered?.value !== epoch) {
    if (remembered !== undefined)
      await writePipelineMarker(
        db,
        lossName,
        JSON.stringify({ detectedAt: new Date(now).toISOString(), lastSeenAt: remembered.updatedAt.toISOString() }),
      );
    await writePipelineMarker(db, markerName, epoch);
  } else if (epoch !== null) {
    await writePipelineMarker(db, markerName, epoch);
  }
  const loss = await readPipelineMarker(db, lossName);
  if (!loss) return { status: 'ok', lostDetectedAt: null, reason: null };
  const { detectedAt, lastSeenAt } = JSON.parse(loss.value) as { detectedAt: string; lastSeenAt: string };
  if (now - Date.parse(detectedAt) > REDIS_LOSS_WARN_HOURS * 3_600_000)
    return { status: 'ok', lostDetectedAt: detectedAt, reason: null };
  return {
    status: 'warn',
    lostDetectedAt: detectedAt,
    reason:
      `Redis lost its data between ${lastSeenAt} and ${detectedAt} (restarted without AOF, flushed or replaced): jobs queued in that time and not yet stored may be gone. ` +
      'Compare what producers sent since then with rollcall status accounting and re-send what is missing; run Redis with appendonly yes and noeviction (operations.md, Redis)',
  };
}
