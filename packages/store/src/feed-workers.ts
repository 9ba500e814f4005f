import { type Db, deleteCommittedPartsBefore } from '@rollcall/db';
import { FEEDS, type Feed } from '@rollcall/contract';
import type { Logger } from '@rollcall/logger';
import { createWorker, feedQueueName, MAX_EVENTS_PER_JOB, type QueueConnection } from '@rollcall/queue';
import { type Job, UnrecoverableError, Worker } from 'bullmq';
import { isDatabaseUnreachable } from './database-errors.ts';
import { createDatabaseOutageGate, type DatabaseProbeOptions } from './database-outage.ts';
import { addOutcomes, type FeedBatchOutcome, NO_OUTCOME } from './feed-batch-outcome.ts';
import { feedJobInputs } from './feed-job-inputs.ts';
import { type IngestContext, mayHoldPersonReferenceInClear, scrubPersonReferences } from '@rollcall/intake';
import { StorageSlots } from './storage-slots.ts';
import { storeJobsTogether } from './store-jobs-together.ts';

export interface FeedWorkersOptions {
  readonly db: Db;
  /** Worker connection (`maxRetriesPerRequest: null`). */
  readonly connection: QueueConnection;
  readonly prefix: string;
  readonly context: IngestContext;
  /**
   * Storage transactions in flight per feed. The worker holds more jobs than this when they are
   * small (see `heldJobs`), so that small jobs waiting for a transaction share one.
   */
  readonly concurrency: number;
  readonly log: Logger;
  readonly feeds?: readonly Feed[];
  /** Job lock duration and stalled-check interval, ms. */
  readonly lockDurationMs?: number;
  /** Called after each job's transaction committed, e.g. to observe metrics. */
  readonly onBatch?: (feed: Feed, outcome: FeedBatchOutcome, seconds: number) => void;
  /** How the workers wait for PostgreSQL while it is unreachable (see `createDatabaseOutageGate`). */
  readonly databaseProbe?: DatabaseProbeOptions;
  /**
   * The most events a storage transaction takes from the jobs waiting for it (default
   * `MAX_EVENTS_PER_TRANSACTION`). Lower means more, shorter transactions: a test that needs many
   * transactions out of few events sets it.
   */
  readonly eventsPerTransaction?: number;
}

/** Marks of committed job parts are kept longer than a failed job stays retryable in Redis (7 days). */
const COMMITTED_PART_RETENTION_MS = 8 * 86_400_000;
/** How often (in jobs, per process) old marks are cleared. */
const CLEANUP_EVERY_JOBS = 1_000;

/**
 * A job handed back this many times without being charged, each time after PostgreSQL answered
 * `select 1` again, fails for a reason of its own that only looks like an outage (a statement
 * that crashes the server, 57P02 every time): from then on its attempts are charged as usual, so
 * it ends failed after its retries instead of going round for ever.
 */
const MAX_UNCHARGED_HANDBACKS = 20;

/**
 * The most inputs a worker takes in one job from an outside producer: ten times the contract's
 * 1,000, stored 1,000 at a time. A larger job (a producer that forgot to split 400,000 events)
 * is refused whole with its reason rather than held in memory while it is stored.
 */
export const MAX_EVENTS_PER_OUTSIDE_JOB = 10 * MAX_EVENTS_PER_JOB;

/**
 * The most events one storage transaction takes from the jobs waiting for it: four jobs of 1,000.
 * A transaction's cost is not only its dozen statements and commit (about 3 ms): its events share
 * days, entities and aggregate rows, and every row they touch is written once per transaction.
 * Jobs of 1,000 stored four together cost the write path 10-14 % less CPU per event than one by
 * one, PostgreSQL 20 % less (`bench:write-path --together`, run side by side; issue 19). Jobs are
 * taken together only when they are waiting already, so a quiet feed's job still goes alone.
 */
export const MAX_EVENTS_PER_TRANSACTION = 4 * MAX_EVENTS_PER_JOB;

/** The most jobs one storage transaction takes: ten of 100 make 1,000 events, as before decisions.md 62. */
export const MAX_JOBS_PER_TRANSACTION = 10;

/**
 * How many jobs a feed's worker holds at once, for jobs of `size` events: enough to fill its
 * transactions with `MAX_EVENTS_PER_TRANSACTION` events each (jobs of 1,000 with concurrency 2:
 * 8 held), never fewer than the transactions, and at most ten per transaction (jobs of 100: 20
 * held), so that the events held stay within a few thousand per transaction.
 */
export const heldJobs = (
  concurrency: number,
  size: number,
  eventsPerTransaction: number = MAX_EVENTS_PER_TRANSACTION,
): number =>
  Math.max(
    concurrency,
    Math.min(
      MAX_JOBS_PER_TRANSACTION * concurrency,
      Math.ceil((concurrency * eventsPerTransaction) / Math.max(1, size)),
    ),
  );

/** Stable across deliveries and `retry-failed` of one job, distinct for a later job reusing its id. */
export const feedJobKey = (queue: string, job: Pick<Job, 'id' | 'timestamp'>) =>
  `${queue}:${job.id ?? '?'}:${job.timestamp}`;

/**
 * One BullMQ worker per feed queue. A job completes only after its events are committed; its
 * return value is the outcome counts, so `offered = stored + duplicate + rejected` can be read
 * per job as well as per feed. A job from an outside producer holding more than 1,000 events is
 * not refused (its events are as good as any): it is stored 1,000 at a time, with a warning, up
 * to `MAX_EVENTS_PER_OUTSIDE_JOB`; a larger one fails at once with its reason.
 *
 * A job that cannot reach PostgreSQL is handed back to its queue without using an attempt, and
 * the workers pause until `select 1` answers (`createDatabaseOutageGate`): an outage of any
 * length ends with every job done, none failed.
 */
