import type { Queue } from 'bullmq';

export interface RetryFailedOptions {
  /** Retry at most this many, oldest failure first; all when absent. */
  readonly limit?: number;
}

export interface RetryFailedResult {
  readonly retried: number;
  /** Ids moved back to wait, in the order they were retried. */
  readonly jobIds: readonly string[];
  /** Failed jobs that could not be retried (removed or retried by someone else meanwhile). */
  readonly skipped: readonly { readonly jobId: string; readonly reason: string }[];
}

/** Ids read per round: bounds memory when 10,000 failed jobs are kept (removeOnFail). */
const PAGE = 500;

/**
 * Moves failed jobs back to wait, oldest failure first (the failed set is scored by finishedOn),
 * one by one with `Job.retry` so that the result names each job. Attempts start again from zero,
 * so a job gets its full retries. A job that cannot be retried is listed and the rest go on.
 */
export async function retryFailedJobs(queue: Queue, options: RetryFailedOptions = {}): Promise<RetryFailedResult> {
  const limit = options.limit ?? Number.POSITIVE_INFINITY;
  const jobIds: string[] = [];
  const skipped: { jobId: string; reason: string }[] = [];
  const tried = new Set<string>();
  while (jobIds.length < limit) {
    const want = Math.min(PAGE, limit - jobIds.length);
    // Retried jobs leave the set, so each round reads from its start again; skipped ones stay,
    // so read past them.
    const ids = (await queue.getRanges(['failed'], 0, skipped.length + want - 1, true)).filter((id) => !tried.has(id));
    if (ids.length === 0) break;
    for (const jobId of ids.slice(0, want)) {
      tried.add(jobId);
      try {
        const job = await queue.getJob(jobId);
        if (!job) throw new Error('job no longer exists');
        await job.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true });
        jobIds.push(jobId);
      } catch (error) {
        skipped.push({ jobId, reason: error instanceof Error ? error.message : String(error) });
      }
    }
  }
  return { retried: jobIds.length, jobIds, skipped };
}
