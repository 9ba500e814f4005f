import type { Logger } from '@rollcall/logger';
import { type QueueConnection, workerBackend } from './queue-backend.ts';
import type { Job } from 'bullmq';
import { type JobJson, MetricsTime, type Processor, UnrecoverableError, Worker } from 'bullmq';
import type { CatalogQueueName, JobNameOfQueue } from './job-catalog.ts';

export interface CreateWorkerOptions {
  /**
   * A worker connection: Redis (`maxRetriesPerRequest: null`; BullMQ duplicates it for blocking
   * calls) or the PostgreSQL queue store.
   */
  readonly connection: QueueConnection;
  readonly prefix: string;
  readonly log: Logger;
  readonly concurrency: number;
  /** Start fetching jobs at once (default) or only when `run()` is called. */
  readonly autorun?: boolean;
  /**
   * Job lock duration and stalled-check interval, ms (BullMQ's default 30,000); the lock is renewed every quarter of
   * it.
   */
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

/**
 * How many times a job may be found stalled (its lock expired: its worker was killed, or blocked
 * for longer than the lock) and be handed to another worker; at the next stall BullMQ fails it
 * with "job stalled more than allowable limit". BullMQ's default of 1 failed a large job on the
 * second worker death, with its events part stored (issue 15: 63,000 of 100,000); a feed job's
 * committed parts are skipped on redelivery, so going round again costs only the rest of it.
 * 3 still ends a job that kills every worker that takes it (out of memory on it, say) after 4.
 */
export const MAX_STALLED_COUNT = 3;

/** BullMQ's own lock duration, used when none is given. */
const DEFAULT_LOCK_MS = 30_000;

/**
 * Locks are renewed every quarter of their duration (BullMQ's default: every half). A renewal is
 * a timer on the event loop, so one held up by a long synchronous stretch of a large job (parsing
 * or folding 1,000 events, a full GC) loses the lock only after 3/4 of the lock duration instead of
 * 1/2: 22.5 s with the default WORKER_LOCK_SECONDS of 30. One Redis call per worker per renewal,
 * for all its jobs at once.
 */
export const LOCK_RENEWALS_PER_LOCK = 4;

/**
 * Says why a job's stored data could not be read: the job is failed with this, unrecoverable,
 * without running any handler.
 */
export function unreadableJobDataReason(cause: unknown): string {
  const detail = cause instanceof Error ? cause.message : String(cause);
  return `job data is not JSON (${detail}): failed without running; the stored data is kept for inspection`;
}

/**
 * A worker that fails a job whose stored data is not JSON instead of leaving it active for ever.
 *
 * BullMQ builds each job it takes with `Job.fromJSON`, which `JSON.parse`s the `data` field; when
 * that throws, the worker emits an `error` and drops the job, which stays active with nothing
 * renewing its lock, is found stalled, is taken again and throws again, round and round (even the
 * "stalled more than allowable limit" failure is deferred to the next worker that builds the job,
 * and none can). Here the job is built with null data and a deferred failure instead, which BullMQ
 * turns into an UnrecoverableError before any processor runs: failed on its first delivery.
 */
class RollcallWorker<Data = unknown, Result = unknown> extends Worker<Data, Result> {
  protected override createJob(data: JobJson, jobId: string): Job<Data, Result> {
    try {
      return super.createJob(data, jobId);
    } catch (error) {
      const job = super.createJob({ ...data, data: 'null' }, jobId);
      job.deferredFailure = unreadableJobDataReason(error);
      return job;
    }
  }
}

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
          if (!handler)
            throw new UnrecoverableError(`no handler for job ${JSON.stringify(job.name)} on queue ${queueName}`);
          return handler(job, token);
        };
  const backend = workerBackend(options.connection, options.prefix, options.concurrency);
  const worker = new RollcallWorker(
    queueName,
    processor,
    {
      ...backend.options,
      concurrency: options.concurrency,
      autorun: options.autorun ?? true,
      metrics: { maxDataPoints: MetricsTime.ONE_WEEK },
      maxStalledCount: MAX_STALLED_COUNT,
      ...(options.lockDurationMs !== undefined && {
        lockDuration: options.lockDurationMs,
        stalledInterval: options.lockDurationMs,
      }),
      lockRenewTime: Math.max(1, Math.floor((options.lockDurationMs ?? DEFAULT_LOCK_MS) / LOCK_RENEWALS_PER_LOCK)),
    },
    backend.factory as never,
  );
  worker.on('error', (err) => options.log.warn({ err, queue: queueName }, 'worker error'));
  worker.on('failed', (job: Job | undefined, err: Error) => {
    options.log.error(
      { err, queue: queueName, jobId: job?.id, attempt: job?.attemptsMade, attempts: job?.opts.attempts },
      'job failed',
    );
  });
  return worker;
}