export function createFeedWorkers(options: FeedWorkersOptions): Worker[] {
  let jobsSinceCleanup = CLEANUP_EVERY_JOBS;
  const clearOldPartMarks = async () => {
    if (++jobsSinceCleanup < CLEANUP_EVERY_JOBS) return;
    jobsSinceCleanup = 0;
    const cleared = await deleteCommittedPartsBefore(options.db, new Date(Date.now() - COMMITTED_PART_RETENTION_MS));
    if (cleared > 0) options.log.debug({ cleared }, 'cleared old committed-part marks');
  };
  const eventsPerTransaction = options.eventsPerTransaction ?? MAX_EVENTS_PER_TRANSACTION;
  let workers: Worker[] = [];
  const outage = createDatabaseOutageGate(options.db, () => workers, options.log, options.databaseProbe);
  workers = (options.feeds ?? FEEDS).map((feed) => {
    const queue = feedQueueName(feed);
    const log = options.log.child({ feed, queue });
    let jobsStarted = 0;
    const slots = new StorageSlots(
      options.concurrency,
      { events: eventsPerTransaction, jobs: MAX_JOBS_PER_TRANSACTION },
      (jobs) => storeJobsTogether(options.db, feed, jobs, options.context, log),
    );
    const store = async (job: Job): Promise<FeedBatchOutcome> => {
      const started = performance.now();
      await clearOldPartMarks();
      const offered = feedJobInputs(job.data).length;
      if (offered > MAX_EVENTS_PER_OUTSIDE_JOB) {
        // Not retried: the same job fails the same way. It stays among the failed jobs with this
        // reason (kept 7 days, counted by `rollcall status`), its events neither stored nor counted.
        throw new UnrecoverableError(
          `job holds ${offered.toLocaleString('en-GB')} events; a worker takes at most ${MAX_EVENTS_PER_OUTSIDE_JOB.toLocaleString('en-GB')} in one job (the contract says ${MAX_EVENTS_PER_JOB.toLocaleString('en-GB')}): split it into jobs of ${MAX_EVENTS_PER_JOB.toLocaleString('en-GB')} and send them again`,
        );
      }
      // An outside producer may send references in clear, in any shape: the job's copy in Redis
      // (what bull-board shows and retention keeps) is pseudonymised before anything else reads
      // it. One round trip, for those jobs only; jobs from our own CLI arrive pseudonymised.
      // Either way `data` is pseudonymised from here on, so storage does not walk each event
      // again (`pseudonymised` below).
      let data: unknown = job.data;
      if (mayHoldPersonReferenceInClear(data)) {
        data = scrubPersonReferences(data, options.context.pseudonymise);
        await job.updateData(data);
      }
      const inputs = feedJobInputs(data);
      const jobKey = feedJobKey(queue, job);
      if (inputs.length > MAX_EVENTS_PER_JOB) {
        log.warn(
          { jobId: job.id, events: inputs.length, limit: MAX_EVENTS_PER_JOB },
          'job holds more events than the contract allows; storing them in chunks',
        );
      }
      // Hold as many jobs as fill the transactions: the size of the last one is the best guess of the next ones'.
      const held = heldJobs(options.concurrency, inputs.length, eventsPerTransaction);
      // The processor runs only once the worker exists (jobs are fetched after construction).
      if (worker.concurrency !== held) worker.concurrency = held;
      // Successive jobs start at different parts, so concurrent jobs overlap instead of
      // queueing for the same shard locks in step.
      const startAt = jobsStarted++;
      let outcome = NO_OUTCOME;
      for (let from = 0, chunk = 0; from < inputs.length; from += MAX_EVENTS_PER_JOB, chunk++) {
        const chunkOutcome = await slots.store({
          inputs: inputs.slice(from, from + MAX_EVENTS_PER_JOB),
          source: `queue ${queue} job ${job.id ?? '?'}`,
          jobKey: chunk === 0 ? jobKey : `${jobKey}/${chunk}`,
          startAt,
          pseudonymised: true,
        });
        outcome = addOutcomes(outcome, chunkOutcome);
      }
      const seconds = (performance.now() - started) / 1000;
      options.onBatch?.(feed, outcome, seconds);
      log.debug({ jobId: job.id, ...outcome, ms: Math.round(seconds * 1000) }, 'batch stored');
      return outcome;
    };
    const processor = async (job: Job): Promise<FeedBatchOutcome> => {
      try {
        return await store(job);
      } catch (error) {
        // attemptsStarted counts this delivery; attemptsMade only the charged ones.
        if (isDatabaseUnreachable(error) && job.attemptsStarted - job.attemptsMade <= MAX_UNCHARGED_HANDBACKS) {
          await outage.enter(error);
          // BullMQ moves the job back to wait without counting an attempt (RateLimitError).
          throw Worker.RateLimitError();
        }
        throw error;
      }
    };
    const worker = createWorker(
      queue,
      { 'feed-batch': processor },
      {
        otherNamesGoTo: 'feed-batch',
        connection: options.connection,
        prefix: options.prefix,
        concurrency: options.concurrency,
        log,
        ...(options.lockDurationMs !== undefined && { lockDurationMs: options.lockDurationMs }),
      },
    );
    return worker;
  });
  return workers;
}
