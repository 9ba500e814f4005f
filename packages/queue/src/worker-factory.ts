import type { Logger } from '@rollcall/logger';
import { type Job, MetricsTime, type Processor, Worker } from 'bullmq';
import type { Redis } from 'ioredis';

export interface CreateWorkerOptions {
  /** A worker connection (`maxRetriesPerRequest: null`); BullMQ duplicates it for blocking calls. */
  readonly connection: Redis;
  readonly prefix: string;
  readonly log: Logger;
  readonly concurrency: number;
  /** Start fetching jobs at once (default) or only when `run()` is called. */
  readonly autorun?: boolean;
  /** Job lock duration and stalled-check interval, ms (BullMQ's default 30,000). */
  readonly lockDurationMs?: number;
}

/**
 * A BullMQ worker with the conventions every worker here shares: an `error` listener (an
 * unhandled one would crash the process), per-minute completed/failed metrics kept for a week
 * (for queue health), and a log line per failure with the job's attempt count.
 */
export function createWorker<Data, Result>(
  queueName: string,
  processor: Processor<Data, Result>,
  options: CreateWorkerOptions,
): Worker<Data, Result> {
  const worker = new Worker<Data, Result>(queueName, processor, {
    connection: options.connection,
    prefix: options.prefix,
    concurrency: options.concurrency,
    autorun: options.autorun ?? true,
    metrics: { maxDataPoints: MetricsTime.ONE_WEEK },
    ...(options.lockDurationMs !== undefined && { lockDuration: options.lockDurationMs, stalledInterval: options.lockDurationMs }),
  });
  worker.on('error', (err) => options.log.warn({ err, queue: queueName }, 'worker error'));
  worker.on('failed', (job: Job<Data, Result> | undefined, err: Error) => {
    options.log.error(
      { err, queue: queueName, jobId: job?.id, attempt: job?.attemptsMade, attempts: job?.opts.attempts },
      'job failed',
    );
  });
  return worker;
}
