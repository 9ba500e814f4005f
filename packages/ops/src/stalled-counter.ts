import { type DbOrTransaction, incrementPipelineCounter, readPipelineCounter } from '@rollcall/db';
import type { Logger } from '@rollcall/logger';
import { type QueueConnection, redisOf } from '@rollcall/queue';
import { QueueEvents, type Worker } from 'bullmq';

/**
 * Counts stalled jobs per queue in Redis, so every process sees the same total and it survives
 * restarts. BullMQ reports a stall only as an event (a job whose lock expired was moved back to
 * wait, or to failed after `maxStalledCount`); it keeps no count of its own.
 */
export interface StalledRecorder {
  record(queueName: string, jobId: string): Promise<number>;
  count(queueName: string): Promise<number>;
}

/**
 * `${prefix}:rollcall:stalled:${queue}`: under the queue prefix, so a test's or a pipeline's
 * clean-up of its prefix removes it, and outside every queue's own keys (`${prefix}:${queue}:*`),
 * so obliterating a queue does not reset the count of what happened to it.
 */
/** The two commands the counters need: an ioredis client of any topology (one server, Sentinel, Cluster). */
export interface StalledCounterClient {
  get(key: string): Promise<string | null>;
  incr(key: string): Promise<number>;
}

export const stalledCounterKey = (prefix: string, queueName: string): string =>
  `${prefix}:rollcall:stalled:${queueName}`;

export async function readStalledCount(
  redis: StalledCounterClient,
  prefix: string,
  queueName: string,
): Promise<number> {
  return Number((await redis.get(stalledCounterKey(prefix, queueName))) ?? 0);
}

export function createStalledRecorder(redis: StalledCounterClient, prefix: string): StalledRecorder {
  return {
    record: (queueName) => redis.incr(stalledCounterKey(prefix, queueName)),
    count: (queueName) => readStalledCount(redis, prefix, queueName),
  };
}

/** The same two commands on pipeline markers in PostgreSQL, for queues that live there. */
export function databaseCounterClient(db: DbOrTransaction): StalledCounterClient {
  return {
    get: async (key) => String(await readPipelineCounter(db, key)),
    incr: (key) => incrementPipelineCounter(db, key),
  };
}

/** The stalled-job counters beside the queues: in Redis with them, or in PostgreSQL with them. */
export function stalledRecorderFor(connection: QueueConnection, db: DbOrTransaction, prefix: string): StalledRecorder {
  return createStalledRecorder(redisOf(connection) ?? databaseCounterClient(db), prefix);
}

/**
 * Records every stall `source` reports; returns a function that stops listening.
 *
 * Watch each Worker (its stalled checker reports each stall it moved, and one checker moves a
 * job once, so workers in several processes count each stall once) or one QueueEvents per queue
 * in the whole deployment: every QueueEvents sees every event, so two would count each twice.
 */
export function watchStalled(source: Worker | QueueEvents, recorder: StalledRecorder, log?: Logger): () => void {
  const queueName = source.name;
  const record = (jobId: string): void => {
    log?.warn({ queue: queueName, jobId }, 'job stalled: its lock expired before it finished');
    recorder
      .record(queueName, jobId)
      .catch((err: unknown) => log?.error({ err, queue: queueName, jobId }, 'could not record a stalled job'));
  };
  if (source instanceof QueueEvents) {
    const listener = ({ jobId }: { jobId: string }): void => record(jobId);
    source.on('stalled', listener);
    return () => source.off('stalled', listener);
  }
  const listener = (jobId: string): void => record(jobId);
  source.on('stalled', listener);
  return () => source.off('stalled', listener);
}
