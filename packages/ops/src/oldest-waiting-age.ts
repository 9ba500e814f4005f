import type { Job, Queue } from 'bullmq';
import { readJobFields } from '@rollcall/queue';

/**
 * Waiting jobs read from the end workers take next. Jobs handed back from active (stalled, or
 * returned while PostgreSQL was unreachable) go to that end, at most as many as were active on
 * the queue (WORKER_CONCURRENCY, 2 by default, per worker process), so 20 reach past them to the
 * jobs that have waited their turn; reading them is one script and 20 hashes, whatever the backlog.
 */
export const WAITING_JOBS_SCANNED = 20;

/** The pause BullMQ put before this retry (backoff after `attemptsMade` failed attempts), in ms. */
function retryDelayOf(job: Pick<Job, 'opts' | 'attemptsMade'>): number {
  const option = job.opts.backoff;
  const backoff = typeof option === 'number' ? { type: 'fixed', delay: option, jitter: 0 } : option;
  if (!backoff?.delay || job.attemptsMade < 1) return 0;
  const full =
    backoff.type === 'exponential'
      ? Math.round(2 ** (job.attemptsMade - 1) * backoff.delay)
      : backoff.type === 'fixed'
        ? backoff.delay
        : 0;
  // With jitter the pause was somewhere below `full`: take the shortest, so lag is never overstated.
  return Math.floor(full * (1 - (backoff.jitter ?? 0)));
}

/**
 * Epoch ms at which a waiting job became ready to be picked up: the operator's "since when has
 * this work been waiting", not `timestamp` (when it was first added), which for a retried job
 * counts its whole history. BullMQ keeps no such time, so it is read from what it does keep:
 * - never started: added, plus any delay it was added with;
 * - handed back from active without an attempt being charged (`attemptsStarted` ahead of
 *   `attemptsMade`: stalled, or returned while PostgreSQL was down): its last start, when it
 *   went back, or up to one lock period before that for a stall;
 * - retried after a failed attempt: its last start plus the backoff it was given (the attempt's
 *   own duration, usually milliseconds, is not known and not counted).
 * A job re-queued by `retry-failed` has its processing times cleared by BullMQ, so it counts as
 * never started: from when it was first added.
 */
export function readyToRunAt(
  job: Pick<Job, 'timestamp' | 'opts' | 'processedOn' | 'attemptsMade' | 'attemptsStarted'>,
): number {
  const added = job.timestamp + (job.opts.delay ?? 0);
  if (job.processedOn === undefined || job.processedOn === null) return added;
  if ((job.attemptsStarted ?? 0) > job.attemptsMade) return Math.max(added, job.processedOn);
  return Math.max(added, job.processedOn + retryDelayOf(job));
}

/**
 * Lag: in seconds, the longest any of the next `WAITING_JOBS_SCANNED` waiting jobs has been ready
 * to run (`readyToRunAt`), or null when none waits. New and retried jobs join the far end of the
 * wait list, so the job nearest the front has waited longest; handed-back jobs go to the very
 * front and are read past. Prioritized jobs are not looked at (no queue here uses priorities);
 * delayed jobs are not waiting yet.
 */
export async function readOldestWaitingAge(
  queue: Queue,
  now: number,
  scan = WAITING_JOBS_SCANNED,
): Promise<number | null> {
  // getWaiting(0, n - 1) reads from the front (the next to be taken), skipping ids whose job has gone.
  const jobs = await queue.getWaiting(0, scan - 1).catch(() => readWaitingOneByOne(queue, scan));
  if (jobs.length === 0) return null;
  const earliest = Math.min(...jobs.map((job) => readyToRunAt(job)));
  return Math.max(0, now - earliest) / 1_000;
}

type ReadyFields = Parameters<typeof readyToRunAt>[0];

/**
 * The same jobs read one at a time, for when `getWaiting` throws: BullMQ builds every job it
 * returns, and one whose data is not JSON (issue 15) throws for the whole list. Such a job counts
 * from when it was added (`timestamp`, read from its hash), so it still shows in the lag.
 */
async function readWaitingOneByOne(queue: Queue, scan: number): Promise<ReadyFields[]> {
  const jobIds = await queue.getRanges(['waiting'], 0, scan - 1, true);
  const jobs = await Promise.all(
    jobIds.map(async (jobId): Promise<ReadyFields | undefined> => {
      try {
        return await queue.getJob(jobId);
      } catch {
        const [[stamp] = []] = await readJobFields(queue, [jobId], ['timestamp']);
        const timestamp = Number(stamp);
        return Number.isFinite(timestamp) && timestamp > 0
          ? { timestamp, opts: {}, processedOn: undefined, attemptsMade: 0, attemptsStarted: 0 }
          : undefined;
      }
    }),
  );
  return jobs.filter((job): job is ReadyFields => job !== undefined);
}
