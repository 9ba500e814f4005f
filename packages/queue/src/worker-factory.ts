import type { Logger } from '@rollcall/logger';
import { type Job, MetricsTime, type Processor, UnrecoverableError, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { CatalogQueueName, JobNameOfQueue } from './job-catalog.ts';

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
  /**
   * The handler that takes jobs of a name the catalog does not know, instead of failing them.
   * Feed queues name theirs: feeds.md says what a feed job carries, not what it is called, so an
   * upstream producer's job of another name is still a batch of events to be stored or rejected.
   */
  readonly otherNamesGoTo?: string;
}

/**
 * One handler per job name the catalog puts on queue `Q`: leaving one out, or naming a job the
 * queue does not carry, is a type error. Job data arrives as JSON from outside the process, so a
 * handler decodes it (a bad payload is an UnrecoverableError: failed at once, never retried).
 */
export type JobHandlers<Q extends CatalogQueueName, Result> = {
  readonly [N in JobNameOfQueue<Q>]: (job: Job<unknown, Result, N>, token?: string) => Promise<Result>;
};

/** `unknown` (no constraint) for a queue name outside the catalog, `never` (a type error) for one in it. */
type OutsideCatalog<Q extends string> = [Q] extends [CatalogQueueName] ? never : unknown;

/**
 * A BullMQ worker with the conventions every worker here shares: an `error` listener (an
 * unhandled one would crash the process), per-minute completed/failed metrics kept for a week
 * (for queue health), and a log line per failure with the job's attempt count.
 *
 * On a queue of the catalog it takes one handler per job name of that queue and fails a job of
 * any other name as unrecoverable. A bare processor is accepted only for a queue outside the
 * catalog (tests of queue mechanics).
 */
export function createWorker<Q extends CatalogQueueName, Result>(
  queueName: Q,
  handlers: JobHandlers<Q, Result>,
  options: CreateWorkerOptions & { readonly otherNamesGoTo?: JobNameOfQueue<Q> },
): Worker<unknown, Result>;
export function createWorker<Q extends string, Data, Result>(
  queueName: Q & OutsideCatalog<Q>,
  processor: Processor<Data, Result>,
  options: CreateWorkerOptions,
): Worker<Data, Result>;
export function createWorker(queueName: string, handlers: Processor | object, options: CreateWorkerOptions): Worker {
  const byName = handlers as Readonly<Record<string, Processor | undefined>>;
  const processor: Processor =
    typeof handlers === 'function'
      ? (handlers as Processor)
      : async (job, token) => {
          const name = Object.hasOwn(byName, job.name) ? job.name : (options.otherNamesGoTo ?? job.name);
          const handler = Object.hasOwn(byName, name) ? byName[name] : undefined;
          if (!handler) throw new UnrecoverableError(`no handler for job ${JSON.stringify(job.name)} on queue ${queueName}`);
          return handler(job, token);
        };
  const worker = new Worker(queueName, processor, {
    connection: options.connection,
    prefix: options.prefix,
    concurrency: options.concurrency,
    autorun: options.autorun ?? true,
    metrics: { maxDataPoints: MetricsTime.ONE_WEEK },
    ...(options.lockDurationMs !== undefined && { lockDuration: options.lockDurationMs, stalledInterval: options.lockDurationMs }),
  });
  worker.on('error', (err) => options.log.warn({ err, queue: queueName }, 'worker error'));
  worker.on('failed', (job: Job | undefined, err: Error) => {
    options.log.error({ err, queue: queueName, jobId: job?.id, attempt: job?.attemptsMade, attempts: job?.opts.attempts }, 'job failed');
  });
  return worker;
}
