import type { Metrics, Queue } from 'bullmq';

const MINUTE_MS = 60_000;

/** The window of `mean15m`: long enough to smooth a bursty feed, short enough to show a stop. */
export const THROUGHPUT_WINDOW_MINUTES = 15;

/**
 * Jobs finished per minute, from BullMQ's per-minute metrics (kept by workers created with the
 * `metrics` option, as `createWorker` does). Both figures count whole clock minutes before the
 * minute `now` falls in, so they do not dip while the current minute is still filling:
 * - `lastMinute`: jobs finished in the last complete minute (at 10:07:25, 10:06:00-10:06:59);
 * - `mean15m`: the mean over the last 15 complete minutes (10:52-10:06 at 10:07:25).
 */
export interface Throughput {
  readonly lastMinute: number;
  readonly mean15m: number;
}

/**
 * Jobs finished in each of the `minutes` complete minutes before the minute of `now`, newest
 * first. BullMQ's list is written only when a job finishes, so it must be read against its meta:
 * - the jobs finished in the minute of `meta.prevTS` are `meta.count - meta.prevCount` and not in
 *   the list yet (they are pushed when the first job of a later minute finishes);
 * - `data[i]` is the minute `i + 1` minutes before that one;
 * - minutes after the one of `meta.prevTS` saw no job finish (one would have moved `prevTS`).
 */
export function finishedPerMinute(metrics: Metrics, now: number, minutes: number): number[] {
  const nowMinute = Math.floor(now / MINUTE_MS);
  if (!metrics.meta.prevTS) return Array.from({ length: minutes }, () => 0);
  const latestMinute = Math.floor(metrics.meta.prevTS / MINUTE_MS);
  const pending = Math.max(0, metrics.meta.count - metrics.meta.prevCount);
  return Array.from({ length: minutes }, (_, index) => {
    const minute = nowMinute - 1 - index;
    if (minute > latestMinute) return 0;
    if (minute === latestMinute) return pending;
    return metrics.data[latestMinute - 1 - minute] ?? 0;
  });
}

export function throughputOf(metrics: Metrics, now: number): Throughput {
  const counts = finishedPerMinute(metrics, now, THROUGHPUT_WINDOW_MINUTES);
  const total = counts.reduce((sum, count) => sum + count, 0);
  return { lastMinute: counts[0] ?? 0, mean15m: total / THROUGHPUT_WINDOW_MINUTES };
}

/**
 * Reads completed or failed throughput of a queue. Only the newest 16 data points are fetched:
 * the list holds up to a week of minutes (10,080) and the window needs 15 at most.
 */
export async function readThroughput(queue: Queue, type: 'completed' | 'failed', now: number): Promise<Throughput> {
  const metrics = await queue.getMetrics(type, 0, THROUGHPUT_WINDOW_MINUTES);
  return throughputOf(metrics, now);
}
