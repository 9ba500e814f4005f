import type { Logger } from '@rollcall/logger';
import { createWorker, NIGHTLY_QUEUE, NightlyRunData, type QueueConnection } from '@rollcall/queue';
import { type Job, UnrecoverableError, type Worker } from 'bullmq';
import type { NightlyTrigger } from '@rollcall/db';
import type { NightlyRunReport } from './run-nightly.ts';

export interface CreateNightlyWorkerOptions {
  /** A worker connection (`maxRetriesPerRequest: null`). */
  readonly connection: QueueConnection;
  readonly prefix: string;
  readonly log: Logger;
  /** The run, wired by the caller: usually `(trigger) => runNightly({ ...deps, trigger })`. */
  readonly run: (trigger: NightlyTrigger) => Promise<NightlyRunReport>;
  /** Start fetching jobs at once (default) or only on `worker.run()`. */
  readonly autorun?: boolean;
}

/**
 * Consumes `scheduler.nightly`, one job at a time (the runs would only queue on the nightly lock
 * anyway). Job data is decoded here; bad data is an UnrecoverableError: failed at once, visible,
 * never retried (as is a job of a name the queue does not carry, by `createWorker`). A run that
 * throws (a date failed, or another run was busy) is retried with the catalog's backoff. The
 * job's return value is the run's report.
 */
export function createNightlyWorker(options: CreateNightlyWorkerOptions): Worker<unknown, NightlyRunReport> {
  const runJob = async (job: Job<unknown, NightlyRunReport>): Promise<NightlyRunReport> => {
    const data = NightlyRunData.safeParse(job.data);
    if (!data.success) throw new UnrecoverableError(`invalid nightly-run data: ${data.error.message}`);
    const log = options.log.child({ jobId: job.id, trigger: data.data.trigger, attempt: job.attemptsMade + 1 });
    log.info('nightly run job started');
    return options.run(data.data.trigger);
  };
  return createWorker(
    NIGHTLY_QUEUE,
    { 'nightly-run': runJob },
    {
      connection: options.connection,
      prefix: options.prefix,
      log: options.log,
      concurrency: 1,
      ...(options.autorun !== undefined ? { autorun: options.autorun } : {}),
    },
  );
}
