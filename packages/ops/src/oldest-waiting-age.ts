import type { Queue } from 'bullmq';

/**
 * Age in seconds (`now - job.timestamp`, the time the job was added) of the oldest job in the
 * wait list, or null when none waits. The wait list is FIFO, so the oldest job is at its tail and
 * one job is read, whatever the backlog. Prioritized jobs are not looked at: their set is ordered
 * by priority, not age, and no queue here uses priorities. Delayed jobs are not waiting yet.
 */
export async function readOldestWaitingAge(queue: Queue, now: number): Promise<number | null> {
  // getWaiting reads ascending (oldest first) in one script, skipping ids whose job has gone.
  const [oldest] = await queue.getWaiting(0, 0);
  if (!oldest) return null;
  return Math.max(0, now - oldest.timestamp) / 1_000;
}
