import type { Queue } from 'bullmq';
import { readJobFields } from '@rollcall/queue';
import { WAITING_JOBS_SCANNED } from './oldest-waiting-age.ts';

/** A failed job as status shows it: enough to decide whether to retry it. */
export interface FailedJobSummary {
  readonly jobId: string;
  readonly name: string;
  readonly attemptsMade: number;
  /** ISO instant it failed; null when BullMQ did not record one. */
  readonly failedAt: string | null;
  readonly reason: string;
}

/** A job still to be done that has been found stalled (its worker died or lost its lock) more than once. */
export interface StalledJobSummary {
  readonly jobId: string;
  readonly name: string;
  /** BullMQ's own count on the job (`stc`): how many times it was found stalled. */
  readonly stalls: number;
  readonly state: 'active' | 'waiting';
}

/** Failed jobs status names, newest first; the count of all is in the queue's counts. */
export const FAILED_JOBS_SHOWN = 5;

/** A failure reason is one line of at most this many characters in a report. */
const REASON_MAX_CHARS = 300;

const oneLine = (text: string): string => {
  const line = text.replace(/\s*\n\s*/g, '; ').trim();
  return line.length > REASON_MAX_CHARS ? `${line.slice(0, REASON_MAX_CHARS - 3)}...` : line;
};

/**
 * The `limit` most recent failed jobs with their reasons. Only the fields shown are read from the
 * job hashes, not the jobs: a job whose data is not JSON (which is how it came to fail) would make
 * BullMQ's `getFailed` throw, and a feed job's data is up to 1,000 events.
 */
export async function readRecentFailures(queue: Queue, limit = FAILED_JOBS_SHOWN): Promise<FailedJobSummary[]> {
  if (limit < 1) return [];
  // The failed set is scored by finishedOn: descending gives the newest first.
  const jobIds = await queue.getRanges(['failed'], 0, limit - 1, false);
  const fields = await readJobFields(queue, jobIds, ['name', 'failedReason', 'atm', 'finishedOn']);
  return jobIds.flatMap((jobId, index) => {
    const [name, failedReason, attemptsMade, finishedOn] = fields[index] ?? [];
    // Removed between the two reads (removeOnFail).
    if (name === null || name === undefined) return [];
    return [
      {
        jobId,
        name,
        attemptsMade: Number(attemptsMade ?? 0),
        failedAt: finishedOn ? new Date(Number(finishedOn)).toISOString() : null,
        reason: oneLine(failedReason || '(no reason recorded)'),
      },
    ];
  });
}

/**
 * Jobs found stalled at least `atLeast` times that are still to be done. A stalled job goes
 * back to the end of the wait list workers take next (see `readOldestWaitingAge`) and is soon
 * active again, so the active jobs (at most the workers' total concurrency) and the first
 * `WAITING_JOBS_SCANNED` waiting ones are where it is; BullMQ counts the stalls on the job itself.
 */
export async function readRepeatedlyStalled(
  queue: Queue,
  atLeast = 2,
  scan = WAITING_JOBS_SCANNED,
): Promise<StalledJobSummary[]> {
  const [active, waiting] = await Promise.all([
    queue.getRanges(['active'], 0, -1, true),
    queue.getRanges(['waiting'], 0, scan - 1, true),
  ]);
  const candidates = [
    ...active.map((jobId) => ({ jobId, state: 'active' as const })),
    ...waiting.map((jobId) => ({ jobId, state: 'waiting' as const })),
  ];
  const fields = await readJobFields(
    queue,
    candidates.map(({ jobId }) => jobId),
    ['name', 'stc'],
  );
  const seen = new Set<string>();
  return candidates.flatMap(({ jobId, state }, index) => {
    const [name, stalls] = fields[index] ?? [];
    // A job moved from active to wait between the two range reads is listed once.
    if (seen.has(jobId) || name === null || name === undefined || Number(stalls ?? 0) < atLeast) return [];
    seen.add(jobId);
    return [{ jobId, name, stalls: Number(stalls), state }];
  });
}
